import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConfig, type FileConfigSource } from '../../src/config/file-source.js';
import { Dispatcher } from '../../src/dispatcher/index.js';
import type { TaskQueue } from '../../src/queue/port.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.js';
import type { TaskRecord } from '../../src/store/records.js';
import { noFilesRemoved, queuedProgress, type FilesRemoved, type TaskEvent, type TaskEventListener } from '../../src/task/index.js';
import type { Clock } from '../../src/util/clock.js';
import { RecordingSurface } from './recording-surface.js';

/**
 * The runner side of the queue port, played by the test. Task events reach the dispatcher through
 * that port from runner hosts that may be on other machines (over Redis); a test that must decide
 * exactly which events arrive, and which arrive together, emits them here. Everything behind the
 * port (the dispatcher, SQLite, the status card) is the real thing.
 */
export class ScriptedRunner implements TaskQueue {
  readonly cancelled: string[] = [];
  private readonly listeners = new Set<TaskEventListener>();
  private readonly onCancel = new Set<() => void>();

  emit(event: TaskEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Resolves when the dispatcher next stops a task's worker. */
  nextCancel(): Promise<void> {
    return new Promise((resolve) => this.onCancel.add(resolve));
  }

  subscribe(listener: TaskEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async cancel(taskId: string): Promise<void> {
    this.cancelled.push(taskId);
    for (const wake of this.onCancel) wake();
    this.onCancel.clear();
  }
  async submit(): Promise<void> {}
  async answer(): Promise<void> {}
  async note(): Promise<void> {}
  async logs(): Promise<string> {
    return '';
  }
  async removeWorktree(): Promise<{ removed: boolean; message: string }> {
    return { removed: false, message: '' };
  }
  async removeTaskFiles(): Promise<FilesRemoved> {
    return noFilesRemoved();
  }
  async pushBranch(): Promise<never> {
    throw new Error('no branches in a scripted run');
  }
  async close(): Promise<void> {}
}

/** A dispatcher on a real config file and SQLite store, one queued task posted, its events scripted. */
export class ScriptedBot {
  readonly surface = new RecordingSurface('shell');
  private writeCount = 0;
  private readonly written = new Set<() => void>();

  private constructor(
    readonly dir: string,
    readonly config: FileConfigSource,
    readonly store: SqliteStore,
    readonly dispatcher: Dispatcher,
    readonly runner: ScriptedRunner,
  ) {}

  /** `task`: fields of the one task (id `task.id`, model opus, requester alice) beyond a queued one. */
  static async open(configText: string, clock: Clock, task: Partial<TaskRecord> & { id: string }): Promise<ScriptedBot> {
    const dir = mkdtempSync(join(tmpdir(), 'dispatch-scripted-'));
    writeFileSync(join(dir, 'config.yaml'), configText);
    const config = await openConfig({ path: join(dir, 'config.yaml'), watch: false });
    const store = openSqliteStore(join(dir, 'tasks.db'));
    const runner = new ScriptedRunner();
    let bot: ScriptedBot | undefined;
    const dispatcher = new Dispatcher({
      config,
      store,
      queue: runner,
      surface: (name) => (name === 'shell' ? bot?.surface : undefined),
      discovery: { clis: async () => new Map(), agentModels: async () => [], login: async () => ({ state: 'unknown', detail: '', login: '', at: 0 }) },
      env: {},
      defaultRepo: { name: 'repo', path: '/srv/repo' },
      clock,
    });
    bot = new ScriptedBot(dir, config, store, dispatcher, runner);
    bot.countWrites();
    dispatcher.start();
    await bot.addTask(clock.now(), task);
    return bot;
  }

  /** Every store write of a task record, counted. */
  writes(): number {
    return this.writeCount;
  }

  /** Resolves when the next write of a task record has been made. */
  nextWrite(): Promise<void> {
    return new Promise((resolve) => this.written.add(resolve));
  }

  /** The task as stored once its events have been applied (updatedAt, the store's own stamp, zeroed). */
  async settledTask(id: string): Promise<TaskRecord> {
    await this.dispatcher.settled('shell');
    return { ...((await this.store.getTask(id)) as TaskRecord), updatedAt: 0 };
  }

  async close(): Promise<void> {
    this.dispatcher.stop();
    this.config.close();
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private countWrites(): void {
    const updateTask = this.store.updateTask.bind(this.store);
    this.store.updateTask = async (id, patch) => {
      this.writeCount += 1;
      const result = await updateTask(id, patch);
      for (const wake of this.written) wake();
      this.written.clear();
      return result;
    };
  }

  /** Another queued task, its status posted. */
  async addTask(now: number, fields: Partial<TaskRecord> & { id: string }): Promise<void> {
    const { id } = fields;
    const where = { surface: 'shell', channel: 'C1' } as const;
    const record: TaskRecord = {
      ...queuedProgress(),
      spec: { id, goal: 'a scripted task', context: '', rolePrompt: '', repo: { name: 'repo', path: '/srv/repo' }, worktree: false, model: 'opus', backend: 'claude', timeoutMs: 0, stallAfterMs: 600_000, requester: 'alice', resume: false },
      where,
      createdAt: now,
      updatedAt: now,
      ...fields,
    };
    record.status = await this.surface.post({ ...where, startThread: true }, { text: 'queued', title: id });
    record.thread = record.status.thread;
    await this.store.putTask(record);
  }
}
