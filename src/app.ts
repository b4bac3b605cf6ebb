import { basename, join } from 'node:path';
import type { SurfaceName } from './chat/inbound.js';
import type { ChatSurface } from './chat/surface.js';
import { coalesceEdits, type CoalescedSurface, type CoalesceOptions } from './chat/coalesce.js';
import { openConfig } from './config/file-source.js';
import { configPath, dispatchHome } from './config/paths.js';
import type { ConfigSource } from './config/port.js';
import { cachedDiscovery } from './cached-discovery.js';
import { Dispatcher } from './dispatcher/index.js';
import { forgesFromEnv } from './forge/forges.js';
import { openQueue, type RunnerTiming } from './open-queue.js';
import type { TaskQueue } from './queue/port.js';
import { openMemoryStore } from './store/memory.js';
import { openSqliteStore } from './store/sqlite.js';
import { redisOptions } from './util/redis-env.js';
import type { TaskStore } from './store/port.js';
import type { Clock } from './util/clock.js';

export interface AppOptions {
  env: NodeJS.ProcessEnv;
  /** The repository tasks work on by default: the bot's working directory. */
  cwd: string;
  log?: (line: string) => void;
  /** Time for prompts' deadlines (the system clock unless a test moves time itself). */
  clock?: Clock;
  /** The in-process runner host's intervals (its defaults unless a test shortens them). */
  runnerTiming?: RunnerTiming;
}

/** How a surface's edits are spaced and retried (coalesceEdits' options; one edit per message per second by default). */
export type Pacing = Partial<Pick<CoalesceOptions, 'minIntervalMs' | 'retryDelayMs' | 'maxRetryDelayMs' | 'postsPerSecond'>>;

/** Everything but the chat surfaces, wired: config, store, queue (+ in-process runner host), dispatcher. */
export interface App {
  config: ConfigSource;
  store: TaskStore;
  queue: TaskQueue;
  dispatcher: Dispatcher;
  /**
   * Attach a surface; its edits are coalesced (a status is edited in place, within the platform's
   * rate limits): at most `editsPerMinute` in all, one per `minIntervalMs` per message.
   */
  attach(surface: ChatSurface, editsPerMinute: number, pacing?: Pacing): ChatSurface;
  /** Send every coalesced edit still waiting. */
  flush(): Promise<void>;
  /**
   * Reconcile what a previous run left: re-adopt live workers, re-surface questions, mark the
   * rest; then keep finished tasks within `limits.retention` (a sweep now, then hourly).
   */
  recover(): Promise<void>;
  /** Stop watching; workers keep running for the next start to re-adopt, unless `killWorkers`. */
  close(opts?: { killWorkers?: boolean }): Promise<void>;
}

/**
 * SQLite under DISPATCH_HOME by default; Redis when `DISPATCH_STORE=redis` (REDIS_URL, default
 * redis://127.0.0.1:6379; keys under DISPATCH_REDIS_PREFIX, default `dispatch`); `memory` keeps
 * nothing past the process (a try-out).
 */
async function openStore(env: NodeJS.ProcessEnv, home: string): Promise<TaskStore> {
  if (env.DISPATCH_STORE === 'redis') {
    const { openRedisStore } = await import('./store/redis.js');
    return openRedisStore(redisOptions(env));
  }
  if (env.DISPATCH_STORE === 'memory') return openMemoryStore();
  if (env.DISPATCH_STORE && env.DISPATCH_STORE !== 'sqlite') throw new Error(`DISPATCH_STORE must be sqlite, redis or memory, not "${env.DISPATCH_STORE}"`);
  return openSqliteStore(join(home, 'state.db'));
}

export async function createApp(options: AppOptions): Promise<App> {
  const { env } = options;
  const home = dispatchHome(env);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const config = await openConfig({ path: configPath(env), watch: true });
  config.onChange((_c, error) => error && log(`config: ${error.message} (keeping the last good config)`));
  const store = await openStore(env, home);
  const runtime = await openQueue(env, home, config, options.runnerTiming);
  const { queue } = runtime;
  const surfaces = new Map<SurfaceName, CoalescedSurface>();
  const dispatcher = new Dispatcher({
    config,
    store,
    queue,
    surface: (name) => surfaces.get(name),
    discovery: cachedDiscovery(env),
    env,
    forges: forgesFromEnv(env),
    defaultRepo: { name: basename(options.cwd) || 'repo', path: options.cwd },
    log,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  dispatcher.start();
  const flush = async () => {
    for (const surface of surfaces.values()) await surface.flush();
  };
  return {
    config,
    store,
    queue,
    dispatcher,
    attach(surface, editsPerMinute, pacing = {}) {
      // An edit is queued, so its failure reaches no caller: it goes to the bot's log, not bare stderr.
      const onError = (error: unknown, ref: { channel: string; id: string }): void => log(`${surface.name}: editing message ${ref.channel}/${ref.id} failed: ${String(error)}`);
      const wrapped = coalesceEdits(surface, { minIntervalMs: 1000, ...pacing, perMinute: editsPerMinute, onError });
      surfaces.set(surface.name, wrapped);
      return wrapped;
    },
    async recover() {
      const active = await store.listTasks({ active: true });
      await runtime.recover(active.map((t) => ({ spec: t.spec, ...(t.dir ? { dir: t.dir } : {}), queued: t.state === 'queued' })));
      await dispatcher.resumePrompts();
      await dispatcher.resumeStatuses();
      await dispatcher.resumeRequests();
      // After the statuses: a final edit that lands now lets its task go in this first sweep.
      dispatcher.keepRetention();
    },
    flush,
    async close(opts) {
      dispatcher.stop();
      await dispatcher.swept();
      await flush();
      await runtime.close(opts);
      config.close();
      await store.close();
    },
  };
}
