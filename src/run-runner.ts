import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { openConfig } from './config/file-source.js';
import { configPath, dispatchHome } from './config/paths.js';
import type { Config } from './config/schema.js';
import { redisOptions } from './util/redis-env.js';
import { BUILT_IN_BACKENDS, backendFor, backendNamed, commandFor, splitCommand } from './resolve/index.js';
import { onPath } from './resolve/clis.js';
import { createRunnerHost, runnerIdOf } from './runner/index.js';
import { serveRunner } from './queue/bullmq-runner.js';
import { queueSecret } from './queue/signed.js';
import { runnerOps } from './ops.js';

/**
 * `dispatch-bot runner`: a runner host serving the BullMQ queue (the bot runs with
 * DISPATCH_QUEUE=redis). Give it a stable DISPATCH_RUNNER_ID so that after a restart it re-adopts
 * its own workers. SIGTERM drains (running workers get `limits.drain_timeout` to finish, the rest
 * go back to the queue); SIGINT leaves workers running for the next start.
 */
export async function runRunner(env: NodeJS.ProcessEnv): Promise<number> {
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const secret = queueSecret(env);
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
    killGraceMs: () => config.current().limits.kill_grace,
    env,
  });
  const backends = await backendsOnPath(config.current(), env);
  const repos = Object.values(config.current().repos).map((r) => r.path);
  const lockMs = Number(env.DISPATCH_RUNNER_LOCK_MS) || undefined;
  const runner = await serveRunner({
    ...redisOptions(env),
    secret,
    host,
    runnerId,
    concurrency: limits.concurrency,
    backends,
    ...(repos.length ? { repos } : {}),
    ...(lockMs ? { lockMs } : {}),
    log,
  });
  let serving = true;
  const ops = await runnerOps(host, env, log, () => serving);
  log(`runner ${runner.runnerId}: serving the queue at prefix ${redisOptions(env).prefix} with ${backends.join(', ') || 'no agent CLI'}`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  serving = false;
  if (signal === 'SIGTERM') {
    log(`runner ${runner.runnerId}: draining (${runner.busy()} running, up to ${limits.drain_timeout} ms)`);
    await runner.stop({ drainMs: limits.drain_timeout });
    await host.close();
  } else {
    log(`runner ${runner.runnerId}: stopping (workers keep running for the next start)`);
    await runner.stop();
    await host.close();
  }
  await ops.close();
  config.close();
  return 0;
}

/** The backends this runner can run: each known backend whose command's program is on PATH. */
async function backendsOnPath(config: Config, env: NodeJS.ProcessEnv): Promise<string[]> {
  const names = [...new Set<string>([...BUILT_IN_BACKENDS, ...Object.keys(config.backends)])];
  const found = await Promise.all(
    names.map(async (name) => {
      const configured = config.backends[name]?.command;
      const program = configured ? (splitCommand(configured)[0] ?? '') : backendNamed(name).executable;
      return program && (await onPath(program, env)) ? name : undefined;
    }),
  );
  return found.filter((n): n is string => n !== undefined);
}
