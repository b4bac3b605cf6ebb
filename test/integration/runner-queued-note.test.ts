import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunnerHost, taskPaths, worktreePath, type RunnerHost } from '../../src/runner/index.js';
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
    const task = fakeSpec({ id: uniqueId('closing'), goal: 'Anything fake:items=1', repo, worktree: true });
    await host.submit(task);
    await host.close({ killWorkers: true });
    // Nothing is still at work in the repo: no git (nor anything else) runs there…
    expect(processesIn(repo)).toEqual([]);
    // …and a worktree begun before close is whole: registered with git and checked out.
    const tree = worktreePath(repo, task.id);
    if (existsSync(tree)) {
      expect(execFileSync('git', ['worktree', 'list', '--porcelain'], { cwd: repo, encoding: 'utf8' })).toContain(`worktree ${tree}`);
      expect(existsSync(join(tree, 'README.md'))).toBe(true);
    }
  });
});

/** Processes whose working directory is inside `dir`. */
function processesIn(dir: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`).startsWith(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}
