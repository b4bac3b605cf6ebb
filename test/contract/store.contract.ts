import { afterEach, describe, expect, it } from 'vitest';
import type { TaskStore } from '../../src/store/port.js';
import type { PendingConfirm, QuestionRecord, TaskRecord } from '../../src/store/records.js';
import type { TaskState } from '../../src/task/index.js';
import type { Inbound, SurfaceName } from '../../src/chat/inbound.js';

/**
 * What every TaskStore must do, as a user of the bot would notice it: status listings, thread
 * replies reaching the right tasks, a confirm button honoured once, an answer counted once, a
 * retried delivery dispatched once, and nothing lost across a restart.
 *
 * `make` opens a store on the SAME storage every time it is called (same file, same prefix), so
 * a second call inside one test is a restart; `cleanup` destroys that storage after each test.
 */
export function runStoreContract(
  name: string,
  make: () => Promise<TaskStore>,
  cleanup: () => Promise<void>,
): void {
  describe(`TaskStore contract: ${name}`, () => {
    const open: TaskStore[] = [];
    const openStore = async (): Promise<TaskStore> => {
      const store = await make();
      open.push(store);
      return store;
    };
    const closeStore = async (store: TaskStore): Promise<void> => {
      open.splice(open.indexOf(store), 1);
      await store.close();
    };
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
      await cleanup();
    });

    describe('tasks', () => {
      it('lists a task in its own channel only, on its own surface', async () => {
        const store = await openStore();
        await store.putTask(task('alpha', { channel: 'C1' }));
        await store.putTask(task('beta', { channel: 'C2' }));
        await store.putTask(task('gamma', { channel: 'C1', surface: 'discord' }));
        expect(ids(await store.listTasks({ channel: 'C1' })).sort()).toEqual(['alpha', 'gamma']);
        expect(ids(await store.listTasks({ channel: 'C2' }))).toEqual(['beta']);
        expect(ids(await store.listTasks({ channel: 'C1', surface: 'slack' }))).toEqual(['alpha']);
        expect(ids(await store.listTasks({ surface: 'discord' }))).toEqual(['gamma']);
        expect(await store.listTasks({ channel: 'C3' })).toEqual([]);
      });

      it('lists newest first, in a channel and overall', async () => {
        const store = await openStore();
        await store.putTask(task('old', { createdAt: 1_000 }));
        await store.putTask(task('newest', { createdAt: 3_000 }));
        await store.putTask(task('middle', { createdAt: 2_000 }));
        await store.putTask(task('elsewhere', { createdAt: 2_500, channel: 'C9' }));
        expect(ids(await store.listTasks({ channel: 'C1' }))).toEqual(['newest', 'middle', 'old']);
        expect(ids(await store.listTasks())).toEqual(['newest', 'elsewhere', 'middle', 'old']);
      });

      it('filters active (not finished) and finished tasks', async () => {
        const store = await openStore();
        const states: TaskState[] = ['queued', 'running', 'waiting', 'blocked', 'done', 'failed', 'cancelled', 'timed_out', 'interrupted'];
        for (const [i, state] of states.entries()) await store.putTask(task(`t-${state.replace('_', '-')}`, { state, createdAt: 1_000 + i }));
        const active = await store.listTasks({ channel: 'C1', active: true });
        expect(active.map((t) => t.state).sort()).toEqual(['blocked', 'queued', 'running', 'waiting']);
        const finished = await store.listTasks({ channel: 'C1', active: false });
        expect(finished.map((t) => t.state).sort()).toEqual(['cancelled', 'done', 'failed', 'interrupted', 'timed_out']);
      });

      it('lists at most `limit` tasks, the newest first, and counts without a limit', async () => {
        const store = await openStore();
        for (let i = 0; i < 30; i++) await store.putTask(task(`old-${i}`, { state: i % 10 === 0 ? 'running' : 'done', createdAt: 1_000 + i }));
        await store.putTask(task('other-channel', { state: 'done', createdAt: 5_000, channel: 'C2' }));
        const newest = await store.listTasks({ channel: 'C1', active: false, limit: 10 });
        expect(ids(newest)).toEqual([29, 28, 27, 26, 25, 24, 23, 22, 21, 19].map((i) => `old-${i}`));
        expect(ids(await store.listTasks({ channel: 'C1', active: true }))).toEqual(['old-20', 'old-10', 'old-0']);
        expect(await store.countTasks({ channel: 'C1', active: false })).toBe(27);
        expect(await store.countTasks({ channel: 'C1' })).toBe(30);
        expect(await store.countTasks()).toBe(31);
        expect(await store.listTasks({ channel: 'C1', limit: 0 })).toEqual([]);
      });

      it('lists only the tasks created since a time (a day of spending)', async () => {
        const store = await openStore();
        for (const [id, createdAt] of [['yesterday', 1_000], ['at-midnight', 2_000], ['this-morning', 2_500]] as const) await store.putTask(task(id, { state: 'done', createdAt }));
        await store.putTask(task('elsewhere-today', { state: 'done', createdAt: 2_600, channel: 'C2' }));
        expect(ids(await store.listTasks({ channel: 'C1', createdSince: 2_000 }))).toEqual(['this-morning', 'at-midnight']);
        expect(ids(await store.listTasks({ createdSince: 2_000 }))).toEqual(['elsewhere-today', 'this-morning', 'at-midnight']);
      });

      it('reads back exactly the record it was given, every field included', async () => {
        const store = await openStore();
        const full = fullTask('full-record');
        await store.putTask(full);
        expect(await store.getTask('full-record')).toStrictEqual(full);
        expect(await store.listTasks({ channel: 'C1' })).toStrictEqual([full]);
        expect(await store.getTask('missing')).toBeUndefined();
        expect(await store.hasTask('full-record')).toBe(true);
        expect(await store.hasTask('missing')).toBe(false);
      });

      it('putting a task again replaces it, and it moves with its channel', async () => {
        const store = await openStore();
        await store.putTask(task('mover', { channel: 'C1' }));
        await store.putTask(task('mover', { channel: 'C2', state: 'running' }));
        expect(await store.listTasks({ channel: 'C1' })).toEqual([]);
        const listed = await store.listTasks({ channel: 'C2' });
        expect(listed.map((t) => [t.id, t.state])).toEqual([['mover', 'running']]);
        expect(ids(await store.listTasks())).toEqual(['mover']);
      });

      it('updateTask merges the patch, keeps the rest and moves updatedAt forward', async () => {
        const store = await openStore();
        const before = task('upd', { createdAt: 5_000 });
        await store.putTask(before);
        const after = await store.updateTask('upd', { state: 'running', pid: 4242, activity: 'reading files' });
        expect(after).toMatchObject({ id: 'upd', state: 'running', pid: 4242, activity: 'reading files', spec: before.spec, where: before.where, createdAt: 5_000 });
        expect(after?.updatedAt).toBeGreaterThan(before.updatedAt);
        expect(await store.getTask('upd')).toStrictEqual(after);
        const again = await store.updateTask('upd', { state: 'done', summary: 'all green' });
        expect(again?.updatedAt).toBeGreaterThan(after?.updatedAt ?? Infinity);
        expect(again).toMatchObject({ state: 'done', pid: 4242, summary: 'all green' });
        expect(await store.listTasks({ active: true })).toEqual([]);
      });

      it('updateTask of an unknown task returns undefined and creates nothing', async () => {
        const store = await openStore();
        expect(await store.updateTask('ghost', { state: 'running' })).toBeUndefined();
        expect(await store.hasTask('ghost')).toBe(false);
        expect(await store.listTasks()).toEqual([]);
      });

      it('concurrent updates to one task lose none of each other', async () => {
        const store = await openStore();
        await store.putTask(task('busy'));
        const patches: Partial<TaskRecord>[] = [
          { activity: 'editing' },
          { summary: 'half way' },
          { pid: 77 },
          { reportedModel: 'claude-opus-4-6' },
          { branch: 'dispatch/busy' },
          { dir: '/tmp/busy' },
          { logTail: 'ok' },
          { thread: 'T-busy' },
        ];
        await Promise.all(patches.map((patch) => store.updateTask('busy', patch)));
        expect(await store.getTask('busy')).toMatchObject(Object.assign({}, ...patches));
      });
      it('two stores open on the same storage lose none of each other\'s updates', async () => {
        const one = await openStore();
        const two = await openStore();
        await one.putTask(task('shared'));
        await one.updateTask('shared', { activity: 'from one' });
        await two.updateTask('shared', { summary: 'from two' });
        await one.updateTask('shared', { pid: 9 });
        await two.updateTask('shared', { state: 'done' });
        const expected = { activity: 'from one', summary: 'from two', pid: 9, state: 'done' };
        expect(await one.getTask('shared')).toMatchObject(expected);
        expect(await two.getTask('shared')).toMatchObject(expected);
      });
    });

    describe('threads', () => {
      it('finds every task of a fan-out posted in one thread, and no others', async () => {
        const store = await openStore();
        const fan = ['security-audit', 'perf-audit', 'docs-pass'];
        for (const [i, id] of fan.entries()) await store.putTask(task(id, { thread: 'T1', createdAt: 1_000 + i }));
        await store.putTask(task('lonely', { thread: 'T2' }));
        await store.putTask(task('other-surface', { thread: 'T1', surface: 'discord' }));
        expect(ids(await store.tasksInThread('slack', 'T1'))).toEqual(fan);
        expect(ids(await store.tasksInThread('slack', 'T2'))).toEqual(['lonely']);
        expect(ids(await store.tasksInThread('discord', 'T1'))).toEqual(['other-surface']);
        expect(await store.tasksInThread('slack', 'T3')).toEqual([]);
      });

      it('finds a task by the thread it was given after it was stored', async () => {
        const store = await openStore();
        await store.putTask(task('late-thread'));
        expect(await store.tasksInThread('slack', 'T5')).toEqual([]);
        await store.updateTask('late-thread', { thread: 'T5', status: { surface: 'slack', channel: 'C1', thread: 'T5', id: 'M1' } });
        expect(ids(await store.tasksInThread('slack', 'T5'))).toEqual(['late-thread']);
      });

      it('finds a task only in its new thread once it moved', async () => {
        const store = await openStore();
        await store.putTask(task('moved', { thread: 'T-old' }));
        await store.updateTask('moved', { thread: 'T-new' });
        expect(await store.tasksInThread('slack', 'T-old')).toEqual([]);
        expect(ids(await store.tasksInThread('slack', 'T-new'))).toEqual(['moved']);
        await store.updateTask('moved', { state: 'running' });
        expect(ids(await store.tasksInThread('slack', 'T-new'))).toEqual(['moved']);
      });

      it('finds a task by the thread of the request it came from', async () => {
        const store = await openStore();
        await store.putTask(task('from-thread', { whereThread: 'T7' }));
        expect(ids(await store.tasksInThread('slack', 'T7'))).toEqual(['from-thread']);
      });
    });

    describe('pending confirmations', () => {
      it('hands a pending prompt to exactly one of 20 racing presses', async () => {
        const store = await openStore();
        const prompt = pending('p1');
        await store.putPending(prompt);
        expect(await store.getPending('p1')).toStrictEqual(prompt);
        const taken = await Promise.all(Array.from({ length: 20 }, () => store.takePending('p1')));
        const winners = taken.filter((p) => p !== undefined);
        expect(winners).toHaveLength(1);
        expect(winners[0]).toStrictEqual(prompt);
        expect(await store.getPending('p1')).toBeUndefined();
        expect(await store.takePending('p1')).toBeUndefined();
      });

      it('keeps pending prompts apart and still returns one that has expired', async () => {
        const store = await openStore();
        const expired = pending('p-old', { createdAt: Date.now() - 60_000, expiresAt: Date.now() - 1_000 });
        await store.putPending(pending('p-a'));
        await store.putPending(expired);
        expect((await store.takePending('p-a'))?.id).toBe('p-a');
        // The dispatcher decides what an expired prompt means; the store must not hide it.
        expect(await store.takePending('p-old')).toStrictEqual(expired);
      });

      it('lists what is still pending, soonest to expire first, so a restarted bot can expire it', async () => {
        const store = await openStore();
        const later = pending('p-later', { expiresAt: Date.now() + 20 * 60_000 });
        const sooner = pending('p-sooner', { expiresAt: Date.now() + 5 * 60_000 });
        await store.putPending(later);
        await store.putPending(sooner);
        await store.putPending(pending('p-taken'));
        await store.takePending('p-taken');
        expect(await store.listPending()).toStrictEqual([sooner, later]);
      });
    });

    describe('questions', () => {
      it('records an answer once: the first answer wins, later ones are refused', async () => {
        const store = await openStore();
        await store.putQuestion(question('q-task', '001'));
        expect(await store.answerQuestion('q-task', '001', 'use postgres')).toBe(true);
        expect(await store.answerQuestion('q-task', '001', 'use mysql')).toBe(false);
        expect(await store.answerQuestion('q-task', '999', 'nobody asked')).toBe(false);
        expect(await store.openQuestions('q-task')).toEqual([]);
      });

      it('counts one answer of 20 racing answers', async () => {
        const store = await openStore();
        await store.putQuestion(question('q-race', '001'));
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.answerQuestion('q-race', '001', `answer ${i}`)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('lists only unanswered questions, oldest first, per task or all', async () => {
        const store = await openStore();
        const first = question('task-a', '001', { askedAt: 1_000 });
        const second = question('task-a', '002', { askedAt: 2_000 });
        const other = question('task-b', '001', { askedAt: 1_500, posted: { surface: 'slack', channel: 'C1', thread: 'T1', id: 'M9' } });
        for (const q of [second, other, first]) await store.putQuestion(q);
        expect(await store.openQuestions()).toStrictEqual([first, other, second]);
        expect(await store.openQuestions('task-a')).toStrictEqual([first, second]);
        await store.answerQuestion('task-a', '001', 'yes');
        expect(await store.openQuestions()).toStrictEqual([other, second]);
        expect(await store.openQuestions('task-a')).toStrictEqual([second]);
        expect(await store.openQuestions('task-c')).toEqual([]);
      });

      it('re-posting an answered question does not reopen it', async () => {
        const store = await openStore();
        const q = question('task-r', '001');
        await store.putQuestion(q);
        await store.answerQuestion('task-r', '001', 'done');
        await store.putQuestion({ ...q, posted: { surface: 'slack', channel: 'C1', id: 'M2' } });
        expect(await store.openQuestions('task-r')).toEqual([]);
        expect(await store.answerQuestion('task-r', '001', 'again')).toBe(false);
      });
    });

    describe('user defaults', () => {
      it('remembers each user their own default model, the latest choice winning', async () => {
        const store = await openStore();
        expect(await store.getUserDefault('U1')).toBeUndefined();
        await store.setUserDefault('U1', 'opus');
        await store.setUserDefault('U2', 'gpt-5.3');
        await store.setUserDefault('U1', 'sonnet');
        expect(await store.getUserDefault('U1')).toBe('sonnet');
        expect(await store.getUserDefault('U2')).toBe('gpt-5.3');
      });
    });

    describe('deliveries', () => {
      it('says true for the first sighting of a delivery and false for repeats', async () => {
        const store = await openStore();
        expect(await store.firstDelivery('Ev1', 60_000)).toBe(true);
        expect(await store.firstDelivery('Ev1', 60_000)).toBe(false);
        expect(await store.firstDelivery('Ev2', 60_000)).toBe(true);
      });

      it('lets exactly one of 20 racing retries through', async () => {
        const store = await openStore();
        const results = await Promise.all(Array.from({ length: 20 }, () => store.firstDelivery('Ev-race', 60_000)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('forgets a delivery once its TTL has passed', async () => {
        const store = await openStore();
        const ttlMs = 100;
        const seen = Date.now();
        expect(await store.firstDelivery('Ev-short', ttlMs)).toBe(true);
        await sleepUntil(seen + ttlMs + 50);
        expect(await store.firstDelivery('Ev-short', 60_000)).toBe(true);
        expect(await store.firstDelivery('Ev-short', 60_000)).toBe(false);
      });
    });

    describe('accepted requests', () => {
      const request = (deliveryId: string): Inbound => ({
        kind: 'message',
        who: { id: 'U1', groups: [] },
        where: { surface: 'slack', channel: 'C1' },
        text: 'use opus to review the auth module',
        addressed: true,
        deliveryId,
      });

      it('keeps an accepted request until it is finished, across a restart, and refuses a repeat of any of its keys', async () => {
        const first = await openStore();
        expect(await first.acceptRequest(['slack:Ev1', 'slack:msg:C1:1.0'], request('Ev1'), 60_000)).toBe(true);
        expect(await first.acceptRequest(['slack:Ev2', 'slack:msg:C1:1.0'], request('Ev2'), 60_000)).toBe(false);
        expect(await first.acceptRequest(['slack:Ev3'], request('Ev3'), 60_000)).toBe(true);
        await first.finishRequest('Ev3');
        await closeStore(first);

        const second = await openStore();
        const unfinished = await second.unfinishedRequests();
        expect(unfinished.map((r) => r.id)).toEqual(['Ev1']);
        expect(unfinished[0]?.request).toStrictEqual(request('Ev1'));
        expect(await second.firstDelivery('slack:Ev2', 60_000)).toBe(true);
        await second.finishRequest('Ev1');
        expect(await second.unfinishedRequests()).toEqual([]);
      });

      it('accepts a request once when the same delivery arrives many times at once', async () => {
        const store = await openStore();
        const results = await Promise.all(Array.from({ length: 20 }, () => store.acceptRequest(['slack:Ev-race'], request('Ev-race'), 60_000)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.unfinishedRequests()).map((r) => r.id)).toEqual(['Ev-race']);
      });
    });

    describe('retention', () => {
      const DAY = 86_400_000;
      const now = 1_800_000_000_000;
      const finished = (id: string, daysAgo: number, o: TaskOptions & { pending?: boolean } = {}): TaskRecord => ({
        ...task(id, { state: 'done', createdAt: now - daysAgo * DAY - 60_000, ...o }),
        finishedAt: now - daysAgo * DAY,
        updatedAt: now - daysAgo * DAY,
        ...(o.pending ? { finalEditPending: true } : {}),
      });

      it('removes finished tasks older than the cut-off with their threads and questions, and keeps the rest', async () => {
        const store = await openStore();
        const cutoff = now - 30 * DAY;
        await store.putTask(finished('old-done', 31, { thread: 'T-old' }));
        await store.putTask(finished('old-failed', 40, { state: 'failed', channel: 'C2' }));
        await store.putTask(finished('old-cancelled', 31, { state: 'cancelled', thread: 'T-old' }));
        await store.putTask(finished('recent-done', 29));
        await store.putTask(finished('old-unshown', 31, { pending: true }));
        for (const state of ['queued', 'running', 'waiting', 'blocked'] as const) {
          await store.putTask(task(`old-${state}`, { state, createdAt: now - 60 * DAY }));
        }
        // Stored by an older build: no finish time, only its last update.
        const legacy = task('old-legacy', { state: 'timed_out', createdAt: now - 50 * DAY });
        await store.putTask({ ...legacy, updatedAt: now - 45 * DAY });
        await store.putQuestion(question('old-done', '001'));
        await store.putQuestion(question('old-done', '002'));
        await store.answerQuestion('old-done', '001', 'yes');
        await store.putQuestion(question('old-blocked', '001'));

        const removed = await store.removeFinishedTasks(cutoff);
        expect(ids(removed).sort()).toEqual(['old-cancelled', 'old-done', 'old-failed', 'old-legacy']);
        expect(removed.find((t) => t.id === 'old-done')).toStrictEqual(finished('old-done', 31, { thread: 'T-old' }));
        for (const id of ids(removed)) {
          expect(await store.getTask(id)).toBeUndefined();
          expect(await store.hasTask(id)).toBe(false);
        }
        expect(ids(await store.listTasks()).sort()).toEqual(['old-blocked', 'old-queued', 'old-running', 'old-unshown', 'old-waiting', 'recent-done']);
        expect(await store.countTasks({ channel: 'C2' })).toBe(0);
        expect(await store.countTasks({ active: false })).toBe(2);
        expect(await store.tasksInThread('slack', 'T-old')).toEqual([]);
        expect((await store.openQuestions()).map((q) => q.taskId)).toEqual(['old-blocked']);
        expect(await store.answerQuestion('old-done', '002', 'too late')).toBe(false);
        expect(await store.removeFinishedTasks(cutoff)).toEqual([]);

        // Its final edit landed: now it goes too. An id freed is free for a new task.
        await store.updateTask('old-unshown', { finalEditPending: false });
        expect(ids(await store.removeFinishedTasks(cutoff))).toEqual(['old-unshown']);
        await store.putTask(task('old-done', { createdAt: now }));
        expect((await store.getTask('old-done'))?.state).toBe('queued');
        expect(ids(await store.listTasks({ channel: 'C1' }))).toContain('old-done');
      });

      it('removes what it removes across a restart, and nothing twice when two sweep at once', async () => {
        const first = await openStore();
        for (let i = 0; i < 30; i++) await first.putTask(finished(`sweep-${i}`, 31 + i));
        await closeStore(first);
        const a = await openStore();
        const b = await openStore();
        const [one, two] = await Promise.all([a.removeFinishedTasks(now - 30 * DAY), b.removeFinishedTasks(now - 30 * DAY)]);
        expect(one.length + two.length).toBe(30);
        expect(new Set([...ids(one), ...ids(two)]).size).toBe(30);
        expect(await a.listTasks()).toEqual([]);
      });
    });

    describe('durability', () => {
      it('keeps everything across close and reopen', async () => {
        const first = await openStore();
        const full = fullTask('survivor');
        const fan = task('fan-two', { thread: 'T-full', createdAt: full.createdAt + 1 });
        await first.putTask(full);
        await first.putTask(fan);
        await first.updateTask('fan-two', { state: 'waiting' });
        const prompt = pending('p-durable');
        await first.putPending(prompt);
        const open = question('survivor', '002', { askedAt: 3_000 });
        await first.putQuestion(question('survivor', '001'));
        await first.putQuestion(open);
        await first.answerQuestion('survivor', '001', 'answered before the restart');
        await first.setUserDefault('U1', 'opus');
        expect(await first.firstDelivery('Ev-durable', 60_000)).toBe(true);
        await closeStore(first);

        const second = await openStore();
        expect(await second.getTask('survivor')).toStrictEqual(full);
        expect((await second.getTask('fan-two'))?.state).toBe('waiting');
        expect(ids(await second.listTasks({ channel: 'C1' }))).toEqual(['fan-two', 'survivor']);
        expect(ids(await second.listTasks({ active: true }))).toEqual(['fan-two', 'survivor']);
        expect(ids(await second.tasksInThread('slack', 'T-full'))).toEqual(['survivor', 'fan-two']);
        expect(await second.hasTask('survivor')).toBe(true);
        expect(await second.openQuestions()).toStrictEqual([open]);
        expect(await second.answerQuestion('survivor', '001', 'again')).toBe(false);
        expect(await second.getUserDefault('U1')).toBe('opus');
        expect(await second.firstDelivery('Ev-durable', 60_000)).toBe(false);
        expect(await second.takePending('p-durable')).toStrictEqual(prompt);
      });
    });
  });
}

function ids(tasks: TaskRecord[]): string[] {
  return tasks.map((t) => t.id);
}

interface TaskOptions {
  channel?: string;
  surface?: SurfaceName;
  state?: TaskState;
  createdAt?: number;
  thread?: string;
  whereThread?: string;
}

function task(id: string, o: TaskOptions = {}): TaskRecord {
  const createdAt = o.createdAt ?? 1_700_000_000_000;
  const record: TaskRecord = {
    id,
    spec: {
      id,
      goal: `work on ${id}`,
      context: '',
      rolePrompt: '',
      repo: { name: 'app', path: '/srv/app' },
      worktree: false,
      model: 'opus',
      backend: 'claude',
      timeoutMs: 0,
      requester: 'U1',
      resume: false,
    },
    state: o.state ?? 'queued',
    where: { surface: o.surface ?? 'slack', channel: o.channel ?? 'C1' },
    plan: [],
    createdAt,
    updatedAt: createdAt,
  };
  if (o.thread !== undefined) record.thread = o.thread;
  if (o.whereThread !== undefined) record.where.thread = o.whereThread;
  return record;
}

/** A task with every optional field set, unicode and markup included, to catch lossy storage. */
function fullTask(id: string): TaskRecord {
  const base = task(id, { thread: 'T-full', state: 'running', createdAt: 2_000 });
  return {
    ...base,
    spec: {
      ...base.spec,
      goal: 'Fix the “login” bug 🐛 in `auth.ts`\nthen *report*',
      context: 'security is the highest priority',
      rolePrompt: 'You are a security-focused reviewer.',
      worktree: true,
      model: 'claude-opus-4-6',
      backend: 'my-cli',
      timeoutMs: 1_800_000,
      resume: true,
    },
    where: { surface: 'slack', channel: 'C1', thread: 'T-full', message: '1700000000.000100' },
    status: { surface: 'slack', channel: 'C1', thread: 'T-full', id: '1700000000.000200' },
    reportedModel: 'claude-opus-4-6',
    activity: 'Editing src/auth.ts',
    plan: [
      { text: 'read the code', mark: 'done' },
      { text: 'ask about the DB', mark: 'blocked', note: 'which database?' },
      { text: 'write tests', mark: 'pending' },
      { text: 'run lint', mark: 'error' },
    ],
    pid: 31337,
    dir: '/srv/app/.dispatch/worktrees/full-record',
    branch: `dispatch/${id}`,
    summary: 'Two fixes, one open question.',
    logTail: 'line 1\nline 2 ✓',
    worktree: { branch: `dispatch/${id}`, path: '/srv/app/.dispatch/worktrees/x', commits: 3, diffstat: ' 2 files changed, 10 insertions(+)' },
    failure: { cli: 'claude', reason: 'auth', detail: 'Not logged in · Please run /login' },
    updatedAt: 2_500,
    finishedAt: 2_600,
  };
}

function pending(id: string, o: Partial<PendingConfirm> = {}): PendingConfirm {
  const now = Date.now();
  return {
    id,
    requester: 'U1',
    where: { surface: 'slack', channel: 'C1', thread: 'T1' },
    text: 'do a security review',
    model: 'opus',
    createdAt: now,
    expiresAt: now + 15 * 60_000,
    prompt: { surface: 'slack', channel: 'C1', thread: 'T1', id: 'M-prompt' },
    purpose: 'confirm',
    ...o,
  };
}

function question(taskId: string, seq: string, o: Partial<QuestionRecord> = {}): QuestionRecord {
  return { taskId, seq, text: `question ${seq} of ${taskId}?`, askedAt: 1_000, ...o };
}

async function sleepUntil(when: number): Promise<void> {
  while (Date.now() < when) await new Promise((resolve) => setTimeout(resolve, Math.max(1, when - Date.now())));
}
