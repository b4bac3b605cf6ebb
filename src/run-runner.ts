import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { openConfig } from './config/file-source.js';
import { configPath, dispatchHome } from './config/paths.js';
import { redisOptions } from './util/redis.js';
import { backendFor, commandFor } from './resolve/index.js';
import { createRunnerHost, runnerIdOf } from './runner/index.js';
import { serveRunner } from './queue/redis-runner.js';
import { openRedisStore } from './store/redis.js';
import { runnerOps } from './ops.js';

/** Workers a runner takes at once when `limits.concurrency` is 0 (no limit) — a runner must say a number. */
const DEFAULT_CAPACITY = 4;

/**
 * `dispatch-bot runner`: a runner host serving the Redis queue (the bot runs with DISPATCH_QUEUE=redis).
 * Give it a stable DISPATCH_RUNNER_ID so that after a restart it re-adopts its own workers.
 */
export async function runRunner(env: NodeJS.ProcessEnv): Promise<number> {
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  // The runner's own config builds every worker command: a task from the queue names a model, never a program.
  const config = await openConfig({ path: configPath(env), watch: false });
  const limits = config.current().limits;
  // Without DISPATCH_RUNNER_ID a runner is a new one on every start: it cannot re-adopt workers of an earlier run.
  const runnerId = runnerIdOf(env, `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`);
  const host = createRunnerHost({
    home: dispatchHome(env),
    runnerId,
    backendFor,
    commandFor: (spec) => commandFor(spec, config.current(), env),
    concurrency: limits.concurrency,
    perBackend: limits.per_backend,
    env,
  });
  const redis = redisOptions(env);
  const runner = await serveRunner({
    ...redis,
    host,
    hostId: runnerId,
    capacity: limits.concurrency || DEFAULT_CAPACITY,
    log,
  });
  let serving = true;
  const ops = await runnerOps(host, env, log, () => serving);
  log(`runner ${runner.hostId}: serving the queue at prefix ${redis.prefix}`);
  if (env.DISPATCH_STORE === 'redis') await recoverOwned(env, runner.hostId, await runner.owned(), host);
  else log('runner: DISPATCH_STORE is not redis, so tasks of an earlier run of this runner are not re-adopted');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log(`runner ${runner.hostId}: stopping (workers keep running for the next start)`);
  serving = false;
  await runner.stop();
  await ops.close();
  await host.close();
  config.close();
  return 0;
}

/** Re-adopt this runner's own unfinished tasks (never another runner's: they would be reported interrupted). */
async function recoverOwned(env: NodeJS.ProcessEnv, hostId: string, owned: string[], host: ReturnType<typeof createRunnerHost>): Promise<void> {
  const store = await openRedisStore(redisOptions(env));
  try {
    const mine = new Set(owned);
    const active = (await store.listTasks({ active: true })).filter((t) => mine.has(t.id));
    await host.reapOrphans(active.map((t) => t.id));
    await host.recover(active.map((t) => ({ spec: t.spec, ...(t.dir ? { dir: t.dir } : {}) })));
    if (active.length) process.stderr.write(`runner ${hostId}: re-adopted ${active.length} task(s)\n`);
  } finally {
    await store.close();
  }
}
