import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { queueKeys, parseOwner } from '../../src/queue/bullmq-wire.js';
import { processRuns, processesOfTask } from '../fixtures/fake-agent-support.js';
import { REDIS_URL, redisForTests } from '../support/redis-admin.js';
import { eventually } from '../support/eventually.js';
import { startRunnerProcess, type RunnerProcess } from '../support/runner-process.js';
import { Stack } from '../support/stack.js';

// The bot (DISPATCH_QUEUE=redis) and `dispatch-bot runner` processes on one host sharing one
// DISPATCH_HOME, as systemd template units or a compose volume would run them.
const { admin, runPrefix } = redisForTests('runner-processes');
const SECRET = 'acceptance-secret-0123456789';

const config = (concurrency: number) => ({ repo }: { repo: string }) =>
  `default: opus\nmodels:\n  opus: { backend: claude }\nrepos:\n  app: ${repo}\nlimits:\n  concurrency: ${concurrency}\n`;

describe('runner processes on BullMQ', () => {
  const stacks: Stack[] = [];
  const runners: RunnerProcess[] = [];
  const taskIds: string[] = [];
  /** Run after the bot closed (a Redis server of the test's own). */
  const finalizers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const r of runners.splice(0)) {
      r.child.kill('SIGKILL');
      await r.exited;
    }
    for (const pid of taskIds.splice(0).flatMap((id) => processesOfTask(id))) killGone(pid);
    for (const s of stacks.splice(0)) await s.close();
    for (const f of finalizers.splice(0)) await f();
  });

  async function rig(name: string, concurrency: number, more: { lockMs?: number; redisUrl?: string } = {}) {
    const prefix = `${runPrefix}${name}`;
    const env = { DISPATCH_QUEUE: 'redis', REDIS_URL: more.redisUrl ?? REDIS_URL, DISPATCH_REDIS_PREFIX: prefix, DISPATCH_SECRET: SECRET, DISPATCH_RUNNER_LOCK_MS: String(more.lockMs ?? 2000) };
    const stack = await Stack.start({ config: config(concurrency), env });
    stacks.push(stack);
    const runner = async (id: string) => {
      const r = startRunnerProcess(stack.env, id);
      runners.push(r);
      await r.ready;
      return r;
    };
    const ownerOf = async (taskId: string) => parseOwner(await admin.hget(queueKeys(prefix).owners, taskId))?.runner;
    const titles = (count: number) =>
      eventually(`${count} status messages`, () => {
        const found = stack.surface.posts.map((p) => p.reply.title).filter((t): t is string => typeof t === 'string');
        if (found.length === count) taskIds.push(...found);
        return found.length === count ? found : undefined;
      });
    const finals = (id: string) => stack.surface.posts.filter((p) => new RegExp(`^\\*\\*${id}\\*\\* (is done|failed|was cancelled|timed out|was interrupted)`).test(stack.surface.latest(p).text));
    // Workers told `fake:hold=${go}` stop after their first item until the test writes it: mid-run for as long as the test needs.
    const go = join(stack.root, 'go');
    const release = () => writeFileSync(go, '');
    return { stack, runner, ownerOf, finals, prefix, titles, go, release };
  }

  it('20 worktree tasks, one runner SIGKILLed with its workers mid-run, a third started: each ends once, the others untouched', async () => {
    const { stack, runner, ownerOf, finals, titles, go, release } = await rig('kill', 10);
    const r1 = await runner('r1');
    await runner('r2');
    for (let n = 1; n <= 20; n++) await stack.say(`use opus to change file ${n} in a worktree fake:items=4 fake:hold=${go} fake:commit=1`);
    const ids = await titles(20);
    let seen: (string | undefined)[] = [];
    const owners = await eventually('all 20 running', async () => {
      seen = await Promise.all(ids.map((id) => ownerOf(id)));
      return seen.every(Boolean) && stack.agentRuns().length === 20 ? seen : undefined;
    }, { timeoutMs: 60_000, explain: () => explainRuns(stack, ids, seen) });
    const onR1 = ids.filter((_, i) => owners[i] === 'r1');
    const onR2 = ids.filter((_, i) => owners[i] === 'r2');
    expect(onR1.length).toBeGreaterThan(0);
    expect(onR2.length).toBeGreaterThan(0);
    // The runner dies together with its workers, as a host losing power would.
    const r1Workers = onR1.flatMap((id) => processesOfTask(id));
    r1.child.kill('SIGKILL');
    for (const pid of r1Workers) killGone(pid);
    await r1.exited;
    await runner('r3');
    // r2's workers were held all along: they run on, untouched, while r1 dies and r3 starts.
    release();
    for (const id of ids) await stack.waitForStatus(id, /done/, 90_000);
    await eventually('20 final reports', () => ids.every((id) => finals(id).length > 0));
    for (const id of ids) expect(finals(id), `${id}: one final report`).toHaveLength(1);
    const runs = stack.agentRuns();
    const runsOf = (id: string) => runs.filter((r) => r.taskId === id).length;
    // A worker of r2 signalled (by r3's start, or anyone) would have been restarted: each ran once.
    for (const id of onR2) expect(runsOf(id), `${id} ran once`).toBe(1);
    // Every task of r1 was mid-run (held) when it died: each was started once more, and its report says so.
    for (const id of onR1) {
      expect(runsOf(id), `${id} ran again`).toBe(2);
      expect(stack.surface.latest(finals(id)[0]!).text, id).toMatch(/runner r1 stopped answering; restarted on r[23]/);
    }
    // …and none of r2's said anything of the kind.
    for (const id of onR2) expect(stack.surface.latest(finals(id)[0]!).text, id).not.toContain('stopped answering');
  }, 240_000);

  it('a runner restarted under the same DISPATCH_RUNNER_ID re-adopts its live worker, and an answer sent meanwhile reaches it', async () => {
    const { stack, runner, finals, titles } = await rig('restart', 2, { lockMs: 20_000 });
    const r1 = await runner('r1');
    await stack.say('use opus to pick a message broker fake:items=2 fake:ask=NATS or RabbitMQ?');
    const question = await stack.waitFor(/asks:\nNATS or RabbitMQ\?/, 60_000);
    const [id] = await titles(1);
    r1.child.kill('SIGINT');
    expect(await r1.exited).toBe(0);
    const worker = stack.agentRuns()[0];
    expect(worker && processesOfTask(id!).includes(worker.pid)).toBe(true);
    await stack.say('NATS', 'alice', { thread: question.target.thread as string });
    await runner('r1');
    await stack.waitForStatus(id!, /done/, 60_000);
    await eventually('the final report', () => finals(id!).length > 0);
    expect(finals(id!)).toHaveLength(1);
    expect(stack.surface.latest(finals(id!)[0]!).text).toContain('Answer to 001: NATS');
    expect(stack.agentRuns()).toHaveLength(1);
  }, 120_000);

  it('Redis stopped mid-run, the workers finishing during the outage, and started again: no task lost, none run twice', async () => {
    const redis = await ownRedis();
    finalizers.push(() => redis.stop());
    {
      const { stack, runner, finals, titles, go, release } = await rig('outage', 4, { lockMs: 30_000, redisUrl: redis.url });
      await runner('r1');
      await runner('r2');
      for (let n = 1; n <= 6; n++) await stack.say(`use opus to change file ${n} in a worktree fake:items=4 fake:hold=${go} fake:commit=1`);
      const ids = await titles(6);
      await eventually('all 6 running', () => stack.agentRuns().length === 6, { timeoutMs: 60_000 });
      await redis.stop();
      // The outage itself, what the runners and the bot must ride out: every worker finishes while
      // Redis is down, so its progress, its result and its job's completion wait for Redis to return.
      release();
      await eventually('every worker finished', () => stack.agentRuns().every((r) => !processRuns(r.pid)), { timeoutMs: 60_000 });
      await redis.start();
      for (const id of ids) await stack.waitForStatus(id, /done/, 120_000);
      await eventually('6 final reports', () => ids.every((id) => finals(id).length > 0));
      for (const id of ids) expect(finals(id), `${id}: one final report`).toHaveLength(1);
      for (const id of ids) expect(stack.agentRuns().filter((r) => r.taskId === id), `${id} ran once`).toHaveLength(1);
    }
  }, 240_000);
});

/** A redis-server of the test's own on a free port, with append-only persistence, that can be stopped and started. */
async function ownRedis(): Promise<{ url: string; start(): Promise<void>; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], { stdio: ['ignore', 'pipe', 'inherit'] });
    child = c;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      c.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (/Ready to accept connections/.test(out)) resolve();
      });
      c.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${out}`)));
    });
    c.stdout?.resume();
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGTERM');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop };
}

/** Each task's owner, whether its worker started, and its latest status: what a wait for them all found. */
function explainRuns(stack: Stack, ids: string[], owners: (string | undefined)[]): string {
  const started = new Set(stack.agentRuns().map((r) => r.taskId));
  const status = (id: string) => stack.surface.latest(stack.surface.posts.find((p) => p.reply.title === id)!).text.split('\n')[0];
  return ids.map((id, i) => `${id}: owner ${owners[i] ?? 'none'}, ${started.has(id) ? 'worker started' : 'no worker'}; ${status(id)}`).join('\n') + `\n${stack.logs.join('\n')}`;
}

/** SIGKILL a process that may have exited since it was listed. */
function killGone(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
