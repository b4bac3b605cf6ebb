import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { TaskQueue } from '../../src/queue/port.js';
import { openRedisQueue, type RedisQueue } from '../../src/queue/redis.js';
import { queueKeys } from '../../src/queue/redis-wire.js';
import type { TaskEvent } from '../../src/task/index.js';
import { createRunnerHost, type RunnerHost } from '../../src/runner/index.js';
import { serveRunner, type ServedRunner } from '../../src/queue/redis-runner.js';
import { runQueueContract } from '../contract/queue.contract.js';
import { EventRecorder, TempDirs, backendFor, fakeCommandFor, fakeSpec, uniqueId } from '../fixtures/fake-agent-support.js';
import { REDIS_URL, redisForTests } from '../support/redis-admin.js';

const { admin, runPrefix, deleteKeys } = redisForTests('Redis queue');

const newPrefix = (): string => `${runPrefix}${randomUUID().slice(0, 8)}:`;
const newHost = (home: string): RunnerHost => createRunnerHost({ home, backendFor, commandFor: fakeCommandFor(), concurrency: 4, perBackend: {}, killGraceMs: 500 });

/** The queue the contract suite drives, whose close also stops its runner, kills its workers and deletes its keys. */
function withTeardown(queue: RedisQueue, teardown: () => Promise<void>): TaskQueue {
  return {
    submit: (spec) => queue.submit(spec),
    subscribe: (listener) => queue.subscribe(listener),
    cancel: (id) => queue.cancel(id),
    answer: (id, seq, text) => queue.answer(id, seq, text),
    note: (id, text) => queue.note(id, text),
    logs: (id, lines) => queue.logs(id, lines),
    removeWorktree: (target) => queue.removeWorktree(target),
    pushBranch: (target, opts) => queue.pushBranch(target, opts),
    close: async () => {
      await queue.close();
      await teardown();
    },
  };
}

runQueueContract('RedisQueue + serveRunner', async (home) => {
  const prefix = newPrefix();
  const host = newHost(home);
  const runner = await serveRunner({ url: REDIS_URL, prefix, host, capacity: 4, log: () => undefined });
  const queue = await openRedisQueue({ url: REDIS_URL, prefix });
  return withTeardown(queue, async () => {
    await runner.stop();
    await host.close({ killWorkers: true });
    await deleteKeys(prefix);
  });
});

/** Which runner host started each task, recorded on the hosts themselves. */
function startsOn(host: RunnerHost, into: Map<string, string[]>, name: string): void {
  host.subscribe((e: TaskEvent) => {
    if (e.type === 'started') into.set(e.taskId, [...(into.get(e.taskId) ?? []), name]);
  });
}

describe('RedisQueue with several runner hosts', () => {
  const temp = new TempDirs();
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    temp.removeAll();
  });

  async function rig() {
    const prefix = newPrefix();
    cleanups.push(() => deleteKeys(prefix));
    const queue = await openRedisQueue({ url: REDIS_URL, prefix, commandTimeoutMs: 20_000 });
    cleanups.push(() => queue.close());
    const events = new EventRecorder();
    queue.subscribe(events.listener);
    const repo = temp.repo();
    const starts = new Map<string, string[]>();
    const runner = async (name: string, capacity: number, hostId?: string) => {
      const host = newHost(temp.make(`home-${name}`));
      startsOn(host, starts, name);
      const served: ServedRunner = await serveRunner({ url: REDIS_URL, prefix, host, capacity, ...(hostId ? { hostId } : {}), log: () => undefined });
      cleanups.push(async () => {
        await served.stop();
        await host.close({ killWorkers: true });
      });
      return { host, served };
    };
    const spec = (stem: string, goal: string) => fakeSpec({ id: uniqueId(stem), goal, repo });
    return { prefix, queue, events, starts, runner, spec, repo };
  }

  it('shares the work: with capacity 1 each, two waiting tasks run on different runners and a third waits for a free one', async () => {
    const { queue, events, starts, runner, spec } = await rig();
    await runner('a', 1);
    await runner('b', 1);
    const first = spec('share-1', 'Pick storage fake:ask=Which database?');
    const second = spec('share-2', 'Pick a cache fake:ask=Which cache?');
    const third = spec('share-3', 'Tidy up fake:items=1');
    await queue.submit(first);
    await queue.submit(second);
    // Both ask and wait: only two runners of capacity 1 can have both waiting at once.
    await events.next(first.id, 'question');
    await events.next(second.id, 'question');
    expect(new Set([...(starts.get(first.id) ?? []), ...(starts.get(second.id) ?? [])])).toEqual(new Set(['a', 'b']));
    await queue.submit(third);
    // Each answer goes to the runner that owns the task; the freed slot then takes the third task.
    await queue.answer(first.id, '001', 'Postgres');
    await queue.answer(second.id, '001', 'Redis');
    expect((await events.finished(first.id)).summary).toContain('Answer to 001: Postgres');
    expect((await events.finished(second.id)).summary).toContain('Answer to 001: Redis');
    expect((await events.finished(third.id)).state).toBe('done');
    for (const task of [first, second, third]) {
      expect(starts.get(task.id), `${task.id} started once`).toHaveLength(1);
      expect(events.of(task.id, 'finished')).toHaveLength(1);
    }
    const at = (id: string, type: TaskEvent['type']) => events.events.findIndex((e) => e.taskId === id && e.type === type);
    expect(at(third.id, 'started')).toBeGreaterThan(Math.min(at(first.id, 'finished'), at(second.id, 'finished')));
  });

  it('routes notes and logs to the owning runner, and names the task when it is unknown or its runner is gone', async () => {
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
    // Each log lives only under its own runner's home: a misrouted call would find none.
    expect(await queue.logs(ranOnA.id, 50)).toContain(ranOnA.id);
    expect(await queue.logs(ranOnB.id, 50)).toContain(ranOnB.id);

    await expect(queue.logs('no-such-task', 5)).rejects.toThrow(/no-such-task/);
    await expect(queue.answer('no-such-task', '001', 'yes')).rejects.toThrow(/no-such-task/);
    await a.served.stop();
    await expect(queue.logs(ranOnA.id, 5)).rejects.toThrow(new RegExp(`${ranOnA.id}.*gone`));
    expect(await queue.logs(ranOnB.id, 50)).toContain(ranOnB.id);
  });

  it('resumes a task that gave up on the runner that holds its worktree, and removes the worktree there', async () => {
    const { queue, events, starts, runner, repo } = await rig();
    await runner('a', 1);
    await runner('b', 1);
    const task = fakeSpec({ id: uniqueId('resume'), goal: 'Change then ask fake:items=2 fake:ask=Which API? fake:giveup fake:wait=150', repo, worktree: true });
    await queue.submit(task);
    const first = await events.next(task.id, 'started');
    await events.next(task.id, 'gave-up');
    await queue.answer(task.id, '001', 'REST');
    await queue.submit({ ...task, resume: true });
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('done');
    expect(finished.summary).toContain('Answer: REST');
    const owner = starts.get(task.id)?.[0];
    expect(starts.get(task.id)).toEqual([owner, owner]);
    expect(events.of(task.id, 'started')[1]?.dir).toBe(first.dir);
    const tree = finished.worktree;
    expect(tree?.path).toBe(first.dir);
    if (!tree) return;
    const result = await queue.removeWorktree({ taskId: task.id, repo, path: tree.path, branch: tree.branch });
    expect(result.removed).toBe(true);
    expect(existsSync(tree.path)).toBe(false);
  });

  it('leaves the specs a stopped runner never took for another runner, and cancels one still waiting', async () => {
    const { prefix, queue, events, starts, runner, spec } = await rig();
    const a = await runner('a', 1);
    const busy = spec('stop-busy', 'Pick storage fake:ask=Which database?');
    await queue.submit(busy);
    await events.next(busy.id, 'question');
    const kept = [spec('stop-w1', 'One fake:items=1'), spec('stop-w2', 'Two fake:items=1')];
    const dropped = spec('stop-w3', 'Three fake:items=1');
    for (const task of [...kept, dropped]) await queue.submit(task);
    await a.served.stop();
    expect(await admin.llen(queueKeys(prefix).work)).toBe(3);

    await queue.cancel(dropped.id);
    expect((await events.finished(dropped.id)).state).toBe('cancelled');

    await runner('b', 2);
    for (const task of kept) expect((await events.finished(task.id)).state).toBe('done');
    expect(kept.map((t) => starts.get(t.id))).toEqual([['b'], ['b']]);
    expect(starts.get(dropped.id)).toBeUndefined();
    expect(starts.get(busy.id)).toEqual(['a']);
    expect(await admin.llen(queueKeys(prefix).work)).toBe(0);
  });

  it('puts back a spec a runner had taken but not started, so the next start of that runner runs it', async () => {
    const { prefix, queue, events, starts, runner, spec } = await rig();
    const keys = queueKeys(prefix);
    const orphan = spec('taken', 'Finish what was left fake:items=1');
    // What a runner that died between taking and starting leaves behind.
    await admin.lpush(keys.taken('host-x'), JSON.stringify(orphan));
    const x = await runner('x', 1, 'host-x');
    expect((await events.finished(orphan.id)).state).toBe('done');
    expect(await x.served.owned()).toEqual([orphan.id]);
    expect(starts.get(orphan.id)).toEqual(['x']);
    expect(await admin.llen(keys.taken('host-x'))).toBe(0);
    await expect(queue.logs(orphan.id, 50)).resolves.toContain(orphan.id);
  });

  it('reclaims the specs a runner that died had taken but not started, and leaves a live runner\'s alone', async () => {
    const { prefix, events, starts, runner, spec } = await rig();
    const keys = queueKeys(prefix);
    const orphan = spec('dead', 'Finish what was left fake:items=1');
    const held = spec('held', 'Not yours fake:items=1');
    // A runner that died leaves its list and no listener; a live one listens on its channel.
    await admin.lpush(keys.taken('dead-host'), JSON.stringify(orphan));
    const listener = new Redis(REDIS_URL);
    cleanups.push(async () => void (await listener.quit()));
    await listener.subscribe(keys.commands('busy-host'));
    await admin.lpush(keys.taken('busy-host'), JSON.stringify(held));
    await runner('fresh', 1);
    expect((await events.finished(orphan.id)).state).toBe('done');
    expect(starts.get(orphan.id)).toEqual(['fresh']);
    expect(await admin.llen(keys.taken('dead-host'))).toBe(0);
    expect(await admin.lrange(keys.taken('busy-host'), 0, -1)).toEqual([JSON.stringify(held)]);
    expect(starts.get(held.id)).toBeUndefined();
  });
});
