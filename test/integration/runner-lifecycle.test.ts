import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunnerHost, taskPaths, type RunnerHost, type RunnerHostOptions } from '../../src/runner/index.js';
import { eventually } from '../support/eventually.js';
import { ManualClock } from '../support/manual-clock.js';
import { EventRecorder, TempDirs, backendFor, fakeCommandFor, fakeSpec, processRuns, processesOfTask, uniqueId, type FakeSpecOptions } from '../fixtures/fake-agent-support.js';

describe('runner host: cancel, timeout, leftovers and concurrency', () => {
  const temp = new TempDirs();
  const hosts: RunnerHost[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.close({ killWorkers: true });
    temp.removeAll();
  });

  function setup(limits: Partial<RunnerHostOptions> = {}) {
    const host = createRunnerHost({ home: temp.make('home'), backendFor, commandFor: fakeCommandFor(), concurrency: 4, perBackend: {}, killGraceMs: 300, ...limits });
    hosts.push(host);
    const events = new EventRecorder();
    host.subscribe(events.listener);
    const repo = temp.repo();
    const spec = (stem: string, goal: string, more: Partial<FakeSpecOptions> = {}) => fakeSpec({ id: uniqueId(stem), goal, repo, ...more });
    return { host, events, spec };
  }

  /** The host forgets a run once its end is settled, a moment after the finished event. */
  const eventuallyRejects = async (call: () => Promise<unknown>): Promise<unknown> => {
    for (;;) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      if (error) return error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const grandchildOf = (repo: string, id: string): number => Number(readFileSync(join(taskPaths(repo, id).root, 'grandchild.pid'), 'utf8'));

  it('cancel kills the whole tree: a worker ignoring SIGTERM and its grandchild that left the group', async () => {
    const { host, events, spec } = setup();
    const task = spec('cancel-tree', 'Serve forever fake:ignore-term fake:grandchild fake:hang');
    await host.submit(task);
    const started = await events.next(task.id, 'started');
    await events.next(task.id, 'plan');
    const grandchild = grandchildOf(task.repo.path, task.id);
    expect(processRuns(started.pid)).toBe(true);
    expect(processRuns(grandchild)).toBe(true);

    await host.cancel(task.id);
    expect(processRuns(started.pid)).toBe(false);
    expect(processRuns(grandchild)).toBe(false);
    expect(processesOfTask(task.id)).toEqual([]);
    expect((await events.finished(task.id)).state).toBe('cancelled');
  });

  it('a timeout ends the task as timed out and leaves no process behind', async () => {
    // The timeout falls due when the test moves the clock: once the worker has started its grandchild.
    const clock = new ManualClock();
    const { host, events, spec } = setup({ clock });
    const task = spec('timeout-tree', 'Hang fake:ignore-term fake:grandchild fake:hang', { timeoutMs: 30 * 60_000 });
    await host.submit(task);
    const started = await events.next(task.id, 'started');
    await events.next(task.id, 'plan');
    const grandchild = grandchildOf(task.repo.path, task.id);
    expect(processRuns(grandchild)).toBe(true);
    await eventually('the timeout armed', () => clock.pending > 0);
    clock.advance(30 * 60_000);
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('timed_out');
    expect(processRuns(started.pid)).toBe(false);
    expect(processRuns(grandchild)).toBe(false);
    expect(processesOfTask(task.id)).toEqual([]);
  });

  it('a worker that finishes but leaves a grandchild running does not leave it behind', async () => {
    const { host, events, spec } = setup();
    const task = spec('leftover', 'Start a daemon fake:items=1 fake:grandchild');
    await host.submit(task);
    await events.next(task.id, 'plan');
    const grandchild = grandchildOf(task.repo.path, task.id);
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('done');
    expect(processRuns(grandchild)).toBe(false);
  });

  it('forgets a finished run (nothing of it is kept), but keeps one still waiting for its answer', async () => {
    const { host, events, spec } = setup();
    const done = spec('forget-done', 'Small job fake:items=1');
    await host.submit(done);
    expect((await events.finished(done.id)).state).toBe('done');
    // Notes reach only tasks the host still holds: a finished one is unknown to it now.
    await expect(eventuallyRejects(() => host.note(done.id, 'late'))).resolves.toMatchObject({ code: 'unknown_task' });
    const blocked = spec('forget-blocked', 'Ask then give up fake:items=2 fake:ask=Which?');
    await host.submit(blocked);
    await events.next(blocked.id, 'question');
    await host.note(blocked.id, 'still here');
  });

  it('holds a task queued while the host is full and starts it when a slot frees', async () => {
    const { host, events, spec } = setup({ concurrency: 1 });
    const first = spec('slot-a', 'Wait for me fake:items=2 fake:ask=Ready?');
    const second = spec('slot-b', 'Then me fake:items=1');
    await host.submit(first);
    await events.next(first.id, 'question');
    await host.submit(second);
    const queued = await events.next(second.id, 'activity');
    expect(queued.text).toMatch(/^Queued/);
    expect(events.of(second.id, 'started')).toHaveLength(0);
    await host.answer(first.id, '001', 'yes');
    await events.finished(second.id);
    const order = events.events.filter((e) => e.type === 'finished' || e.type === 'started').map((e) => `${e.type}:${e.taskId}`);
    expect(order).toEqual([`started:${first.id}`, `finished:${first.id}`, `started:${second.id}`, `finished:${second.id}`]);
  });

  it('limits workers per backend while other backends keep running', async () => {
    const { host, events, spec } = setup({ concurrency: 4, perBackend: { 'fake-cli': 1 } });
    const busy = spec('be-busy', 'Hold the slot fake:items=2 fake:ask=Go?');
    const waiting = spec('be-wait', 'Same backend fake:items=1');
    const other = spec('be-other', 'Other backend fake:items=1', { backend: 'claude' });
    await host.submit(busy);
    await events.next(busy.id, 'question');
    await host.submit(waiting);
    await host.submit(other);
    expect((await events.next(waiting.id, 'activity')).text).toContain('fake-cli');
    expect((await events.finished(other.id)).state).toBe('done');
    expect(events.of(waiting.id, 'started')).toHaveLength(0);
    await host.answer(busy.id, '001', 'go');
    expect((await events.finished(waiting.id)).state).toBe('done');
  });

  it('cancelling a queued task finishes it as cancelled without ever starting a worker', async () => {
    const { host, events, spec } = setup({ concurrency: 1 });
    const first = spec('q-hold', 'Hold fake:items=2 fake:ask=Ok?');
    const second = spec('q-drop', 'Never runs fake:items=1');
    await host.submit(first);
    await events.next(first.id, 'question');
    await host.submit(second);
    await host.cancel(second.id);
    expect((await events.finished(second.id)).state).toBe('cancelled');
    // A third task queued behind the cancelled one: once it has run, the slot order is settled.
    const third = spec('q-after', 'Runs after fake:items=1');
    await host.submit(third);
    await host.answer(first.id, '001', 'ok');
    expect((await events.finished(third.id)).state).toBe('done');
    expect(events.of(second.id, 'started')).toHaveLength(0);
    expect(events.of(second.id, 'finished')).toHaveLength(1);
  });
});
