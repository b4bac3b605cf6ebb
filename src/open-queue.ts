import type { ConfigSource } from './config/port.js';
import { backendFor, commandFor } from './resolve/index.js';
import { createRunnerHost, runnerIdOf, type RecoverableTask, type RunnerHostOptions } from './runner/index.js';
import type { TaskQueue } from './queue/port.js';
import { InProcessQueue } from './queue/in-process.js';
import { queueSecret } from './queue/signed.js';
import { redisOptions } from './util/redis-env.js';

/** The intervals of an in-process runner host: how often a task's files are looked at besides fs.watch, how long SIGTERM is given. */
export type RunnerTiming = Pick<RunnerHostOptions, 'safetyPollMs' | 'killGraceMs'>;

/** How the bot reaches runner hosts, and what it must do for them after a restart. */
export interface QueueRuntime {
  queue: TaskQueue;
  /** Re-adopt live workers, re-surface questions, reap orphans (in-process only: runner processes do their own). */
  recover(active: RecoverableTask[]): Promise<void>;
  close(opts?: { killWorkers?: boolean }): Promise<void>;
}

/**
 * In-process runner host by default; `DISPATCH_QUEUE=redis` sends tasks through BullMQ on Redis
 * to `dispatch-bot runner` processes (REDIS_URL, keys under DISPATCH_REDIS_PREFIX, signed with
 * DISPATCH_SECRET).
 */
export async function openQueue(env: NodeJS.ProcessEnv, home: string, config: ConfigSource, timing: RunnerTiming = {}): Promise<QueueRuntime> {
  if (env.DISPATCH_QUEUE === 'redis') {
    // Loaded only here: BullMQ and ioredis held about 18 MB of a shell that never uses them (`bench/idle-memory.ts`).
    const { openBullQueue } = await import('./queue/bullmq.js');
    const queue = await openBullQueue({ ...redisOptions(env), secret: queueSecret(env), onRunnerLost: () => config.current().limits.on_runner_lost });
    return { queue, recover: async () => undefined, close: () => queue.close() };
  }
  if (env.DISPATCH_QUEUE && env.DISPATCH_QUEUE !== 'in-process') {
    throw new Error(`DISPATCH_QUEUE must be in-process or redis, not "${env.DISPATCH_QUEUE}"`);
  }
  const { limits } = config.current();
  const host = createRunnerHost({
    home,
    runnerId: runnerIdOf(env),
    backendFor,
    commandFor: (spec) => commandFor(spec, config.current(), env),
    concurrency: limits.concurrency,
    perBackend: limits.per_backend,
    killGraceMs: () => config.current().limits.kill_grace,
    env,
    ...timing,
  });
  const queue = new InProcessQueue(host);
  return {
    queue,
    async recover(active) {
      await queue.reapOrphans(active.map((t) => t.spec.id));
      await queue.recover(active);
    },
    close: (opts) => queue.close(opts),
  };
}
