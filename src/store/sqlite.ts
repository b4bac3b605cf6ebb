import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { TaskStore } from './port.js';
import type { Inbound } from '../chat/inbound.js';
import { AcceptedRequest, PendingConfirm, QuestionRecord, TaskRecord } from './records.js';
import {
  assertRecord,
  decodeRecord,
  encodeRecord,
  reportToConsole,
  type CorruptRowReporter,
} from './codec.js';
import { mergeTask, oldestFirst, threadsOf, type TaskFilter } from './task-rules.js';
import { FINALS_SQL, migrate } from './sqlite-schema.js';

export interface SqliteStore extends TaskStore {
  /** The database file (or `:memory:`). */
  readonly file: string;
}

export interface SqliteStoreOptions {
  /** Where unreadable rows are reported (default: console.error). They are skipped, never thrown. */
  onCorrupt?: CorruptRowReporter;
  /** How long a writer waits for another process's lock before failing (ms, default 5000). */
  busyTimeoutMs?: number;
}

/**
 * Task records kept decoded, by their row's body, for the tasks read one at a time most recently
 * (a listing uses them but does not add to them): at most this many. An event batch reads its
 * task and then updates it, and each decoded the row anew.
 */
const DECODED_KEPT = 500;

/**
 * Pending prompts are kept this long past their expiry so a late press can still be told the
 * prompt expired (rather than that it never existed); then they are pruned.
 */
const PENDING_GRACE_MS = 24 * 60 * 60 * 1000;

interface TaskRow {
  id: string;
  body: string;
}
interface QuestionRow {
  task_id: string;
  seq: string;
  body: string;
  answer: string | null;
  answered_at: number | null;
}

/** Open (creating when missing) the SQLite task store at `file`. Synchronous: the file is ready on return. */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): SqliteStore {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    // WAL lets status queries read while a runner writes; NORMAL sync is crash-safe for the bot
    // process (a power cut may lose the last commits, never corrupt the file).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    migrate(db, file);
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteTaskStore(db, file, options.onCorrupt ?? reportToConsole);
}

class SqliteTaskStore implements SqliteStore {
  private readonly sql;
  /** Prepared listing queries, one per filter shape (at most a dozen). */
  private readonly listings = new Map<string, Database.Statement<(string | number)[], TaskRow>>();
  private readonly putTx: Database.Transaction<(task: TaskRecord, body: string) => void>;
  private readonly updateTx: Database.Transaction<
    (id: string, patch: Partial<Omit<TaskRecord, 'id'>>) => TaskRecord | undefined
  >;
  private readonly claimTx: Database.Transaction<(key: string, now: number, ttlMs: number) => boolean>;
  private readonly acceptTx: Database.Transaction<(keys: readonly string[], now: number, ttlMs: number, id: string | undefined, body: string) => boolean>;
  private readonly removeTx: Database.Transaction<(before: number) => TaskRecord[]>;
  /**
   * The record decoded from each recently read row, with the body it was decoded from: a row
   * whose body has not changed since is not decoded again. One decoded object may so reach
   * several readers; records are never changed in place (a change is a new object).
   */
  private readonly decoded = new Map<string, { body: string; record: TaskRecord }>();

  constructor(
    private readonly db: Database.Database,
    readonly file: string,
    private readonly report: CorruptRowReporter,
  ) {
    this.sql = prepareStatements(db);
    // Read, merge and write under one write lock, so a concurrent writer in another process is
    // never lost between the read and the write.
    this.putTx = db.transaction((task: TaskRecord, body: string) => {
      const stored = this.sql.getTask.get(task.id);
      this.writeTask(stored, stored ? this.decodeTask(stored, true) : undefined, task, body);
    });
    this.updateTx = db.transaction((id: string, patch: Partial<Omit<TaskRecord, 'id'>>): TaskRecord | undefined => {
      const stored = this.sql.getTask.get(id);
      const prev = stored ? this.decodeTask(stored, true) : undefined;
      if (!prev) return undefined;
      const next = mergeTask(prev, patch, Date.now());
      this.writeTask(stored, prev, next, encodeRecord(TaskRecord, `task ${id}`, next));
      return next;
    });
    this.claimTx = db.transaction((key: string, now: number, ttlMs: number): boolean => {
      this.sql.pruneDeliveries.run(now);
      return this.sql.claimDelivery.run(key, now + ttlMs).changes === 1;
    });
    this.acceptTx = db.transaction((keys: readonly string[], now: number, ttlMs: number, id: string | undefined, body: string): boolean => {
      this.sql.pruneDeliveries.run(now);
      if (keys.some((key) => this.sql.hasDelivery.get(key) !== undefined)) return false;
      for (const key of keys) this.sql.claimDelivery.run(key, now + ttlMs);
      if (id !== undefined) this.sql.putRequest.run(id, now, body);
      return true;
    });
    // One DELETE picks the tasks (through the index by creation: a task finished before the
    // cut-off was created before it), then their thread rows (by key, from each body) and questions.
    this.removeTx = db.transaction((before: number): TaskRecord[] => {
      const removed: TaskRecord[] = [];
      for (const row of this.sql.removeFinished.all({ before })) {
        const task = this.decodeTask(row);
        this.decoded.delete(row.id);
        if (task) for (const t of threadsOf(task)) this.sql.dropThread.run(t.surface, t.thread, row.id);
        else this.sql.dropThreads.run(row.id);
        this.sql.dropQuestions.run(row.id);
        if (task) removed.push(task);
      }
      return removed;
    });
  }

  async putTask(task: TaskRecord): Promise<void> {
    const body = encodeRecord(TaskRecord, `task ${task.id}`, task);
    this.putTx.immediate(task, body);
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    const row = this.sql.getTask.get(id);
    return row ? this.decodeTask(row, true) : undefined;
  }

  async updateTask(id: string, patch: Partial<Omit<TaskRecord, 'id'>>): Promise<TaskRecord | undefined> {
    return this.updateTx.immediate(id, patch);
  }

  async listTasks(filter: TaskFilter = {}): Promise<TaskRecord[]> {
    const { where, params } = taskWhere(filter);
    const limit = filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    return this.decodeTasks(this.listing(`SELECT id, body FROM tasks ${where} ORDER BY created_at DESC, id DESC${limit}`).all(...params));
  }

  async countTasks(filter: TaskFilter = {}): Promise<number> {
    const { where, params } = taskWhere(filter);
    const row = this.listing(`SELECT count(*) AS n FROM tasks ${where}`).get(...params) as unknown as { n: number };
    return row.n;
  }

  /** One prepared statement per query shape, kept. */
  private listing(query: string): Database.Statement<(string | number)[], TaskRow> {
    let listing = this.listings.get(query);
    if (!listing) {
      listing = this.db.prepare<(string | number)[], TaskRow>(query);
      this.listings.set(query, listing);
    }
    return listing;
  }

  async tasksInThread(surface: string, thread: string): Promise<TaskRecord[]> {
    return this.decodeTasks(this.sql.tasksInThread.all(surface, thread)).sort(oldestFirst);
  }

  async hasTask(id: string): Promise<boolean> {
    return this.sql.hasTask.get(id) !== undefined;
  }

  async removeFinishedTasks(before: number): Promise<TaskRecord[]> {
    return this.removeTx.immediate(before);
  }

  async putPending(pending: PendingConfirm): Promise<void> {
    const body = encodeRecord(PendingConfirm, `pending ${pending.id}`, pending);
    this.sql.prunePending.run(Date.now() - PENDING_GRACE_MS);
    this.sql.putPending.run(pending.id, pending.expiresAt, body);
  }

  async getPending(id: string): Promise<PendingConfirm | undefined> {
    const row = this.sql.getPending.get(id);
    return row ? decodeRecord(PendingConfirm, `pending ${id}`, row.body, this.report) : undefined;
  }

  async listPending(): Promise<PendingConfirm[]> {
    return this.sql.listPending
      .all()
      .flatMap((row) => decodeRecord(PendingConfirm, `pending ${row.id}`, row.body, this.report) ?? []);
  }

  async takePending(id: string): Promise<PendingConfirm | undefined> {
    // DELETE … RETURNING: the row goes to whoever deletes it, in this process or another.
    const row = this.sql.takePending.get(id);
    return row ? decodeRecord(PendingConfirm, `pending ${id}`, row.body, this.report) : undefined;
  }

  async putQuestion(q: QuestionRecord): Promise<void> {
    assertRecord(QuestionRecord, `question ${q.taskId}/${q.seq}`, q);
    const { answer, answeredAt, ...asked } = q;
    // An answer already recorded is kept: re-posting a question must not reopen it.
    this.sql.putQuestion.run(q.taskId, q.seq, q.askedAt, JSON.stringify(asked), answer ?? null, answeredAt ?? null);
  }

  async answerQuestion(taskId: string, seq: string, answer: string): Promise<boolean> {
    return this.sql.answerQuestion.run(answer, Date.now(), taskId, seq).changes === 1;
  }

  async openQuestions(taskId?: string): Promise<QuestionRecord[]> {
    const rows = taskId === undefined ? this.sql.openQuestions.all() : this.sql.openQuestionsOf.all(taskId);
    return rows.flatMap((row) => {
      const q = this.decodeQuestion(row);
      return q ? [q] : [];
    });
  }

  async getUserDefault(user: string): Promise<string | undefined> {
    return this.sql.getUserDefault.get(user)?.model;
  }

  async setUserDefault(user: string, model: string): Promise<void> {
    this.sql.setUserDefault.run(user, model);
  }

  async firstDelivery(key: string, ttlMs: number): Promise<boolean> {
    return this.claimTx.immediate(key, Date.now(), Math.max(1, Math.ceil(ttlMs)));
  }

  async acceptRequest(keys: readonly string[], request: Inbound, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const id = request.deliveryId;
    const body = id === undefined ? '' : encodeRecord(AcceptedRequest, `request ${id}`, { id, request, acceptedAt: now });
    return this.acceptTx.immediate(keys, now, Math.max(1, Math.ceil(ttlMs)), id, body);
  }

  async finishRequest(id: string): Promise<void> {
    this.sql.deleteRequest.run(id);
  }

  async unfinishedRequests(): Promise<AcceptedRequest[]> {
    return this.sql.listRequests.all().flatMap((row) => decodeRecord(AcceptedRequest, `request ${row.id}`, row.body, this.report) ?? []);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /**
   * Write a task over what was stored (`prev`, undefined when new or unreadable), touching only
   * the index rows that change: status edits are the hot path and rewrite one row.
   */
  private writeTask(stored: TaskRow | undefined, prev: TaskRecord | undefined, task: TaskRecord, body: string): void {
    const { id, where, state, createdAt, updatedAt } = task;
    const thread = task.thread ?? where.thread ?? null;
    if (!stored) {
      this.sql.insertTask.run(id, where.surface, where.channel, thread, state, createdAt, updatedAt, body);
    } else if (prev && prev.where.surface === where.surface && prev.where.channel === where.channel && prev.createdAt === createdAt) {
      this.sql.rewriteTask.run(state, thread, updatedAt, body, id);
    } else {
      this.sql.moveTask.run(where.surface, where.channel, createdAt, state, thread, updatedAt, body, id);
    }
    const keep = new Set(threadsOf(task).map(threadKey));
    if (stored && !prev) this.sql.dropThreads.run(id); // unreadable before: its threads are unknown
    for (const old of prev ? threadsOf(prev) : []) {
      if (!keep.delete(threadKey(old))) this.sql.dropThread.run(old.surface, old.thread, id);
    }
    for (const { surface, thread: t } of threadsOf(task)) {
      if (keep.has(threadKey({ surface, thread: t }))) this.sql.addThread.run(surface, t, id);
    }
  }

  private decodeTask(row: TaskRow, keep = false): TaskRecord | undefined {
    const known = this.decoded.get(row.id);
    if (known?.body === row.body) return known.record;
    const record = decodeRecord(TaskRecord, `task ${row.id}`, row.body, this.report);
    if (!keep) return record;
    this.decoded.delete(row.id);
    if (record === undefined) return undefined;
    // Insertion order is the order of last decoding: the first entry is the one read longest ago.
    this.decoded.set(row.id, { body: row.body, record });
    if (this.decoded.size > DECODED_KEPT) this.decoded.delete(this.decoded.keys().next().value as string);
    return record;
  }

  private decodeTasks(rows: TaskRow[]): TaskRecord[] {
    return rows.flatMap((row) => {
      const task = this.decodeTask(row);
      return task ? [task] : [];
    });
  }

  private decodeQuestion(row: QuestionRow): QuestionRecord | undefined {
    const answered: Record<string, unknown> = {};
    if (row.answer !== null) answered.answer = row.answer;
    if (row.answered_at !== null) answered.answeredAt = row.answered_at;
    return decodeRecord(QuestionRecord, `question ${row.task_id}/${row.seq}`, row.body, this.report, answered);
  }
}

/**
 * The WHERE of a task listing. The final states are written into the SQL, not bound: only a
 * query that names them literally can use the partial indexes of active tasks (sqlite-schema.ts).
 */
function taskWhere(filter: TaskFilter): { where: string; params: (string | number)[] } {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  if (filter.channel !== undefined) {
    clauses.push('channel = ?');
    params.push(filter.channel);
  }
  if (filter.surface !== undefined) {
    clauses.push('surface = ?');
    params.push(filter.surface);
  }
  if (filter.active !== undefined) clauses.push(`state ${filter.active ? 'NOT IN' : 'IN'} (${FINALS_SQL})`);
  if (filter.createdSince !== undefined) {
    clauses.push('created_at >= ?');
    params.push(filter.createdSince);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function threadKey(t: { surface: string; thread: string }): string {
  return `${t.surface}\u0000${t.thread}`;
}

function prepareStatements(db: Database.Database) {
  return {
    insertTask: db.prepare<[string, string, string, string | null, string, number, number, string]>(
      `INSERT INTO tasks (id, surface, channel, thread, state, created_at, updated_at, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Leaves the indexed columns alone, so SQLite rewrites the row and no index page.
    rewriteTask: db.prepare<[string, string | null, number, string, string]>(
      'UPDATE tasks SET state = ?, thread = ?, updated_at = ?, body = ? WHERE id = ?',
    ),
    moveTask: db.prepare<[string, string, number, string, string | null, number, string, string]>(
      `UPDATE tasks SET surface = ?, channel = ?, created_at = ?, state = ?, thread = ?, updated_at = ?, body = ?
       WHERE id = ?`,
    ),
    getTask: db.prepare<[string], TaskRow>('SELECT id, body FROM tasks WHERE id = ?'),
    hasTask: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM tasks WHERE id = ?'),
    dropThreads: db.prepare<[string]>('DELETE FROM task_threads WHERE task_id = ?'),
    dropThread: db.prepare<[string, string, string]>(
      'DELETE FROM task_threads WHERE surface = ? AND thread = ? AND task_id = ?',
    ),
    addThread: db.prepare<[string, string, string]>(
      'INSERT OR IGNORE INTO task_threads (surface, thread, task_id) VALUES (?, ?, ?)',
    ),
    // The same rule as task-rules' retiredBefore, in SQL; a body that is not JSON is left alone.
    removeFinished: db.prepare<[{ before: number }], TaskRow>(
      `DELETE FROM tasks
       WHERE created_at < @before AND state IN (${FINALS_SQL})
         AND CASE WHEN json_valid(body)
           THEN coalesce(json_extract(body, '$.finishedAt'), updated_at) < @before AND coalesce(json_extract(body, '$.finalEditPending'), 0) = 0
           ELSE 0 END
       RETURNING id, body`,
    ),
    dropQuestions: db.prepare<[string]>('DELETE FROM questions WHERE task_id = ?'),
    tasksInThread: db.prepare<[string, string], TaskRow>(
      `SELECT t.id, t.body FROM task_threads m JOIN tasks t ON t.id = m.task_id
       WHERE m.surface = ? AND m.thread = ?`,
    ),
    putPending: db.prepare<[string, number, string]>(
      'INSERT OR REPLACE INTO pending (id, expires_at, body) VALUES (?, ?, ?)',
    ),
    getPending: db.prepare<[string], { body: string }>('SELECT body FROM pending WHERE id = ?'),
    listPending: db.prepare<[], { id: string; body: string }>('SELECT id, body FROM pending ORDER BY expires_at'),
    takePending: db.prepare<[string], { body: string }>('DELETE FROM pending WHERE id = ? RETURNING body'),
    prunePending: db.prepare<[number]>('DELETE FROM pending WHERE expires_at < ?'),
    putQuestion: db.prepare<[string, string, number, string, string | null, number | null]>(
      `INSERT INTO questions (task_id, seq, asked_at, body, answer, answered_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (task_id, seq) DO UPDATE SET asked_at = excluded.asked_at, body = excluded.body,
         answer = COALESCE(questions.answer, excluded.answer),
         answered_at = CASE WHEN questions.answer IS NULL THEN excluded.answered_at ELSE questions.answered_at END`,
    ),
    answerQuestion: db.prepare<[string, number, string, string]>(
      'UPDATE questions SET answer = ?, answered_at = ? WHERE task_id = ? AND seq = ? AND answer IS NULL',
    ),
    openQuestions: db.prepare<[], QuestionRow>(
      `SELECT task_id, seq, body, answer, answered_at FROM questions WHERE answer IS NULL
       ORDER BY asked_at, task_id, seq`,
    ),
    openQuestionsOf: db.prepare<[string], QuestionRow>(
      `SELECT task_id, seq, body, answer, answered_at FROM questions WHERE answer IS NULL AND task_id = ?
       ORDER BY asked_at, seq`,
    ),
    getUserDefault: db.prepare<[string], { model: string }>('SELECT model FROM user_defaults WHERE user = ?'),
    setUserDefault: db.prepare<[string, string]>(
      'INSERT INTO user_defaults (user, model) VALUES (?, ?) ON CONFLICT (user) DO UPDATE SET model = excluded.model',
    ),
    pruneDeliveries: db.prepare<[number]>('DELETE FROM deliveries WHERE expires_at <= ?'),
    claimDelivery: db.prepare<[string, number]>('INSERT OR IGNORE INTO deliveries (key, expires_at) VALUES (?, ?)'),
    hasDelivery: db.prepare<[string], { key: string }>('SELECT key FROM deliveries WHERE key = ?'),
    putRequest: db.prepare<[string, number, string]>('INSERT OR REPLACE INTO requests (id, accepted_at, body) VALUES (?, ?, ?)'),
    deleteRequest: db.prepare<[string]>('DELETE FROM requests WHERE id = ?'),
    listRequests: db.prepare<[], { id: string; body: string }>('SELECT id, body FROM requests ORDER BY accepted_at, id'),
  };
}
