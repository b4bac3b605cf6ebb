import { discordFromEnv } from '../adapters/discord/index.js';
import { slackFromEnv } from '../adapters/slack/index.js';
import type { Inbound } from './chat/inbound.js';
import { createApp } from './app.js';
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
    firstDelivery: (key: string, ttlMs: number) => app.store.firstDelivery(key, ttlMs),
    log,
  };
  const stops: (() => Promise<void>)[] = [];
  const slack = await slackFromEnv(env, deps);
  if (slack) {
    app.attach(slack, SLACK_EDITS_PER_MINUTE);
    stops.push(() => slack.stop());
    log(`slack: listening${slack.port ? ` on port ${slack.port}` : ' over Socket Mode'}`);
  }
  const discord = await discordFromEnv(env, deps);
  if (discord) {
    app.attach(discord, DISCORD_EDITS_PER_MINUTE);
    stops.push(() => discord.stop());
    log('discord: connected');
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
