import { afterEach, describe, expect, it } from 'vitest';
import { queueKeys, parseOwner } from '../../src/queue/bullmq-wire.js';
import { processesOfTask } from '../fixtures/fake-agent-support.js';
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
  afterEach(async () => {
    for (const r of runners.splice(0)) {
      r.child.kill('SIGKILL');
      await r.exited;
    }
    for (const pid of taskIds.splice(0).flatMap((id) => processesOfTask(id))) process.kill(pid, 'SIGKILL');
    for (const s of stacks.splice(0)) await s.close();
  });

  async function rig(name: string, concurrency: number) {
    const prefix = `${runPrefix}${name}`;
    const stack = await Stack.start({ config: config(concurrency), env: { DISPATCH_QUEUE: 'redis', REDIS_URL, DISPATCH_REDIS_PREFIX: prefix, DISPATCH_SECRET: SECRET, DISPATCH_RUNNER_LOCK_MS: '2000' } });
    stacks.push(stack);
    const runner = async (id: string) => {
      const r = startRunnerProcess(stack.env, id);
      runners.push(r);
      await r.ready;
      return r;
    };
    const ownerOf = async (taskId: string) => parseOwner(await admin.hget(queueKeys(prefix).owners, taskId))?.runner;
    const finals = (id: string) => stack.surface.posts.filter((p) => new RegExp(`^\\*\\*${id}\\*\\* (is done|failed|was cancelled|timed out|was interrupted)`).test(stack.surface.latest(p).text));
    return { stack, runner, ownerOf, finals, prefix };
  }

  it('20 worktree tasks, one runner SIGKILLed with its workers mid-run, a third started: each ends once, the others untouched', async () => {
    const { stack, runner, ownerOf, finals } = await rig('kill', 10);
    const r1 = await runner('r1');
    await runner('r2');
    for (let n = 1; n <= 20; n++) await stack.say(`use opus to change file ${n} in a worktree fake:items=4 fake:slow=1500 fake:commit=1`);
    const ids = await eventually('20 status messages', () => {
      const titles = stack.surface.posts.map((p) => p.reply.title).filter((t): t is string => typeof t === 'string');
      return titles.length === 20 ? titles : undefined;
    });
    taskIds.push(...ids);
    const owners = await eventually('all 20 running', async () => {
      const all = await Promise.all(ids.map((id) => ownerOf(id)));
      return all.every(Boolean) && stack.agentRuns().length === 20 ? all : undefined;
    }, { timeoutMs: 60_000 });
    const onR1 = ids.filter((_, i) => owners[i] === 'r1');
    const onR2 = ids.filter((_, i) => owners[i] === 'r2');
    expect(onR1.length).toBeGreaterThan(0);
    expect(onR2.length).toBeGreaterThan(0);
    // The runner dies together with its workers, as a host losing power would.
    const r1Workers = onR1.flatMap((id) => processesOfTask(id));
    r1.child.kill('SIGKILL');
    for (const pid of r1Workers) process.kill(pid, 'SIGKILL');
    await r1.exited;
    await runner('r3');
    for (const id of ids) await stack.waitForStatus(id, /done/, 90_000);
    for (const id of ids) expect(finals(id), `${id}: one final report`).toHaveLength(1);
    for (const id of onR1) expect(stack.surface.latest(finals(id)[0]!).text).toMatch(/runner r1 stopped answering; restarted on r[23]/);
    const runs = stack.agentRuns();
    const runsOf = (id: string) => runs.filter((r) => r.taskId === id).length;
    // A worker of r2 signalled (by r3's start, or anyone) would have been restarted: each ran once.
    for (const id of onR2) expect(runsOf(id), `${id} ran once`).toBe(1);
    for (const id of onR1) expect(runsOf(id), `${id} ran twice`).toBe(2);
  }, 240_000);
});
