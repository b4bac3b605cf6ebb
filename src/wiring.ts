import type { Inbound, SurfaceName } from './chat/inbound.js';
import { DISCORD_PACING, SLACK_PACING, type PlatformPacing } from './chat/pacing.js';
import type { ChatSurface } from './chat/surface.js';
import { createApp, type App, type AppOptions, type Pacing } from './app.js';

type Log = (line: string) => void;

/** What every chat adapter is handed: where its requests go, and how a delivery is kept once. */
export interface SurfaceDeps {
  onInbound: (inbound: Inbound) => Promise<void>;
  accept: (keys: readonly string[], inbound: Inbound) => Promise<boolean>;
  log: Log;
}

/** Edits per minute and per-message spacing; a test against a fake may set its own. */
export type SurfacePacing = Pacing & Pick<PlatformPacing, 'perMinute'>;

const PLATFORM: Record<SurfaceName, PlatformPacing> = { slack: SLACK_PACING, discord: DISCORD_PACING, shell: {} };

/** An adapter's requests go to the dispatcher, each kept durably (once per delivery key) before its ack. */
export function surfaceDeps(app: App, log: Log): SurfaceDeps {
  return {
    onInbound: (inbound) => app.dispatcher.handle(inbound),
    accept: (keys, inbound) => app.dispatcher.accept(keys, inbound),
    log,
  };
}

/**
 * Start a chat adapter against the app and attach it, its edits coalesced at its platform's pace
 * (`pacing` overrides that pace: a test whose fake enforces no post tier leaves posts unpaced).
 */
export async function wireSurface<S extends ChatSurface>(app: App, start: (deps: SurfaceDeps) => Promise<S>, options: { log: Log; pacing?: SurfacePacing }): Promise<S> {
  const surface = await start(surfaceDeps(app, options.log));
  const { perMinute = 45, ...pacing } = { ...PLATFORM[surface.name], ...options.pacing };
  app.attach(surface, perMinute, pacing);
  return surface;
}

/**
 * The bot as `dispatch-bot start` runs it: the app, its surfaces wired by `wire`, then what a
 * previous run left recovered (only once every surface can carry a re-surfaced question). A
 * failed `wire` closes the app (`wire` stops whatever of its own it started).
 */
export async function startBot(options: AppOptions, wire: (app: App) => Promise<void>): Promise<App> {
  const app = await createApp(options);
  try {
    await wire(app);
  } catch (error) {
    await app.close();
    throw error;
  }
  await app.recover();
  return app;
}
