import type { DiscordDeps } from '../adapters/discord/index.js';
import type { ChatSurface } from './chat/surface.js';
import { wantedSurfaces } from './chat-env.js';
import type { App } from './app.js';
import type { OpsHandler } from './metrics/http.js';
import type { ShellRun } from './run-shell.js';
import { startFailure } from './start-failure.js';
import type { SurfaceDeps } from './wiring.js';


type Log = (line: string) => void;
type Started = ChatSurface & { stop(): Promise<void> };

/** `dispatch-bot start`: every surface whose credentials are in the environment; the shell when none are. */
export async function startSurfaces(env: NodeJS.ProcessEnv, run: Omit<ShellRun, 'user'>): Promise<number> {
  // The environment is checked before the bot is loaded: a half-set surface is said at once.
  const wanted = wantedSurfaces(env);
  if (!wanted.slack && !wanted.discord) {
    // Said on stderr so a pipe's output stays the chat's; a service with no tokens learns why it ended.
    if (!process.stdin.isTTY) process.stderr.write('dispatch-bot: no SLACK_BOT_TOKEN or DISCORD_TOKEN set: reading requests from standard input (the shell)\n');
    const [{ runShellSurface }, { shellUser }] = await Promise.all([import('./run-shell.js'), import('./shell-user.js')]);
    return runShellSurface(env, { ...run, user: shellUser() });
  }
  // Listening from the first moment: a stop asked for during start-up still shuts down cleanly.
  const stopAsked = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const [{ startBot }, { gatewayOps }, { startBeating }] = await Promise.all([import('./wiring.js'), import('./ops.js'), import('./health.js')]);
  const log: Log = (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const stops: (() => Promise<void>)[] = [];
  const app = await startBot({ env, cwd: run.repo, log }, async (app) => {
    try {
      const ops = await gatewayOps(app, env, log);
      stops.push(() => ops.close());
      const retries = (surface: string) => () => ops.metrics.chatRetry(surface);
      if (wanted.slack) await attach(app, stops, log, 'slack', env, (deps) => startSlack(env, { ...deps, onRetry: retries('slack'), ops: ops.handle }));
      if (wanted.discord) await attach(app, stops, log, 'discord', env, (deps) => startDiscord(env, { ...deps, onRetry: retries('discord') }));
    } catch (error) {
      // Whatever did start must not keep the process alive after a failed start.
      for (const stop of stops) await stop().catch(() => undefined);
      throw error;
    }
  });
  const stopBeating = await startBeating(env, [wanted.slack && 'slack', wanted.discord && 'discord'].filter((s): s is string => Boolean(s)), log);
  log(`ready, working on ${run.repo}`);
  await stopAsked;
  log('shutting down');
  await stopBeating();
  // Queued status edits go out while the surfaces can still send them (a stopped client cannot).
  await app.flush();
  for (const stop of stops) await stop();
  await app.close();
  return 0;
}

/** The SDKs load only for a surface that is configured: `dispatch-bot start` on Discord alone never loads Bolt. */
async function startSlack(env: NodeJS.ProcessEnv, deps: SurfaceDeps & Pick<DiscordDeps, 'onRetry'> & { ops: OpsHandler }): Promise<Started & { port?: number }> {
  const { slackFromEnv } = await import('../adapters/slack/index.js');
  return required(await slackFromEnv(env, deps));
}

async function startDiscord(env: NodeJS.ProcessEnv, deps: DiscordDeps): Promise<Started> {
  const { discordFromEnv } = await import('../adapters/discord/index.js');
  return required(await discordFromEnv(env, deps));
}

/** wantedSurfaces() said the surface is configured, so its adapter must have started it. */
function required<T>(surface: T | undefined): T {
  if (!surface) throw new Error('its credentials are not set');
  return surface;
}

async function attach(
  app: App,
  stops: (() => Promise<void>)[],
  log: Log,
  name: 'slack' | 'discord',
  env: NodeJS.ProcessEnv,
  start: (deps: SurfaceDeps) => Promise<Started & { port?: number }>,
): Promise<void> {
  const { wireSurface } = await import('./wiring.js');
  const surface = await wireSurface(
    app,
    (deps) =>
      start(deps).catch((error: unknown) => {
        throw startFailure(name, error, env);
      }),
    { log },
  );
  stops.push(() => surface.stop());
  if (name === 'discord') log('discord: connected');
  else log(`slack: listening${surface.port ? ` on port ${surface.port}` : ' over Socket Mode'}`);
}
