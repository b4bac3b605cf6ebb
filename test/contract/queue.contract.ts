import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskQueue } from '../../src/queue/port.js';
import { EventRecorder, TempDirs, fakeSpec, processRuns, uniqueId, type FakeSpecOptions } from '../fixtures/fake-agent-support.js';

/**
 * What every TaskQueue must do, as a user of the bot would notice it: a task runs and reports
 * its plan and result, a question reaches the requester and the answer reaches the worker, a
 * note reaches the worker, cancel stops the worker, and the log can be read.
 *
 * `make(home)` returns a queue whose runner host keeps its state under `home` and runs the fake
 * agent CLIs (test/fixtures/bin) found through the worker command's PATH.
 */
export function runQueueContract(name: string, make: (home: string) => Promise<TaskQueue>): void {
  describe(`TaskQueue contract: ${name}`, () => {
    const temp = new TempDirs();
    const queues: TaskQueue[] = [];
    afterEach(async () => {
      for (const q of queues.splice(0)) await q.close();
      temp.removeAll();
    });

    async function setup() {
      const home = temp.make('home');
      const queue = await make(home);
      queues.push(queue);
      const events = new EventRecorder();
      queue.subscribe(events.listener);
      const repo = temp.repo();
      const spec = (stem: string, goal: string, more: Partial<FakeSpecOptions> = {}) => fakeSpec({ id: uniqueId(stem), goal, repo, ...more });
      return { queue, events, spec, home };
    }

    it('runs a task: started, its plan checked off, finished done with the output summary', async () => {
      const { queue, events, spec } = await setup();
      const task = spec('plain', 'Tidy the README fake:items=3');
      await queue.submit(task);
      const started = await events.next(task.id, 'started');
      expect(started.dir).toBe(task.repo.path);
      const finished = await events.finished(task.id);
      expect(finished.state).toBe('done');
      expect(finished.exitCode).toBe(0);
      expect(finished.summary).toContain(`finished 3 steps of ${task.id}`);
      const plans = events.of(task.id, 'plan');
      expect(plans.at(-1)?.items.map((i) => i.mark)).toEqual(['done', 'done', 'done']);
      expect(events.events.findIndex((e) => e.taskId === task.id && e.type === 'started')).toBeLessThan(events.events.indexOf(finished));
    });

    it('surfaces a question and delivers the answer to the waiting worker', async () => {
      const { queue, events, spec } = await setup();
      const task = spec('ask', 'Set up storage fake:ask=Which database?');
      await queue.submit(task);
      const question = await events.next(task.id, 'question');
      expect(question).toMatchObject({ seq: '001', text: 'Which database?' });
      await queue.answer(task.id, '001', 'Postgres, please');
      await events.next(task.id, 'answered', (e) => e.seq === '001');
      const finished = await events.finished(task.id);
      expect(finished.state).toBe('done');
      expect(finished.summary).toContain('Answer to 001: Postgres, please');
      expect(events.of(task.id, 'question')).toHaveLength(1);
    });

    it('appends a note to the plan that the running worker reads', async () => {
      const { queue, events, spec } = await setup();
      const task = spec('note', 'Write docs fake:await-note');
      await queue.submit(task);
      await events.next(task.id, 'plan');
      await queue.note(task.id, 'Use British spelling');
      await events.next(task.id, 'note', (e) => e.text === 'Use British spelling');
      const finished = await events.finished(task.id);
      expect(finished.state).toBe('done');
      expect(finished.summary).toContain('Notes read: Use British spelling');
    });

    it('cancels a running worker: finished cancelled and its process gone once cancel resolves', async () => {
      const { queue, events, spec } = await setup();
      const task = spec('cancel', 'Run forever fake:hang');
      await queue.submit(task);
      const started = await events.next(task.id, 'started');
      await events.next(task.id, 'plan');
      await queue.cancel(task.id);
      const finished = await events.finished(task.id);
      expect(finished.state).toBe('cancelled');
      expect(processRuns(started.pid)).toBe(false);
    });

    it('cancels a task still waiting for a free worker slot: finished cancelled, never started', async () => {
      const { queue, events, spec } = await setup();
      // Every contract queue runs 4 workers at once: the fifth task waits.
      const busy = [1, 2, 3, 4].map((n) => spec(`busy-${n}`, 'Run forever fake:hang'));
      for (const task of busy) await queue.submit(task);
      for (const task of busy) await events.next(task.id, 'plan');
      const waiting = spec('waiting', 'Never starts fake:items=1');
      await queue.submit(waiting);
      await queue.cancel(waiting.id);
      expect((await events.finished(waiting.id)).state).toBe('cancelled');
      for (const task of busy) await queue.cancel(task.id);
      for (const task of busy) expect((await events.finished(task.id)).state).toBe('cancelled');
      expect(events.of(waiting.id, 'started')).toHaveLength(0);
      expect(events.of(waiting.id, 'finished')).toHaveLength(1);
    });

    it('resumes a task whose worker gave up waiting, in the same worktree, with the answer', async () => {
      const { queue, events, spec } = await setup();
      const task = spec('resume', 'Change then ask fake:items=2 fake:ask=Which API? fake:giveup fake:wait=150', { worktree: true });
      await queue.submit(task);
      const first = await events.next(task.id, 'started');
      await events.next(task.id, 'gave-up');
      await queue.answer(task.id, '001', 'REST');
      await queue.submit({ ...task, resume: true });
      const finished = await events.finished(task.id);
      expect(finished.state).toBe('done');
      expect(finished.summary).toContain('Answer: REST');
      expect(events.of(task.id, 'started').map((e) => e.dir)).toEqual([first.dir, first.dir]);
    });

    it("removes a finished task's worktree on the host that holds it, and keeps one with uncommitted changes", async () => {
      const { queue, events, spec } = await setup();
      const clean = spec('rm-clean', 'Change a file fake:items=1 fake:commit=1', { worktree: true });
      const dirty = spec('rm-dirty', 'Leave a mess fake:items=1 fake:dirty', { worktree: true });
      await queue.submit(clean);
      await queue.submit(dirty);
      for (const task of [clean, dirty]) {
        const tree = (await events.finished(task.id)).worktree;
        if (!tree) throw new Error(`no worktree report for ${task.id}`);
        const result = await queue.removeWorktree({ taskId: task.id, repo: task.repo.path, path: tree.path, branch: tree.branch });
        expect(result.removed, result.message).toBe(task === clean);
        expect(existsSync(tree.path)).toBe(task !== clean);
      }
    });

    it('removes the log and task folder of finished tasks, and gives back an empty worktree; work and a live task keep theirs', async () => {
      const { queue, events, spec, home } = await setup();
      const inRepo = spec('old-repo', 'Tidy fake:items=1');
      const inTree = spec('old-tree', 'Look around fake:items=1', { worktree: true });
      const committed = spec('old-commit', 'Change a file fake:items=1 fake:commit=1', { worktree: true });
      const dirty = spec('old-dirty', 'Leave a mess fake:items=1 fake:dirty', { worktree: true });
      const live = spec('live', 'Ask first fake:ask=Which one?');
      const all = [inRepo, inTree, committed, dirty, live];
      for (const task of all) await queue.submit(task);
      const dirs = new Map<string, string>();
      for (const task of all) dirs.set(task.id, (await events.next(task.id, 'started')).dir);
      const trees = new Map<string, { path: string; branch: string }>();
      for (const task of [inRepo, inTree, committed, dirty]) {
        const tree = (await events.finished(task.id)).worktree;
        if (tree) trees.set(task.id, tree);
      }
      await events.next(live.id, 'question');
      const files = (task: { id: string }) => ({ log: join(home, 'logs', `${task.id}.log`), folder: join(dirs.get(task.id) ?? '', '.dispatch', 'tasks', task.id) });
      for (const task of all) expect(existsSync(files(task).log) && existsSync(files(task).folder), task.id).toBe(true);

      // Every worktree offered back as if empty: the runner itself keeps one with commits or changes.
      const removed = await queue.removeTaskFiles(all.map((task) => {
        const tree = trees.get(task.id);
        return { taskId: task.id, repo: task.repo.path, dir: dirs.get(task.id) ?? '', ...(tree ? { emptyWorktree: tree } : {}) };
      }));
      expect(removed).toMatchObject({ logs: 4, folders: 4, worktrees: 1, later: 0 });
      expect(removed.bytes).toBeGreaterThan(0);
      for (const task of [inRepo, inTree, committed, dirty]) expect(existsSync(files(task).log) || existsSync(files(task).folder), task.id).toBe(false);
      expect(existsSync(trees.get(inTree.id)?.path ?? '')).toBe(false);
      for (const task of [committed, dirty]) expect(existsSync(trees.get(task.id)?.path ?? ''), task.id).toBe(true);
      // A task of that id runs again (a new task took the id): its files are its own.
      expect(existsSync(files(live).log) && existsSync(files(live).folder)).toBe(true);
    });

    it("shows the tail of a worker's log", async () => {
      const { queue, events, spec } = await setup();
      const task = spec('logs', 'Do two things fake:items=2');
      await queue.submit(task);
      await events.finished(task.id);
      const tail = await queue.logs(task.id, 2);
      expect(tail.split('\n')).toHaveLength(2);
      expect(tail).toContain(`Done: Step 2 of ${task.id}`);
    });

    it("pushes a finished worktree task's branch to origin from the host that holds it; a dry run only says where", async () => {
      const { queue, events, spec } = await setup();
      const task = spec('push', 'Change a file fake:items=1 fake:commit=2', { worktree: true });
      const bare = temp.make('origin');
      execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
      await queue.submit(task);
      const tree = (await events.finished(task.id)).worktree;
      if (!tree) throw new Error('no worktree report');
      const target = { taskId: task.id, repo: task.repo.path, path: tree.path, branch: tree.branch };
      await expect(queue.pushBranch(target)).rejects.toThrow(/has no `origin` remote/);
      execFileSync('git', ['remote', 'add', 'origin', bare], { cwd: task.repo.path });
      const dry = await queue.pushBranch(target, { dryRun: true });
      expect(dry).toMatchObject({ origin: bare, pushed: false, uncommitted: 0 });
      expect(dry.report).toContain(`finished 1 steps of ${task.id}`);
      const pushed = await queue.pushBranch(target);
      expect(pushed).toMatchObject({ origin: bare, pushed: true, head: dry.head });
      expect(execFileSync('git', ['--git-dir', bare, 'rev-parse', `refs/heads/${tree.branch}`], { encoding: 'utf8' }).trim()).toBe(dry.head);
    });
  });
}
