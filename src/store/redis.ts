import type { Redis } from 'ioredis';
import { connectRedis } from '../util/redis.js';
import { DEFAULT_REDIS_URL } from '../util/redis-env.js';
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
import { ACCEPT_REQUEST, ANSWER_QUESTION, PUT_QUESTION, REMOVE_TASK, WRITE_TASK } from './redis-scripts.js';
import { matchesFilter, mergeTask, newestFirst, oldestFirst, retiredBefore, threadsOf, type TaskFilter } from './task-rules.js';

export interface RedisStore extends TaskStore {
  /** Every key this store writes starts with it (always ends in `:`). */
  readonly prefix: string;
}

export interface RedisStoreOptions {
  /** Default: redis://127.0.0.1:6379. */
  url?: string;
  /** Key prefix, e.g. `dispatch:`; a `:` is appended when missing. */
  prefix: string;
  /** Where unreadable records are reported (default: console.error). They are skipped, never thrown. */
  onCorrupt?: CorruptRowReporter;
}

/** Pending prompts outlive their expiry by this much so a late press is told it expired. */
const PENDING_GRACE_MS = 24 * 60 * 60 * 1000;
/** Concurrent writers to one task retry their compare-and-set at most this often. */
const MAX_WRITE_ATTEMPTS = 100;
const MGET_BATCH = 500;
/** How many recently written task bodies a store keeps to skip the read before an update. */
const REMEMBERED_TASKS = 1000;

/** Connect to Redis; rejects with a clear message (no endless reconnecting) when it is unreachable. */
export async function openRedisStore(opts: RedisStoreOptions): Promise<RedisStore> {
  const client = await connectRedis(opts.url ?? DEFAULT_REDIS_URL, 'store');
  const prefix = opts.prefix.endsWith(':') ? opts.prefix : `${opts.prefix}:`;
  return new RedisTaskStore(client, prefix, opts.onCorrupt ?? reportToConsole);
}


class RedisTaskStore implements RedisStore {
  private readonly lastWritten = new Map<string, string>();

  constructor(
    private readonly client: Redis,
    readonly prefix: string,
    private readonly report: CorruptRowReporter,
  ) {}

  async putTask(task: TaskRecord): Promise<void> {
    // Most puts are new tasks: expect nothing stored and let a mismatch say what is.
    await this.writeTask(task.id, () => task, null);
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    const raw = await this.client.get(this.key.task(id));
    return raw === null ? undefined : this.decodeTask(id, raw);
  }

  async updateTask(id: string, patch: Partial<Omit<TaskRecord, 'id'>>): Promise<TaskRecord | undefined> {
    const merge = (prev: TaskRecord | undefined): TaskRecord | undefined =>
      prev ? mergeTask(prev, patch, Date.now()) : undefined;
    return this.writeTask(id, merge, this.lastWritten.get(id));
  }

  async listTasks(filter: TaskFilter = {}): Promise<TaskRecord[]> {
    const index = filter.channel === undefined ? this.key.allTasks() : this.key.channel(filter.channel);
    const ids = await this.client.zrevrange(index, 0, -1);
    // The index may briefly hold a task that moved channel; the filter is the authority.
    if (filter.limit === undefined) return (await this.loadTasks(ids)).filter((task) => matchesFilter(task, filter)).sort(newestFirst);
    // With a limit, read the newest in batches and stop once enough have matched.
    const found: TaskRecord[] = [];
    for (let start = 0; start < ids.length && found.length < filter.limit; start += MGET_BATCH) {
      found.push(...(await this.loadTasks(ids.slice(start, start + MGET_BATCH))).filter((task) => matchesFilter(task, filter)));
    }
    return found.sort(newestFirst).slice(0, filter.limit);
  }

  async countTasks(filter: TaskFilter = {}): Promise<number> {
    if (filter.active === undefined && filter.surface === undefined) {
      return this.client.zcard(filter.channel === undefined ? this.key.allTasks() : this.key.channel(filter.channel));
    }
    return (await this.listTasks(filter)).length;
  }

  async tasksInThread(surface: string, thread: string): Promise<TaskRecord[]> {
    const ids = await this.client.zrange(this.key.thread(surface, thread), 0, -1);
    const inThread = (task: TaskRecord): boolean =>
      threadsOf(task).some((t) => t.surface === surface && t.thread === thread);
    return (await this.loadTasks(ids)).filter(inThread).sort(oldestFirst);
  }

  async hasTask(id: string): Promise<boolean> {
    return (await this.client.exists(this.key.task(id))) === 1;
  }

  async removeFinishedTasks(before: number): Promise<TaskRecord[]> {
    // A task finished before the cut-off was created before it: the index by creation names every candidate.
    const ids = await this.client.zrangebyscore(this.key.allTasks(), '-inf', `(${before}`);
    const removed: TaskRecord[] = [];
    for (let start = 0; start < ids.length; start += MGET_BATCH) {
      const batch = ids.slice(start, start + MGET_BATCH);
      const bodies = await this.client.mget(batch.map((id) => this.key.task(id)));
      for (const [i, id] of batch.entries()) {
        const raw = bodies[i];
        const task = raw == null ? undefined : this.decodeTask(id, raw);
        if (raw == null || !task || !retiredBefore(task, before)) continue;
        if (await this.removeTask(task, raw)) removed.push(task);
      }
    }
    return removed;
  }

  /** Remove one task as read (`raw`), with its questions; false when it changed meanwhile. */
  private async removeTask(task: TaskRecord, raw: string): Promise<boolean> {
    const { id } = task;
    const [asked, open] = await Promise.all([this.client.smembers(this.key.questionsOf(id)), this.client.zrange(this.key.openQuestionsOf(id), 0, -1)]);
    const seqs = [...new Set([...asked, ...open])];
    const index = this.indexKeys(task);
    const gone = [...seqs.map((seq) => this.key.question(id, seq)), this.key.openQuestionsOf(id), this.key.questionsOf(id)];
    const keys = [this.key.task(id), ...index, this.key.openQuestions(), ...gone];
    const done = (await REMOVE_TASK.run(this.client, keys, [raw, id, index.length, ...seqs.map((seq) => openMember(id, seq))])) === 1;
    if (done) this.lastWritten.delete(id);
    return done;
  }

  async putPending(pending: PendingConfirm): Promise<void> {
    const body = encodeRecord(PendingConfirm, `pending ${pending.id}`, pending);
    const keepMs = Math.max(1, Math.ceil(pending.expiresAt + PENDING_GRACE_MS - Date.now()));
    await this.client.set(this.key.pending(pending.id), body, 'PX', keepMs);
  }

  async getPending(id: string): Promise<PendingConfirm | undefined> {
    return this.decodePending(id, await this.client.get(this.key.pending(id)));
  }

  async listPending(): Promise<PendingConfirm[]> {
    const found: PendingConfirm[] = [];
    const pattern = this.key.pending('*');
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
      cursor = next;
      for (const key of keys) {
        const id = key.slice(this.key.pending('').length);
        const pending = this.decodePending(id, await this.client.get(key));
        if (pending) found.push(pending);
      }
    } while (cursor !== '0');
    return found.sort((a, b) => a.expiresAt - b.expiresAt);
  }

  async takePending(id: string): Promise<PendingConfirm | undefined> {
    // GETDEL is atomic: of any number of racing presses exactly one receives the prompt.
    return this.decodePending(id, await this.client.getdel(this.key.pending(id)));
  }

  async putQuestion(q: QuestionRecord): Promise<void> {
    assertRecord(QuestionRecord, `question ${q.taskId}/${q.seq}`, q);
    const { answer, answeredAt, ...asked } = q;
    await PUT_QUESTION.run(this.client, this.questionKeys(q.taskId, q.seq), [
      JSON.stringify(asked),
      q.askedAt,
      openMember(q.taskId, q.seq),
      q.seq,
      answer === undefined ? '0' : '1',
      answer ?? '',
      answeredAt ?? '',
    ]);
  }

  async answerQuestion(taskId: string, seq: string, answer: string): Promise<boolean> {
    const args = [answer, Date.now(), openMember(taskId, seq), seq];
    return (await ANSWER_QUESTION.run(this.client, this.questionKeys(taskId, seq), args)) === 1;
  }

  async openQuestions(taskId?: string): Promise<QuestionRecord[]> {
    const refs =
      taskId === undefined
        ? (await this.client.zrange(this.key.openQuestions(), 0, -1)).flatMap(parseOpenMember)
        : (await this.client.zrange(this.key.openQuestionsOf(taskId), 0, -1)).map((seq) => ({ taskId, seq }));
    if (refs.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const ref of refs) pipeline.hgetall(this.key.question(ref.taskId, ref.seq));
    const replies = (await pipeline.exec()) ?? [];
    return refs.flatMap((ref, i) => {
      const q = this.decodeQuestion(ref, replies[i]?.[1]);
      return q && q.answer === undefined ? [q] : [];
    });
  }

  async getUserDefault(user: string): Promise<string | undefined> {
    return (await this.client.hget(this.key.userDefaults(), user)) ?? undefined;
  }

  async setUserDefault(user: string, model: string): Promise<void> {
    await this.client.hset(this.key.userDefaults(), user, model);
  }

  async firstDelivery(key: string, ttlMs: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    return (await this.client.set(this.key.delivery(key), '1', 'PX', ttl, 'NX')) === 'OK';
  }

  async acceptRequest(keys: readonly string[], request: Inbound, ttlMs: number): Promise<boolean> {
    const id = request.deliveryId;
    const body = id === undefined ? '' : encodeRecord(AcceptedRequest, `request ${id}`, { id, request, acceptedAt: Date.now() });
    const ttl = Math.max(1, Math.ceil(ttlMs));
    const accepted = await ACCEPT_REQUEST.run(this.client, [...keys.map((k) => this.key.delivery(k)), this.key.requests()], [ttl, id ?? '', body, keys.length]);
    return accepted === 1;
  }

  async finishRequest(id: string): Promise<void> {
    await this.client.hdel(this.key.requests(), id);
  }

  async unfinishedRequests(): Promise<AcceptedRequest[]> {
    const all = await this.client.hgetall(this.key.requests());
    const requests = Object.entries(all).flatMap(([id, raw]) => decodeRecord(AcceptedRequest, `request ${id}`, raw, this.report) ?? []);
    return requests.sort((a, b) => a.acceptedAt - b.acceptedAt || (a.id < b.id ? -1 : 1));
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    await this.client.quit();
  }

  /**
   * Compute and compare-and-set until no other writer got in between. `guess` is what is
   * probably stored (null: nothing); without one the task is read first.
   */
  private async writeTask(
    id: string,
    next: (prev: TaskRecord | undefined) => TaskRecord | undefined,
    guess?: string | null,
  ): Promise<TaskRecord | undefined> {
    const taskKey = this.key.task(id);
    let raw = guess !== undefined ? guess : await this.client.get(taskKey);
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const prev = raw === null ? undefined : this.decodeTask(id, raw);
      const task = next(prev);
      if (!task) return undefined;
      const body = encodeRecord(TaskRecord, `task ${id}`, task);
      const leave = prev ? this.indexKeys(prev) : [];
      const keys = [taskKey, ...leave, ...this.indexKeys(task)];
      const args = [raw === null ? '0' : '1', raw ?? '', body, id, task.createdAt, leave.length];
      const reply = await WRITE_TASK.run(this.client, keys, args);
      if (Array.isArray(reply) && reply[0] === 1) {
        this.remember(id, body);
        return task;
      }
      raw = Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : null;
    }
    throw new Error(`task ${id}: gave up after ${MAX_WRITE_ATTEMPTS} conflicting concurrent writes`);
  }

  /** Bodies this store wrote last: an update then needs one round trip, not a read first. */
  private remember(id: string, body: string): void {
    this.lastWritten.delete(id);
    this.lastWritten.set(id, body);
    if (this.lastWritten.size > REMEMBERED_TASKS) {
      const oldest = this.lastWritten.keys().next();
      if (!oldest.done) this.lastWritten.delete(oldest.value);
    }
  }

  private indexKeys(task: TaskRecord): string[] {
    const threads = threadsOf(task).map(({ surface, thread }) => this.key.thread(surface, thread));
    return [this.key.allTasks(), this.key.channel(task.where.channel), ...threads];
  }

  private async loadTasks(ids: string[]): Promise<TaskRecord[]> {
    const tasks: TaskRecord[] = [];
    for (let start = 0; start < ids.length; start += MGET_BATCH) {
      const batch = ids.slice(start, start + MGET_BATCH);
      const bodies = await this.client.mget(batch.map((id) => this.key.task(id)));
      batch.forEach((id, i) => {
        const raw = bodies[i];
        const task = raw == null ? undefined : this.decodeTask(id, raw);
        if (task) tasks.push(task);
      });
    }
    return tasks;
  }

  private decodeTask(id: string, raw: string): TaskRecord | undefined {
    return decodeRecord(TaskRecord, `task ${id}`, raw, this.report);
  }

  private decodePending(id: string, raw: string | null): PendingConfirm | undefined {
    return raw === null ? undefined : decodeRecord(PendingConfirm, `pending ${id}`, raw, this.report);
  }

  private decodeQuestion(ref: { taskId: string; seq: string }, reply: unknown): QuestionRecord | undefined {
    if (!isStringRecord(reply) || reply.q === undefined) return undefined; // gone meanwhile
    const answered: Record<string, unknown> = {};
    if (reply.answer !== undefined) answered.answer = reply.answer;
    if (reply.answeredAt) answered.answeredAt = Number(reply.answeredAt);
    return decodeRecord(QuestionRecord, `question ${ref.taskId}/${ref.seq}`, reply.q, this.report, answered);
  }

  private questionKeys(taskId: string, seq: string): string[] {
    return [this.key.question(taskId, seq), this.key.openQuestions(), this.key.openQuestionsOf(taskId), this.key.questionsOf(taskId)];
  }

  /** The key layout, in one place. Free-text parts that could contain `:` are URI-encoded. */
  private readonly key = {
    task: (id: string) => `${this.prefix}task:${id}`,
    allTasks: () => `${this.prefix}tasks`,
    channel: (channel: string) => `${this.prefix}channel:${channel}`,
    thread: (surface: string, thread: string) => `${this.prefix}thread:${surface}:${thread}`,
    pending: (id: string) => `${this.prefix}pending:${id}`,
    question: (taskId: string, seq: string) =>
      `${this.prefix}question:${encodeURIComponent(taskId)}:${encodeURIComponent(seq)}`,
    openQuestions: () => `${this.prefix}open-questions`,
    openQuestionsOf: (taskId: string) => `${this.prefix}open-questions:${encodeURIComponent(taskId)}`,
    /** Every question seq a task was asked, so removing the task finds its answered questions too. */
    questionsOf: (taskId: string) => `${this.prefix}questions:${encodeURIComponent(taskId)}`,
    userDefaults: () => `${this.prefix}user-defaults`,
    delivery: (key: string) => `${this.prefix}delivery:${key}`,
    requests: () => `${this.prefix}requests`,
  };
}

function openMember(taskId: string, seq: string): string {
  return JSON.stringify([taskId, seq]);
}

function parseOpenMember(member: string): { taskId: string; seq: string }[] {
  try {
    const parsed: unknown = JSON.parse(member);
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return [{ taskId: parsed[0], seq: parsed[1] }];
    }
  } catch {
    // fall through: a damaged index entry is skipped
  }
  return [];
}

function isStringRecord(value: unknown): value is Record<string, string | undefined> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
