import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunnerHost, taskPaths, type RunnerHost } from '../../src/runner/index.js';
import { EventRecorder, TempDirs, backendFor, fakeCommandFor, fakeSpec, uniqueId } from '../fixtures/fake-agent-support.js';

describe('runner host: a note for a task still waiting for a slot', () => {
  const temp = new TempDirs();
  const hosts: RunnerHost[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.close({ killWorkers: true });
    temp.removeAll();
  });

  it('is kept and is in plan.md for the worker when it starts', async () => {
    const host = createRunnerHost({ home: temp.make('home'), backendFor, commandFor: fakeCommandFor(), concurrency: 1, perBackend: {}, killGraceMs: 300 });
    hosts.push(host);
    const events = new EventRecorder();
    host.subscribe(events.listener);
    const repo = temp.repo();
    const blocker = fakeSpec({ id: uniqueId('blocker'), goal: 'Hold the only slot fake:hang', repo });
    const waiting = fakeSpec({ id: uniqueId('waiting'), goal: 'Tidy up fake:items=1 fake:await-note', repo });
    await host.submit(blocker);
    await events.next(blocker.id, 'started');
    await host.submit(waiting);
    await host.note(waiting.id, 'also fix the badge');
    await host.cancel(blocker.id);
    const finished = await events.finished(waiting.id);
    expect(finished.state).toBe('done');
    expect(readFileSync(taskPaths(repo, waiting.id).plan, 'utf8')).toContain('also fix the badge');
  });
});

describe('runner host: closing while a worktree is being made', () => {
  const temp = new TempDirs();
  afterEach(() => temp.removeAll());

  it('waits for the setup, so nothing writes into the repo after close returns', async () => {
    const host = createRunnerHost({ home: temp.make('home'), backendFor, commandFor: fakeCommandFor(), concurrency: 2, perBackend: {}, killGraceMs: 300 });
    const repo = temp.repo();
    await host.submit(fakeSpec({ id: uniqueId('closing'), goal: 'Anything fake:items=1', repo, worktree: true }));
    await host.close({ killWorkers: true });
    rmSync(repo, { recursive: true, force: true });
    // Whatever was still in flight had its chance to write; the repo must stay gone.
    await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(repo)).toBe(false);
  });
});
