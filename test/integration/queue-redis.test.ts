import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import type { TaskQueue } from '../../src/queue/port.js';
import { openBullQueue, type BullTaskQueue } from '../../src/queue/bullmq.js';
import { LEGACY_TASKS_QUEUE, backendQueue, queueKeys, type EventEnvelope } from '../../src/queue/bullmq-wire.js';
import { serveRunner, type ServedRunner } from '../../src/queue/bullmq-runner.js';
import { sign } from '../../src/queue/signed.js';
import type { TaskEvent } from '../../src/task/index.js';
import { createRunnerHost, type RunnerHost } from '../../src/runner/index.js';
import { runQueueContract } from '../contract/queue.contract.js';
import { runQueueStatsContract } from '../contract/queue-stats.contract.js';
import { EventRecorder, TempDirs, backendFor, fakeCommandFor, fakeSpec, processRuns, uniqueId } from '../fixtures/fake-agent-support.js';
import { REDIS_URL, redisForTests } from '../support/redis-admin.js';
import { eventually } from '../support/eventually.js';

const { admin, runPrefix, deleteKeys } = redisForTests('bullmq-queue');

const SECRET = `test-secret-${randomUUID()}`;
const BACKENDS = ['fake-cli', 'claude'];
const newPrefix = (): string => `${runPrefix}${randomUUID().slice(0, 8)}:`;
const newHost = (home: string): RunnerHost => createRunnerHost({ home, backendFor, commandFor: fakeCommandFor(), concurrency: 4, perBackend: {}, killGraceMs: 500 });

/** The queue the contract suite drives, whose close also stops its runner, kills its workers and deletes its keys. */
function withTeardown(queue: BullTaskQueue, teardown: () => Promise<void>): TaskQueue {
  return {
    submit: (spec) => queue.submit(spec),
    subscribe: (listener) => queue.subscribe(listener),
    cancel: (id) => queue.cancel(id),
    answer: (id, seq, text) => queue.answer(id, seq, text),
    note: (id, text) => queue.note(id, text),
    logs: (id, lines) => queue.logs(id, lines),
    removeWorktree: (target) => queue.removeWorktree(target),
    pushBranch: (target, opts) => queue.pushBranch(target, opts),
    removeTaskFiles: (tasks) => queue.removeTaskFiles(tasks),
    close: async () => {
      await queue.close();
      await teardown();
    },
  };
}

runQueueContract('BullMQ queue + serveRunner', async (home) => {
  const prefix = newPrefix();
  const host = newHost(home);
  const runner = await serveRunner({ url: REDIS_URL, prefix, secret: SECRET, host, concurrency: 4, backends: BACKENDS, log: () => undefined });
  const queue = await openBullQueue({ url: REDIS_URL, prefix, secret: SECRET, log: () => undefined });
  return withTeardown(queue, async () => {
    await runner.stop();
    await host.close({ killWorkers: true });
    await deleteKeys(prefix);
  });
});

runQueueStatsContract('BullMQ queue + serveRunner', async (home) => {
  const prefix = newPrefix();
  const host = createRunnerHost({ home, backendFor, commandFor: fakeCommandFor(), concurrency: 1, perBackend: {}, killGraceMs: 500 });
  const runner = await serveRunner({ url: REDIS_URL, prefix, secret: SECRET, host, concurrency: 1, backends: BACKENDS, log: () => undefined });
  const queue = await openBullQueue({ url: REDIS_URL, prefix, secret: SECRET, log: () => undefined });
  return Object.assign(withTeardown(queue, async () => {
    await runner.stop();
    await host.close({ killWorkers: true });
    await deleteKeys(prefix);
  }), { stats: () => queue.stats() });
});

/** Which runner host started each task, recorded on the hosts themselves. */
/** Temp dirs and the cleanups a test registers, undone after each test (cleanups last first). */
function undoneAfterEach(): { temp: TempDirs; cleanups: (() => Promise<void>)[] } {
  const temp = new TempDirs();
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    temp.removeAll();
  });
  return { temp, cleanups };
}

function startsOn(host: RunnerHost, into: Map<string, string[]>, name: string): void {
  host.subscribe((e: TaskEvent) => {
    if (e.type === 'started') into.set(e.taskId, [...(into.get(e.taskId) ?? []), name]);
  });
}

describe('BullMQ queue with several runners', () => {
  const { temp, cleanups } = undoneAfterEach();

  async function rig(opts: { onRunnerLost?: 'restart' | 'report' } = {}) {
    const prefix = newPrefix();
    cleanups.push(() => deleteKeys(prefix));
    const logged: string[] = [];
    const queue = await openBullQueue({ url: REDIS_URL, prefix, secret: SECRET, commandTimeoutMs: 20_000, log: (l) => logged.push(l), ...(opts.onRunnerLost ? { onRunnerLost: () => opts.onRunnerLost ?? 'restart' } : {}) });
    cleanups.push(() => queue.close());
    const events = new EventRecorder();
    queue.subscribe(events.listener);
    const repo = temp.repo();
    const starts = new Map<string, string[]>();
    const runnerLogs: string[] = [];
    const runner = async (name: string, concurrency: number, more: { backends?: string[]; lockMs?: number; runnerId?: string } = {}) => {
      const host = newHost(temp.make(`home-${name}`));
      startsOn(host, starts, name);
      const served: ServedRunner = await serveRunner({
        url: REDIS_URL, prefix, secret: SECRET, host, concurrency, backends: more.backends ?? BACKENDS, runnerId: more.runnerId ?? name,
        // A lost task is looked for often, so a dead runner is noticed soon after its lock expires.
        ...(more.lockMs ? { lockMs: more.lockMs, stalledMs: 200 } : {}), bounceMs: 100, log: (l) => runnerLogs.push(l),
      });
      let stopped = false;
      const stop = async (kill: boolean) => {
        if (stopped) return;
        stopped = true;
        await served.stop();
        await host.close({ killWorkers: kill });
      };
      cleanups.push(() => stop(true));
      return { host, served, stop };
    };
    const spec = (stem: string, goal: string, more: { worktree?: boolean; backend?: 'codex' | 'claude' } = {}) => fakeSpec({ id: uniqueId(stem), goal, repo, ...more });
    return { prefix, queue, events, starts, runner, spec, repo, logged, runnerLogs };
  }

  it("carries a request's files to the runner's task folder, and the files its worker leaves in out/ back to the gateway", async () => {
    const { queue, events, runner, spec, repo } = await rig();
    await runner('a', 1);
    const shot = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    const task = { ...spec('files', 'Fix the layout in the screenshot fake:items=1 fake:out=chart.png'), files: [{ name: 'shot.png', mime: 'image/png', data: shot.toString('base64') }] };
    await queue.submit(task);
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('done');
    expect(readFileSync(join(repo, '.dispatch', 'tasks', task.id, 'in', 'shot.png')).equals(shot)).toBe(true);
    const [out] = finished.outFiles ?? [];
    expect(out?.name).toBe('chart.png');
    expect(Buffer.from(out?.data ?? '', 'base64').subarray(8).toString('latin1')).toContain(`chart.png by ${task.id}\n`);
    expect(finished.outDir).toBe(join(repo, '.dispatch', 'tasks', task.id, 'out'));
    // The worker's record (read back after a restart) keeps none of the bytes.
    expect(readFileSync(join(repo, '.dispatch', 'tasks', task.id, 'worker.json'), 'utf8')).not.toContain(shot.toString('base64').slice(0, 40));
  });

  it('shares the work: with concurrency 1 each, two tasks run on different runners, answered across hosts, and a third waits for a free one', async () => {
    const { queue, events, starts, runner, spec } = await rig();
    await runner('a', 1);
    await runner('b', 1);
    const first = spec('share-1', 'Pick storage fake:ask=Which database?');
    const second = spec('share-2', 'Pick a cache fake:ask=Which cache?');
    const third = spec('share-3', 'Tidy up fake:items=1');
    await queue.submit(first);
    await queue.submit(second);
    await events.next(first.id, 'question');
    await events.next(second.id, 'question');
    expect(new Set([...(starts.get(first.id) ?? []), ...(starts.get(second.id) ?? [])])).toEqual(new Set(['a', 'b']));
    await queue.submit(third);
    expect((await events.next(third.id, 'activity')).text).toBe('queued: waiting for a runner (2 busy)');
    await queue.answer(first.id, '001', 'Postgres');
    await queue.answer(second.id, '001', 'Redis');
    expect((await events.finished(first.id)).summary).toContain('Answer to 001: Postgres');
    expect((await events.finished(second.id)).summary).toContain('Answer to 001: Redis');
    expect((await events.finished(third.id)).state).toBe('done');
    for (const task of [first, second, third]) {
      expect(starts.get(task.id), `${task.id} started once`).toHaveLength(1);
      expect(events.of(task.id, 'finished')).toHaveLength(1);
    }
  });

  it('routes notes and logs to the owning runner, and names the runner when it is gone', async () => {
    const { queue, events, starts, runner, spec } = await rig();
    const a = await runner('a', 1);
    await runner('b', 1);
    const onA = spec('route-a', 'Write docs fake:await-note');
    const onB = spec('route-b', 'Write tests fake:await-note');
    await queue.submit(onA);
    await queue.submit(onB);
    await events.next(onA.id, 'plan');
    await events.next(onB.id, 'plan');
    await queue.note(onA.id, 'Use British spelling');
    await queue.note(onB.id, 'Use vitest');
    expect((await events.finished(onA.id)).summary).toContain('Notes read: Use British spelling');
    expect((await events.finished(onB.id)).summary).toContain('Notes read: Use vitest');
    const ranOnA = starts.get(onA.id)?.[0] === 'a' ? onA : onB;
    const ranOnB = ranOnA === onA ? onB : onA;
    expect(await queue.logs(ranOnA.id, 50)).toContain(ranOnA.id);
    expect(await queue.logs(ranOnB.id, 50)).toContain(ranOnB.id);
    await expect(queue.logs('no-such-task', 5)).rejects.toThrow(/no-such-task/);
    await a.stop(true);
    await expect(queue.logs(ranOnA.id, 5)).rejects.toThrow(new RegExp(`${ranOnA.id}.*gone`));
  });

  it('sends a task only to a runner with its CLI, and names what is missing when no runner up has it', async () => {
    const { queue, events, starts, runner, spec } = await rig();
    const a = await runner('a', 2, { backends: ['claude'] });
    await runner('b', 2, { backends: ['fake-cli'] });
    const tasks = [1, 2, 3].map((n) => spec(`cap-${n}`, 'Tidy up fake:items=1'));
    for (const task of tasks) await queue.submit(task);
    for (const task of tasks) expect((await events.finished(task.id)).state).toBe('done');
    expect(tasks.map((t) => starts.get(t.id))).toEqual([['b'], ['b'], ['b']]);
    expect(a.served.bounced()).toBe(0);
    const codex = spec('cap-codex', 'Port it fake:items=1', { backend: 'codex' });
    await queue.submit(codex);
    const refused = await events.finished(codex.id);
    expect(refused).toMatchObject({ state: 'failed', summary: 'no runner has codex; runners up: a (claude), b (fake-cli).' });
    expect(starts.get(codex.id)).toBeUndefined();
    const figures = await queue.figures();
    expect(figures.runners.map((r) => [r.id, r.backends, r.concurrency])).toEqual([['a', ['claude'], 2], ['b', ['fake-cli'], 2]]);
  });

  it('never hands a task to a runner without its CLI: the only idle runner lacks it, so the task waits for the busy one that has it', async () => {
    const { queue, events, starts, runner, spec } = await rig();
    const lacking = await runner('a', 1, { backends: ['claude'] });
    const having = await runner('b', 1, { backends: ['fake-cli'] });
    const busy = spec('exact-busy', 'Write docs fake:await-note');
    await queue.submit(busy);
    await events.next(busy.id, 'plan');
    const waiting = spec('exact-wait', 'Tidy up fake:items=1');
    await queue.submit(waiting);
    expect((await events.next(waiting.id, 'activity')).text).toBe('queued: waiting for a runner (1 busy)');
    // Work for the idle runner that lacks fake-cli: once it ran, it had its chance at the waiting task.
    const other = spec('exact-other', 'Review fake:items=1', { backend: 'claude' });
    await queue.submit(other);
    expect((await events.finished(other.id)).state).toBe('done');
    await queue.note(busy.id, 'done now');
    expect((await events.finished(waiting.id)).state).toBe('done');
    expect(starts.get(waiting.id)).toEqual(['b']);
    expect(starts.get(other.id)).toEqual(['a']);
    expect(lacking.served.bounced()).toBe(0);
    expect(having.served.bounced()).toBe(0);
  });

  it("keeps the runner's concurrency as one cap across its backends: a task for its other CLI waits for the slot", async () => {
    const { queue, events, starts, runner, spec } = await rig();
    const a = await runner('a', 1, { backends: ['fake-cli', 'claude'] });
    const first = spec('cap-first', 'Write docs fake:await-note');
    await queue.submit(first);
    await events.next(first.id, 'plan');
    const second = spec('cap-second', 'Review fake:items=1', { backend: 'claude' });
    await queue.submit(second);
    expect((await events.next(second.id, 'activity')).text).toBe('queued: waiting for a runner (1 busy)');
    expect(a.served.busy()).toBe(1);
    await queue.note(first.id, 'done now');
    expect((await events.finished(second.id)).state).toBe('done');
    const order = events.events.filter((e) => (e.type === 'started' && e.taskId === second.id) || (e.type === 'finished' && e.taskId === first.id));
    expect(order.map((e) => e.type)).toEqual(['finished', 'started']);
    expect(starts.get(second.id)).toEqual(['a']);
  });

  it('refuses and logs a forged job (an unsigned one, one signed with another secret): nothing runs', async () => {
    const { prefix, events, starts, runner, spec, runnerLogs } = await rig();
    await runner('a', 1);
    const tasks = new Queue(backendQueue('fake-cli'), { connection: { url: REDIS_URL } as never, prefix: queueKeys(prefix).bull });
    cleanups.push(() => tasks.close());
    const unsigned = spec('forged-1', 'Run this fake:items=1');
    const wrongKey = spec('forged-2', 'Run that fake:items=1');
    await tasks.add('task', { spec: { ...unsigned, argv: ['/bin/sh', '-c', 'id'] }, onRunnerLost: 'restart' }, { jobId: unsigned.id });
    await tasks.add('task', sign('another-secret-entirely', 'job', { spec: wrongKey, onRunnerLost: 'restart' }), { jobId: wrongKey.id });
    const honest = spec('honest', 'Run mine fake:items=1');
    await openAndSubmit(prefix, honest);
    expect((await events.finished(honest.id)).state).toBe('done');
    await eventually('both forged jobs refused', () => runnerLogs.filter((l) => /refused job forged-/.test(l)).length === 2, { explain: () => runnerLogs.join('\n') });
    expect(runnerLogs.join('\n')).toMatch(new RegExp(`refused job ${unsigned.id}: an unsigned job`));
    expect(runnerLogs.join('\n')).toMatch(new RegExp(`refused job ${wrongKey.id}: a job with a bad signature`));
    expect(starts.get(unsigned.id)).toBeUndefined();
    expect(starts.get(wrongKey.id)).toBeUndefined();
  });

  it('refuses and logs a forged finished event: a live task keeps running and reports once', async () => {
    const { prefix, queue, events, runner, spec, logged } = await rig();
    await runner('a', 1);
    const task = spec('forged-event', 'Write docs fake:await-note');
    await queue.submit(task);
    await events.next(task.id, 'plan');
    const forged: EventEnvelope = { runner: 'a', attempt: 1, event: { type: 'finished', taskId: task.id, state: 'done', summary: 'forged' } };
    await admin.xadd(queueKeys(prefix).events, '*', 'event', JSON.stringify(forged.event));
    await admin.xadd(queueKeys(prefix).events, '*', 'event', JSON.stringify(sign('another-secret-entirely', 'event', forged)));
    await eventually('both forged events refused', () => logged.filter((l) => /refused an? (unsigned event|event with a bad signature)/.test(l)).length === 2, { explain: () => logged.join('\n') });
    expect(events.of(task.id, 'finished')).toHaveLength(0);
    await queue.note(task.id, 'carry on');
    const finished = await events.finished(task.id);
    expect(finished.summary).toContain('Notes read: carry on');
    expect(events.of(task.id, 'finished')).toHaveLength(1);
  });

  it('restarts a dead runner\'s task once on another runner: a fresh worktree, a suffixed branch, the thread told', async () => {
    const { queue, events, starts, runner, spec } = await rig();
    const a = await runner('a', 1, { lockMs: 1_500 });
    const task = spec('lost', 'Slow change fake:items=3 fake:commit=1 fake:await-note', { worktree: true });
    await queue.submit(task);
    const first = await events.next(task.id, 'started');
    await events.next(task.id, 'plan');
    // The runner dies with its worker: nothing renews the job's lock any more.
    await a.stop(true);
    expect(processRuns(first.pid)).toBe(false);
    await runner('b', 1, { lockMs: 1_500 });
    const restarted = await events.next(task.id, 'activity', (e) => /stopped answering/.test(e.text));
    expect(restarted.text).toBe('runner a stopped answering; restarted on b');
    const since = events.events.indexOf(restarted);
    await eventually('the restart on b has its plan', () => events.events.slice(since).some((e) => e.taskId === task.id && e.type === 'plan'));
    await queue.note(task.id, 'wrap up');
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('done');
    expect(finished.summary).toMatch(/^runner a stopped answering; restarted on b\.\n\n/);
    expect(events.of(task.id, 'finished')).toHaveLength(1);
    expect(starts.get(task.id)).toEqual(['a', 'b']);
    const second = events.of(task.id, 'started')[1];
    expect(second?.dir).not.toBe(first.dir);
    expect(finished.worktree?.branch).toBe(`dispatch/${task.id}-r2`);
  });

  it('drains a runner told to stop: a task that ends in time ends there, the rest go back and restart elsewhere, saying so', async () => {
    const { queue, events, starts, runner, spec } = await rig();
    const a = await runner('a', 2);
    const quick = spec('drain-quick', 'Quick fix fake:items=1 fake:slow=300');
    const long = spec('drain-long', 'Long change fake:items=2 fake:await-note', { worktree: true });
    await queue.submit(quick);
    await queue.submit(long);
    await events.next(quick.id, 'plan');
    await events.next(long.id, 'plan');
    await runner('b', 1);
    await a.served.stop({ drainMs: 1_500 });
    expect((await events.finished(quick.id)).state).toBe('done');
    const restarted = await events.next(long.id, 'activity', (e) => /shut down/.test(e.text));
    expect(restarted.text).toBe('runner a shut down; restarted on b');
    const since = events.events.indexOf(restarted);
    await eventually('the restart on b has its plan', () => events.events.slice(since).some((e) => e.taskId === long.id && e.type === 'plan'));
    await queue.note(long.id, 'wrap up');
    const finished = await events.finished(long.id);
    expect(finished.state).toBe('done');
    expect(events.of(long.id, 'finished')).toHaveLength(1);
    expect(starts.get(quick.id)).toEqual(['a']);
    expect(starts.get(long.id)).toEqual(['a', 'b']);
  });

  it('ends a task interrupted when its second runner dies too: one final report, a third runner does not run it', async () => {
    const { queue, events, starts, runner, spec } = await rig();
    const a = await runner('a', 1, { lockMs: 1_500 });
    const task = spec('lost-twice', 'Run forever fake:hang');
    await queue.submit(task);
    await events.next(task.id, 'plan');
    await a.stop(true);
    const b = await runner('b', 1, { lockMs: 1_500 });
    await events.next(task.id, 'activity', (e) => e.text === 'runner a stopped answering; restarted on b');
    await eventually('the restart running on b', () => starts.get(task.id)?.length === 2);
    await b.stop(true);
    await runner('c', 1, { lockMs: 1_500 });
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('interrupted');
    expect(finished.summary).toContain('runner b stopped answering');
    expect(events.of(task.id, 'finished')).toHaveLength(1);
    expect(starts.get(task.id)).toEqual(['a', 'b']);
  });

  it('with on_runner_lost: report, a dead runner\'s task ends interrupted and runs nowhere else', async () => {
    const { queue, events, starts, runner, spec } = await rig({ onRunnerLost: 'report' });
    const a = await runner('a', 1, { lockMs: 1_500 });
    const task = spec('lost-report', 'Run forever fake:hang');
    await queue.submit(task);
    await events.next(task.id, 'plan');
    await a.stop(true);
    await runner('b', 1, { lockMs: 1_500 });
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('interrupted');
    expect(finished.summary).toContain('runner a stopped answering');
    expect(starts.get(task.id)).toEqual(['a']);
  });

  it('keeps an answer sent while the runner is down, and delivers it when the runner comes back under the same id', async () => {
    const { queue, events, starts, runner, spec } = await rig();
    const first = await runner('r1', 1, { lockMs: 10_000 });
    const task = spec('restart-ask', 'Pick storage fake:ask=Which database?');
    await queue.submit(task);
    const started = await events.next(task.id, 'started');
    await events.next(task.id, 'question');
    await first.stop(false); // the worker keeps running, waiting for its answer
    await queue.answer(task.id, '001', 'Postgres');
    expect(processRuns(started.pid)).toBe(true);
    await runner('r1-again', 1, { lockMs: 10_000, runnerId: 'r1' });
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('done');
    expect(finished.summary).toContain('Answer to 001: Postgres');
    expect(starts.get(task.id)).toEqual(['r1']);
    expect(events.of(task.id, 'finished')).toHaveLength(1);
  });
});

describe('BullMQ queue: removing the files of tasks the store removed', () => {
  const { temp, cleanups } = undoneAfterEach();

  it('removes each task\'s files on the runner that ran it and forgets its owner; a runner that is down does it when back', async () => {
    const prefix = newPrefix();
    cleanups.push(() => deleteKeys(prefix));
    const queue = await openBullQueue({ url: REDIS_URL, prefix, secret: SECRET, commandTimeoutMs: 20_000, log: () => undefined });
    cleanups.push(() => queue.close());
    const events = new EventRecorder();
    queue.subscribe(events.listener);
    const repo = temp.repo();
    const starts = new Map<string, string[]>();
    const serve = async (name: string) => {
      const host = newHost(temp.make(`home-${name}`));
      startsOn(host, starts, name.slice(0, 1));
      const served = await serveRunner({ url: REDIS_URL, prefix, secret: SECRET, host, concurrency: 1, backends: BACKENDS, runnerId: name.slice(0, 1), log: () => undefined });
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        await served.stop();
        await host.close({ killWorkers: true });
      };
      cleanups.push(stop);
      return stop;
    };
    await serve('a');
    const stopB = await serve('b');
    const tasks = [fakeSpec({ id: uniqueId('keep-a'), goal: 'Pick fake:ask=Which?', repo }), fakeSpec({ id: uniqueId('keep-b'), goal: 'Pick fake:ask=Which?', repo })];
    const dirs = new Map<string, string>();
    for (const task of tasks) await queue.submit(task);
    for (const task of tasks) dirs.set(task.id, (await events.next(task.id, 'started')).dir);
    for (const task of tasks) await events.next(task.id, 'question');
    for (const task of tasks) await queue.answer(task.id, '001', 'the first');
    for (const task of tasks) expect((await events.finished(task.id)).state).toBe('done');
    const onA = tasks.find((t) => starts.get(t.id)?.[0] === 'a');
    const onB = tasks.find((t) => starts.get(t.id)?.[0] === 'b');
    if (!onA || !onB) throw new Error(`both runners should have run one: ${JSON.stringify([...starts])}`);
    const folder = (id: string) => join(dirs.get(id) ?? '', '.dispatch', 'tasks', id);

    await stopB();
    const removed = await queue.removeTaskFiles(tasks.map((t) => ({ taskId: t.id, repo, dir: dirs.get(t.id) ?? '' })));
    expect(removed).toMatchObject({ logs: 1, folders: 1, later: 1 });
    expect(existsSync(folder(onA.id))).toBe(false);
    expect(existsSync(folder(onB.id))).toBe(true);
    await expect(queue.logs(onA.id, 5)).rejects.toThrow(/no runner has task/);
    expect(await admin.hlen(queueKeys(prefix).owners)).toBe(0);

    await serve('b-again');
    await eventually(`${onB.id}'s folder removed by its runner, back`, () => !existsSync(folder(onB.id)));
  });
});

describe('BullMQ queue: an upgrade from the one shared queue', () => {
  const { temp, cleanups } = undoneAfterEach();

  it('runs the tasks an older bot left waiting in the shared queue on runners with their CLI, and one it adds there later too', async () => {
    const prefix = newPrefix();
    cleanups.push(() => deleteKeys(prefix));
    const shared = new Queue(LEGACY_TASKS_QUEUE, { connection: { url: REDIS_URL } as never, prefix: queueKeys(prefix).bull });
    cleanups.push(() => shared.close());
    const olderBotAdds = (task: ReturnType<typeof fakeSpec>) => shared.add('task', sign(SECRET, 'job', { spec: task, onRunnerLost: 'restart' }), { jobId: task.id, removeOnComplete: true });
    const repo = temp.repo();
    const left = [fakeSpec({ id: uniqueId('left-fake'), goal: 'Tidy fake:items=1', repo }), fakeSpec({ id: uniqueId('left-claude'), goal: 'Review fake:items=1', repo, backend: 'claude' })];
    for (const task of left) await olderBotAdds(task);

    const queue = await openBullQueue({ url: REDIS_URL, prefix, secret: SECRET, log: () => undefined });
    cleanups.push(() => queue.close());
    const events = new EventRecorder();
    queue.subscribe(events.listener);
    expect(await shared.getWaitingCount()).toBe(0);
    expect((await queue.figures()).waiting).toBe(2);
    const starts = new Map<string, string[]>();
    const served: ServedRunner[] = [];
    for (const [name, backends] of [['a', ['claude']], ['b', ['fake-cli']]] as const) {
      const host = newHost(temp.make(`home-${name}`));
      startsOn(host, starts, name);
      const runner = await serveRunner({ url: REDIS_URL, prefix, secret: SECRET, host, concurrency: 1, backends: [...backends], runnerId: name, bounceMs: 100, log: () => undefined });
      served.push(runner);
      cleanups.push(async () => {
        await runner.stop();
        await host.close({ killWorkers: true });
      });
    }
    for (const task of left) expect((await events.finished(task.id)).state).toBe('done');
    expect(left.map((t) => starts.get(t.id))).toEqual([['b'], ['a']]);
    expect(served.map((r) => r.bounced())).toEqual([0, 0]);

    // An older bot still running puts its task in the shared queue while the runner with its CLI is
    // busy: the gateway moves it to its backend's queue too. The idle runner without the CLI may
    // have taken it first; it put it back once, not again and again until the other was free.
    const busy = fakeSpec({ id: uniqueId('busy-fake'), goal: 'Write docs fake:await-note', repo });
    await queue.submit(busy);
    await events.next(busy.id, 'plan');
    const late = fakeSpec({ id: uniqueId('late-fake'), goal: 'Tidy fake:items=1', repo });
    await olderBotAdds(late);
    const own = new Queue(backendQueue('fake-cli'), { connection: { url: REDIS_URL } as never, prefix: queueKeys(prefix).bull });
    cleanups.push(() => own.close());
    await eventually('the late task in its backend\'s queue', async () => (await own.getJob(late.id)) !== undefined);
    await queue.note(busy.id, 'done now');
    expect((await events.finished(late.id)).state).toBe('done');
    expect(starts.get(late.id)).toEqual(['b']);
    expect(served[0]?.bounced()).toBeLessThanOrEqual(1);
  });
});

describe('BullMQ queue: a key prefix Redis cannot carry', () => {
  const temp = new TempDirs();
  afterEach(() => temp.removeAll());

  it('is refused by the bot and a runner, naming the setting, instead of leaving the job watcher dead', async () => {
    const prefix = `${runPrefix}with space:`;
    const logged: string[] = [];
    try {
      await expect(openBullQueue({ url: REDIS_URL, prefix, secret: SECRET, log: (l) => logged.push(l) })).rejects.toThrow(/DISPATCH_REDIS_PREFIX/);
      const host = newHost(temp.make('home'));
      await expect(serveRunner({ url: REDIS_URL, prefix, secret: SECRET, host, concurrency: 1, backends: BACKENDS, log: (l) => logged.push(l) })).rejects.toThrow(/DISPATCH_REDIS_PREFIX/);
      await host.close();
      expect(logged).toEqual([]);
    } finally {
      await deleteKeys(prefix);
    }
  });
});

describe('BullMQ queue: a gateway restart', () => {
  const temp = new TempDirs();
  afterEach(() => temp.removeAll());

  it('hears, after its restart, what a runner reported while it was down (a task that finished meanwhile)', async () => {
    const prefix = newPrefix();
    const host = newHost(temp.make('home'));
    const runner = await serveRunner({ url: REDIS_URL, prefix, secret: SECRET, host, concurrency: 1, backends: BACKENDS, log: () => undefined });
    try {
      const before = await openBullQueue({ url: REDIS_URL, prefix, secret: SECRET, log: () => undefined });
      const events = new EventRecorder();
      before.subscribe(events.listener);
      const task = fakeSpec({ id: uniqueId('gateway-down'), goal: 'Wait for a note fake:items=2 fake:await-note', repo: temp.repo() });
      await before.submit(task);
      await events.next(task.id, 'plan');
      await before.note(task.id, 'finish up');
      await before.close();
      // The worker finishes with no gateway listening; the runner puts its report on the stream.
      const reported = async (): Promise<boolean> => (await admin.xrange(queueKeys(prefix).events, '-', '+')).some(([, fields]) => fields.join(' ').includes('finished'));
      await eventually('the finished report on the stream', reported);
      const after = await openBullQueue({ url: REDIS_URL, prefix, secret: SECRET, log: () => undefined });
      try {
        const heard = new EventRecorder();
        after.subscribe(heard.listener);
        expect((await heard.finished(task.id)).state).toBe('done');
      } finally {
        await after.close();
      }
    } finally {
      await runner.stop();
      await host.close({ killWorkers: true });
      await deleteKeys(prefix);
    }
  });
});

async function openAndSubmit(prefix: string, spec: ReturnType<typeof fakeSpec>): Promise<void> {
  const queue = await openBullQueue({ url: REDIS_URL, prefix, secret: SECRET, log: () => undefined });
  try {
    await queue.submit(spec);
  } finally {
    await queue.close();
  }
}
