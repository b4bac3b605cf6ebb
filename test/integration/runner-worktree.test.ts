import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunnerHost, worktreePath, type RunnerHost } from '../../src/runner/index.js';
import { EventRecorder, TempDirs, agentStarts, backendFor, fakeCommandFor, fakeSpec, uniqueId, type FakeSpecOptions } from '../fixtures/fake-agent-support.js';

const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' });

describe('runner host: tasks in their own git worktrees', () => {
  const temp = new TempDirs();
  const hosts: RunnerHost[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.close({ killWorkers: true });
    temp.removeAll();
  });

  function setup() {
    const home = temp.make('home');
    const agentLog = join(home, 'agent-starts.jsonl');
    const host = createRunnerHost({ home, backendFor, commandFor: fakeCommandFor(agentLog), concurrency: 4, perBackend: {}, killGraceMs: 300 });
    hosts.push(host);
    const events = new EventRecorder();
    host.subscribe(events.listener);
    const repo = temp.repo();
    const spec = (stem: string, goal: string, more: Partial<FakeSpecOptions> = {}) => fakeSpec({ id: uniqueId(stem), goal, repo, worktree: true, ...more });
    return { host, events, repo, agentLog, spec };
  }

  it('parallel worktree tasks on one repo never share a directory and report branch, commits and diffstat', async () => {
    const { host, events, repo, agentLog, spec } = setup();
    const tasks = [spec('wt-sec', 'Audit fake:items=2 fake:commit=1'), spec('wt-perf', 'Profile fake:items=2 fake:commit=2'), spec('wt-err', 'Errors fake:items=2 fake:commit=3', { backend: 'claude' })];
    await Promise.all(tasks.map((t) => host.submit(t)));
    const finished = await Promise.all(tasks.map((t) => events.finished(t.id)));

    const dirs = await Promise.all(tasks.map(async (t) => (await events.next(t.id, 'started')).dir));
    expect(new Set(dirs).size).toBe(3);
    tasks.forEach((t, i) => expect(dirs[i]).toBe(worktreePath(repo, t.id)));
    const cwds = agentStarts(agentLog).map((s) => s.cwd);
    expect(new Set(cwds)).toEqual(new Set(dirs));

    finished.forEach((f, i) => {
      const task = tasks[i];
      if (!task) throw new Error('no task');
      expect(f.state).toBe('done');
      expect(f.worktree).toMatchObject({ branch: `dispatch/${task.id}`, path: worktreePath(repo, task.id), commits: i + 1 });
      expect(f.worktree?.diffstat).toContain(`fake-${task.id}-1.txt`);
      expect(f.worktree?.diffstat).toContain(`${i + 1} file${i === 0 ? '' : 's'} changed`);
    });
    // The main checkout is untouched and `.dispatch/` (task files, worktrees) is not noise in git status.
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(git(repo, 'log', '--oneline', 'main')).toMatch(/^\S+ initial\n$/);
    for (const t of tasks) expect(git(worktreePath(repo, t.id), 'status', '--porcelain')).toBe('');
  });

  it('refuses a task whose branch already exists with a clear failure, and keeps serving', async () => {
    const { host, events, repo, spec } = setup();
    const clash = spec('clash', 'Anything fake:items=1');
    git(repo, 'branch', `dispatch/${clash.id}`);
    await host.submit(clash);
    const finished = await events.finished(clash.id);
    expect(finished.state).toBe('failed');
    expect(finished.logTail).toContain(`branch dispatch/${clash.id} already exists`);
    // Not a CLI failure: no other model would help, so none is named.
    expect(finished.failure).toBeUndefined();
    expect(events.of(clash.id, 'started')).toHaveLength(0);

    const next = spec('after-clash', 'Still works fake:items=1');
    await host.submit(next);
    expect((await events.finished(next.id)).state).toBe('done');
  });

  it('a resumed task continues in the same worktree on the same branch', async () => {
    const { host, events, repo, spec } = setup();
    const task = spec('wt-resume', 'Change then ask fake:items=3 fake:ask=Which API? fake:giveup fake:wait=150');
    await host.submit(task);
    const first = await events.next(task.id, 'started');
    await events.next(task.id, 'gave-up');
    await host.answer(task.id, '001', 'REST');
    await host.submit({ ...task, resume: true });
    const finished = await events.finished(task.id);
    const starts = events.of(task.id, 'started');
    expect(starts).toHaveLength(2);
    expect(starts[1]?.dir).toBe(first.dir);
    expect(starts[1]?.branch).toBe(`dispatch/${task.id}`);
    expect(finished.state).toBe('done');
    expect(finished.worktree?.path).toBe(worktreePath(repo, task.id));
    expect(git(repo, 'worktree', 'list')).toContain(worktreePath(repo, task.id));
  });

  it('never takes a branch or directory name from a bad task id', async () => {
    const { host, spec } = setup();
    const good = spec('fine', 'x');
    for (const id of ['-rm-rf', 'UPPER', 'a..b', '../escape', 'has space']) {
      await expect(host.submit({ ...good, id })).rejects.toThrow();
    }
  });
});
