import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openConfig, type FileConfigSource } from '../../src/config/file-source.js';
import { Dispatcher } from '../../src/dispatcher/index.js';
import type { TaskQueue } from '../../src/queue/port.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.js';
import type { TaskRecord } from '../../src/store/records.js';
import { queuedProgress, type TaskEvent, type TaskEventListener } from '../../src/task/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { RecordingSurface } from '../support/recording-surface.js';

// Task events reach the dispatcher through the queue port, from runner hosts that may be on other
// machines (over Redis). Here the test plays the runner side of that port, so it decides exactly
// which events arrive together; everything behind the port (the dispatcher, SQLite, the status
// card) is the real thing.

const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude, price: { input: 3, output: 15 } }\n';
const ID = 'burst';
const PLAN_LINES = 50;

class RunnerSide implements TaskQueue {
  private readonly listeners = new Set<TaskEventListener>();
  emit(event: TaskEvent): void {
    for (const listener of this.listeners) listener(event);
  }
  subscribe(listener: TaskEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async submit(): Promise<void> {}
  async cancel(): Promise<void> {}
  async answer(): Promise<void> {}
  async note(): Promise<void> {}
  async logs(): Promise<string> {
    return '';
  }
  async removeWorktree(): Promise<{ removed: boolean; message: string }> {
    return { removed: false, message: '' };
  }
  async pushBranch(): Promise<never> {
    throw new Error('not in this test');
  }
  async close(): Promise<void> {}
}

/** What a worker reports over a run: it starts, checks off its plan a line at a time (each line a plan, an activity and a usage event), and finishes. */
function workerEvents(): TaskEvent[] {
  const events: TaskEvent[] = [{ type: 'started', taskId: ID, pid: 4242, dir: '/tmp/burst' }];
  for (let done = 1; done <= PLAN_LINES; done += 1) {
    const items = Array.from({ length: PLAN_LINES }, (_, i) => ({ text: `step ${i + 1}`, mark: i < done ? ('done' as const) : ('pending' as const) }));
    events.push({ type: 'plan', taskId: ID, items });
    events.push({ type: 'activity', taskId: ID, text: `working on step ${done + 1}` });
    events.push({ type: 'usage', taskId: ID, usage: { inputTokens: 1000 * done, outputTokens: 100 * done } });
  }
  events.push({ type: 'finished', taskId: ID, state: 'done', summary: 'all fifty steps' });
  return events;
}

interface Bot {
  dispatcher: Dispatcher;
  runner: RunnerSide;
  store: SqliteStore;
  surface: RecordingSurface;
  /** Every store write of a task record, counted. */
  writes: () => number;
  /** Resolves when the next write of a task record has been made. */
  nextWrite: () => Promise<void>;
}

const opened: { dir: string; config: FileConfigSource; store: SqliteStore; dispatcher: Dispatcher }[] = [];
afterEach(async () => {
  for (const { dir, config, store, dispatcher } of opened.splice(0)) {
    dispatcher.stop();
    config.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function openBot(clock: ManualClock): Promise<Bot> {
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-batches-'));
  writeFileSync(join(dir, 'config.yaml'), CONFIG);
  const config = await openConfig({ path: join(dir, 'config.yaml'), watch: false });
  const store = openSqliteStore(join(dir, 'tasks.db'));
  let writes = 0;
  const written = new Set<() => void>();
  const updateTask = store.updateTask.bind(store);
  store.updateTask = async (id, patch) => {
    writes += 1;
    const result = await updateTask(id, patch);
    for (const wake of written) wake();
    written.clear();
    return result;
  };
  const runner = new RunnerSide();
  const surface = new RecordingSurface('shell');
  const dispatcher = new Dispatcher({
    config,
    store,
    queue: runner,
    surface: (name) => (name === 'shell' ? surface : undefined),
    discovery: { clis: async () => new Map(), agentModels: async () => [], login: async () => ({ state: 'unknown', detail: '', login: '', at: 0 }) },
    env: {},
    defaultRepo: { name: 'repo', path: dir },
    clock,
  });
  dispatcher.start();
  opened.push({ dir, config, store, dispatcher });
  const now = clock.now();
  const where = { surface: 'shell', channel: 'C1' } as const;
  const record: TaskRecord = {
    ...queuedProgress(),
    id: ID,
    spec: { id: ID, goal: 'fifty steps', context: '', rolePrompt: '', repo: { name: 'repo', path: '/srv/repo' }, worktree: false, model: 'opus', backend: 'claude', timeoutMs: 0, stallAfterMs: 600_000, requester: 'alice', resume: false },
    where,
    createdAt: now,
    updatedAt: now,
  };
  record.status = await surface.post({ ...where, startThread: true }, { text: 'queued', title: ID });
  record.thread = record.status.thread;
  await store.putTask(record);
  return { dispatcher, runner, store, surface, writes: () => writes, nextWrite: () => new Promise((resolve) => written.add(resolve)) };
}

/** The record as the events left it (updatedAt is the store's own stamp). */
async function finalRecord(bot: Bot): Promise<TaskRecord> {
  await bot.dispatcher.settled('shell');
  return { ...((await bot.store.getTask(ID)) as TaskRecord), updatedAt: 0 };
}

describe('task events: a burst is applied in memory and stored once', () => {
  it('stores a burst of 150 progress events in a few writes, and leaves the record as one event at a time would', async () => {
    const clock = new ManualClock();
    const events = workerEvents();

    const oneByOne = await openBot(clock);
    for (const event of events) {
      const stored = oneByOne.nextWrite();
      oneByOne.runner.emit(event);
      await stored;
    }
    const expected = await finalRecord(oneByOne);
    expect(oneByOne.writes()).toBeGreaterThanOrEqual(events.length);

    const burst = await openBot(clock);
    for (const event of events) burst.runner.emit(event);
    const got = await finalRecord(burst);

    expect(got).toEqual(expected);
    expect(got.state).toBe('done');
    expect(got.planDone ?? got.plan.filter((i) => i.mark === 'done').length).toBe(PLAN_LINES);
    expect(got.usage?.costUsd).toBeCloseTo((50_000 * 3 + 5_000 * 15) / 1_000_000);
    // The started event, the burst of progress, the finish (and the final edit's landing).
    expect(burst.writes()).toBeLessThanOrEqual(5);
    const card = burst.surface.posts.find((p) => p.reply.title === ID);
    expect(card && burst.surface.latest(card).text).toMatch(/done/i);
    // The finish is reported once, after it was stored.
    expect(burst.surface.posts.filter((p) => /is done/.test(p.reply.text))).toHaveLength(1);
  });

  it('writes a final state before the thread is told, even when it arrives in a burst', async () => {
    const clock = new ManualClock();
    const bot = await openBot(clock);
    const told: (string | undefined)[] = [];
    const post = bot.surface.post.bind(bot.surface);
    bot.surface.post = async (target, reply) => {
      if (/is done/.test(reply.text)) told.push((await bot.store.getTask(ID))?.state);
      return post(target, reply);
    };
    for (const event of workerEvents()) bot.runner.emit(event);
    await finalRecord(bot);
    expect(told).toEqual(['done']);
  });
});
