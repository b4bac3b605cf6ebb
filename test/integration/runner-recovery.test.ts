import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunnerHost, type RunnerHost } from '../../src/runner/index.js';
import { taskPaths, workerRecordPath } from '../../src/runner/paths.js';
import { EventRecorder, TempDirs, backendFor, fakeCommandFor, fakeSpec, processRuns, processesOfTask, uniqueId, type FakeSpecOptions } from '../fixtures/fake-agent-support.js';

/**
 * A host object thrown away mid-task stands for a bot that died: its workers run on (they write
 * to a log file, not a pipe to the bot), and a new host on the same DISPATCH_HOME takes over.
 */
describe('runner host: restart recovery', () => {
  const temp = new TempDirs();
  const hosts: RunnerHost[] = [];
  const homes: string[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.close({ killWorkers: true });
    // Whatever a failed test left running under a closed host: every recorded worker goes.
    for (const home of homes.splice(0)) {
      const sweeper = createRunnerHost({ home, backendFor, commandFor: fakeCommandFor(), concurrency: 1, perBackend: {}, killGraceMs: 100 });
      await sweeper.reapOrphans([]);
      await sweeper.close();
    }
    temp.removeAll();
  });

  function setup() {
    const home = temp.make('home');
    homes.push(home);
    const repo = temp.repo();
    const open = (concurrency = 4) => {
      const host = createRunnerHost({ home, backendFor, commandFor: fakeCommandFor(), concurrency, perBackend: {}, killGraceMs: 300, pollMs: 100 });
      hosts.push(host);
      const events = new EventRecorder();
      host.subscribe(events.listener);
      return { host, events };
    };
    const spec = (stem: string, goal: string, more: Partial<FakeSpecOptions> = {}) => fakeSpec({ id: uniqueId(stem), goal, repo, ...more });
    return { home, open, spec };
  }

  it('re-adopts a live worker: its open question is surfaced again, the answer reaches it, the task finishes', async () => {
    const { open, spec } = setup();
    const before = open();
    const task = spec('adopt', 'Pick storage fake:items=3 fake:ask=Which bucket?', { worktree: true });
    await before.host.submit(task);
    const started = await before.events.next(task.id, 'started');
    await before.events.next(task.id, 'question');
    await before.host.close();
    expect(processRuns(started.pid)).toBe(true);

    const after = open();
    await after.host.recover([{ spec: task }]);
    const again = await after.events.next(task.id, 'question');
    expect(again).toMatchObject({ seq: '001', text: 'Which bucket?' });
    expect(after.host.activeTaskIds()).toContain(task.id);
    await after.host.answer(task.id, '001', 'assets-eu');
    const finished = await after.events.finished(task.id);
    expect(finished).toMatchObject({ state: 'done', exitCode: null });
    expect(finished.summary).toContain('Answer to 001: assets-eu');
    expect(finished.worktree?.branch).toBe(`dispatch/${task.id}`);
    expect(after.events.of(task.id, 'plan').at(-1)?.items.every((i) => i.mark === 'done')).toBe(true);
    expect(processRuns(started.pid)).toBe(false);
    expect(before.events.of(task.id, 'finished')).toHaveLength(0);
  });

  it('counts a re-adopted worker against the concurrency limit', async () => {
    const { open, spec } = setup();
    const before = open();
    const running = spec('adopted-slot', 'Hold fake:items=2 fake:ask=Continue?');
    await before.host.submit(running);
    await before.events.next(running.id, 'question');
    await before.host.close();

    const after = open(1);
    await after.host.recover([{ spec: running }]);
    await after.events.next(running.id, 'question');
    const next = spec('after-adopted', 'Next fake:items=1');
    await after.host.submit(next);
    expect((await after.events.next(next.id, 'activity')).text).toMatch(/^Queued/);
    await after.host.answer(running.id, '001', 'go on');
    expect((await after.events.finished(next.id)).state).toBe('done');
    const order = after.events.events.filter((e) => e.type === 'finished' || e.type === 'started').map((e) => `${e.type}:${e.taskId}`);
    expect(order).toEqual([`finished:${running.id}`, `started:${next.id}`, `finished:${next.id}`]);
  });

  it('starts a task that was submitted but whose worker never started (the bot stopped first)', async () => {
    const { open, spec } = setup();
    const task = spec('never-started', 'Tidy the changelog fake:items=2', { worktree: true });
    const after = open();
    await after.host.recover([{ spec: task, queued: true }]);
    // Not 'interrupted': nothing of it ever ran.
    expect((await after.events.finished(task.id)).state).toBe('done');
    expect(after.events.of(task.id, 'started')).toHaveLength(1);
  });

  it('adopts a worker that was started but never recorded (the bot stopped in between), and does not start another', async () => {
    const { home, open, spec } = setup();
    const before = open();
    const task = spec('unrecorded', 'Pick a broker fake:items=2 fake:ask=NATS or Kafka?');
    await before.host.submit(task);
    const started = await before.events.next(task.id, 'started');
    await before.events.next(task.id, 'question');
    await before.host.close();
    // As if the bot had died between starting the worker and recording it.
    rmSync(taskPaths(started.dir, task.id).worker);
    rmSync(workerRecordPath(home, 'local', task.id));

    const after = open();
    await after.host.recover([{ spec: task, queued: true }]);
    expect((await after.events.next(task.id, 'started')).pid).toBe(started.pid);
    await after.events.next(task.id, 'question');
    await after.host.answer(task.id, '001', 'NATS');
    expect((await after.events.finished(task.id)).state).toBe('done');
    expect(after.events.of(task.id, 'started')).toHaveLength(1);
  });

  it('reports a task whose worker is gone as interrupted', async () => {
    const { open, spec } = setup();
    const before = open();
    const task = spec('gone', 'Run fake:hang');
    await before.host.submit(task);
    const started = await before.events.next(task.id, 'started');
    await before.events.next(task.id, 'plan');
    await before.host.close();
    process.kill(-started.pid, 'SIGKILL');
    await waitUntil(() => !processRuns(started.pid));

    const after = open();
    await after.host.recover([{ spec: task }]);
    const finished = await after.events.finished(task.id);
    expect(finished.state).toBe('interrupted');
  });

  it('a task that gave up before the restart surfaces its question again and resumes on the answer', async () => {
    const { open, spec } = setup();
    const before = open();
    const task = spec('blocked', 'Decide fake:items=2 fake:ask=Ship it? fake:giveup fake:wait=100');
    await before.host.submit(task);
    const started = await before.events.next(task.id, 'started');
    await before.events.next(task.id, 'gave-up');
    await waitUntil(() => !processRuns(started.pid));
    await before.host.close();

    const after = open();
    await after.host.recover([{ spec: task }]);
    await after.events.next(task.id, 'question', (q) => q.seq === '001');
    await after.events.next(task.id, 'gave-up');
    await after.host.answer(task.id, '001', 'yes');
    await after.host.submit({ ...task, resume: true });
    const finished = await after.events.finished(task.id);
    expect(finished.state).toBe('done');
    expect(finished.summary).toContain('Answer: yes');
  });

  it('reaps orphaned workers of tasks nobody knows, and leaves known ones running', async () => {
    const { home, open, spec } = setup();
    const before = open();
    const known = spec('known', 'Stay fake:hang');
    const orphan = spec('orphan', 'Linger fake:hang fake:ignore-term fake:grandchild');
    await before.host.submit(known);
    await before.host.submit(orphan);
    const knownStarted = await before.events.next(known.id, 'started');
    const orphanStarted = await before.events.next(orphan.id, 'started');
    await before.events.next(orphan.id, 'plan');
    await before.host.close();

    const after = open();
    expect(await after.host.reapOrphans([known.id])).toEqual([orphan.id]);
    expect(processRuns(orphanStarted.pid)).toBe(false);
    expect(processesOfTask(orphan.id)).toEqual([]);
    expect(existsSync(join(home, 'workers', 'local', `${orphan.id}.json`))).toBe(false);
    expect(processRuns(knownStarted.pid)).toBe(true);

    await after.host.recover([{ spec: known }]);
    await after.host.cancel(known.id);
    expect(processRuns(knownStarted.pid)).toBe(false);
    expect((await after.events.finished(known.id)).state).toBe('cancelled');
  });
});

/** Poll a condition about the outside world (a process exiting); bounded by the test timeout. */
async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
