import { discordFromEnv } from '../adapters/discord/index.js';
import { slackFromEnv } from '../adapters/slack/index.js';
import type { Inbound } from './chat/inbound.js';
import { createApp, type App } from './app.js';
import { runShellSurface } from './run-shell.js';
import { shellUser } from './shell-user.js';

/** Slack's chat.update is Tier 3 (~50/min per workspace); stay under it with room for retries. */
const SLACK_EDITS_PER_MINUTE = 45;
/** Discord allows 5 message edits per 5 s per channel; we keep the whole bot under that rate. */
const DISCORD_EDITS_PER_MINUTE = 50;

/** `dispatch-bot start`: every surface whose credentials are in the environment; the shell when none are. */
export async function startSurfaces(env: NodeJS.ProcessEnv): Promise<number> {
  const wantsSlack = Boolean(env.SLACK_BOT_TOKEN && env.SLACK_SIGNING_SECRET);
  const wantsDiscord = Boolean(env.DISCORD_TOKEN);
  if (!wantsSlack && !wantsDiscord) return runShellSurface(env, shellUser());
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const app = await createApp({ env, cwd: process.cwd(), log });
  const deps = {
    onInbound: (inbound: Inbound) => app.dispatcher.handle(inbound),
    accept: (keys: readonly string[], inbound: Inbound) => app.dispatcher.accept(keys, inbound),
    log,
  };
  const stops: (() => Promise<void>)[] = [];
  try {
    await startChat(env, deps, app, stops, log);
  } catch (error) {
    // Whatever did start must not keep the process alive after a failed start.
    for (const stop of stops) await stop().catch(() => undefined);
    await app.close();
    throw error;
  }
  await app.recover();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('shutting down');
  // Queued status edits go out while the surfaces can still send them (a stopped client cannot).
  await app.flush();
  for (const stop of stops) await stop();
  await app.close();
  return 0;
}

type Deps = Parameters<typeof slackFromEnv>[1] & Parameters<typeof discordFromEnv>[1];

/** Start Slack and Discord when their credentials are set; each started one is attached and its stop recorded. */
async function startChat(env: NodeJS.ProcessEnv, deps: Deps, app: App, stops: (() => Promise<void>)[], log: (line: string) => void): Promise<void> {
  const slack = await slackFromEnv(env, deps).catch((error: unknown) => {
    throw new Error(`slack: could not start (${reason(error)}); check SLACK_BOT_TOKEN${env.SLACK_API_URL ? ' and SLACK_API_URL' : ''}`);
  });
  if (slack) {
    stops.push(() => slack.stop());
    app.attach(slack, SLACK_EDITS_PER_MINUTE);
    log(`slack: listening${slack.port ? ` on port ${slack.port}` : ' over Socket Mode'}`);
  }
  const discord = await Promise.resolve(discordFromEnv(env, deps)).catch((error: unknown) => {
    throw new Error(`discord: could not start (${reason(error)}); check DISCORD_TOKEN${env.DISCORD_API_URL ? ' and DISCORD_API_URL' : ''}`);
  });
  if (discord) {
    stops.push(() => discord.stop());
    app.attach(discord, DISCORD_EDITS_PER_MINUTE);
    log('discord: connected');
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
