import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RunnerGoneError, messageOf } from '../errors/index.js';
import type { TaskQueue } from './port.js';
import { DEFAULT_REDIS_URL, RunnerReply, STREAM_MAXLEN, WorktreeRemoval, closeRedis, connectRedis, decodeEvent, queueKeys, type QueueKeys, type RunnerCommand } from './redis-wire.js';
import { BranchPush, TaskSpec, type BranchTarget, type TaskEvent, type TaskEventListener } from '../task/index.js';

export interface RedisQueueOptions {
  /** Default: redis://127.0.0.1:6379. */
  url?: string;
  /** Key prefix shared by the bot and its runners, e.g. `dispatch`; a `:` is appended when missing. */
  prefix: string;
  /** How long a routed call (cancel, answer, note, logs, removeWorktree, pushBranch) waits for the runner (default 30 s). */
  commandTimeoutMs?: number;
}

export interface RedisQueue extends TaskQueue {
  /** Every key this queue uses starts with it (always ends in `:`). */
  readonly prefix: string;
}

/** After a failed stream read (Redis restarting), wait before the next so the loop does not spin. */
const READ_RETRY_MS = 500;

/** Takes a spec still waiting in the work list out of it, and reports it cancelled, in one step. */
const CANCEL_WAITING = `
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for _, raw in ipairs(items) do
  local ok, spec = pcall(cjson.decode, raw)
  if ok and type(spec) == 'table' and spec.id == ARGV[1] then
    redis.call('LREM', KEYS[1], 1, raw)
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'event', ARGV[2])
    return 1
  end
end
return 0`;

/**
 * Connect a queue client (the bot's side): one connection for commands, one blocked reading the
 * event stream, one subscribed to the replies of its routed calls.
 */
export async function openRedisQueue(opts: RedisQueueOptions): Promise<RedisQueue> {
  const url = opts.url ?? DEFAULT_REDIS_URL;
  const client = await connectRedis(url, 'queue');
  const opened: Redis[] = [client];
  try {
    const reader = await connectRedis(url, 'queue events');
    opened.push(reader);
    const replies = await connectRedis(url, 'queue replies');
    opened.push(replies);
    const queue = new RedisTaskQueue({ client, reader, replies }, queueKeys(opts.prefix), opts.commandTimeoutMs ?? 30_000);
    await queue.start();
    return queue;
  } catch (err) {
    for (const c of opened) c.disconnect();
    throw err;
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

type CommandBody = RunnerCommand extends infer C ? (C extends unknown ? Omit<C, 'id' | 'replyTo'> : never) : never;

class RedisTaskQueue implements RedisQueue {
  private readonly listeners = new Set<TaskEventListener>();
  private readonly pending = new Map<string, Pending>();
  private readonly replyChannel: string;
  private lastEventId = '0-0';
  private closed = false;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly conn: { client: Redis; reader: Redis; replies: Redis },
    private readonly keys: QueueKeys,
    private readonly commandTimeoutMs: number,
  ) {
    this.replyChannel = keys.replies(randomUUID());
  }

  get prefix(): string {
    return this.keys.prefix;
  }

  /** Read events from the stream's current end (so none written after open is missed) and listen for replies. */
  async start(): Promise<void> {
    const last = await this.conn.client.xrevrange(this.keys.events, '+', '-', 'COUNT', 1);
    this.lastEventId = last[0]?.[0] ?? '0-0';
    this.conn.replies.on('message', (_channel: string, message: string) => this.onReply(message));
    await this.conn.replies.subscribe(this.replyChannel);
    this.reading = this.readEvents();
  }

  async submit(input: TaskSpec): Promise<void> {
    if (this.closed) throw new Error('this queue is closed');
    const spec = TaskSpec.parse(input);
    if (spec.resume) {
      // The runner that ran the task keeps its worktree and the worker's state: resume it there.
      const owner = await this.conn.client.hget(this.keys.owners, spec.id);
      if (owner) {
        try {
          await this.request(owner, spec.id, { op: 'submit', taskId: spec.id, spec });
          return;
        } catch (err) {
          if (!(err instanceof RunnerGoneError)) throw err;
        }
      }
    }
    await this.conn.client.lpush(this.keys.work, JSON.stringify(spec));
  }

  subscribe(listener: TaskEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async cancel(taskId: string): Promise<void> {
    const owner = await this.conn.client.hget(this.keys.owners, taskId);
    if (owner) {
      await this.request(owner, taskId, { op: 'cancel', taskId });
      return;
    }
    const event: TaskEvent = { type: 'finished', taskId, state: 'cancelled' };
    const removed = await this.conn.client.eval(CANCEL_WAITING, 2, this.keys.work, this.keys.events, taskId, JSON.stringify(event), String(STREAM_MAXLEN));
    if (removed !== 1) throw unknownTask(taskId);
  }

  async answer(taskId: string, seq: string, text: string): Promise<void> {
    await this.request(await this.ownerOf(taskId), taskId, { op: 'answer', taskId, seq, text });
  }

  async note(taskId: string, text: string): Promise<void> {
    await this.request(await this.ownerOf(taskId), taskId, { op: 'note', taskId, text });
  }

  async logs(taskId: string, lines: number): Promise<string> {
    const value = await this.request(await this.ownerOf(taskId), taskId, { op: 'logs', taskId, lines });
    if (typeof value !== 'string') throw new Error(`task ${taskId}: its runner host sent no log text`);
    return value;
  }

  async removeWorktree(target: { taskId: string; repo: string; path: string; branch: string }): Promise<{ removed: boolean; message: string }> {
    // The runner that ran the task holds its worktree on its disk.
    const value = await this.request(await this.ownerOf(target.taskId), target.taskId, { op: 'removeWorktree', taskId: target.taskId, target });
    const report = WorktreeRemoval.safeParse(value);
    if (!report.success) throw new Error(`task ${target.taskId}: its runner host sent no worktree report`);
    return report.data;
  }

  async pushBranch(target: BranchTarget, opts?: { dryRun?: boolean }): Promise<BranchPush> {
    const value = await this.request(await this.ownerOf(target.taskId), target.taskId, { op: 'pushBranch', taskId: target.taskId, target, dryRun: opts?.dryRun === true });
    const push = BranchPush.safeParse(value);
    if (!push.success) throw new Error(`task ${target.taskId}: its runner host sent no push report`);
    return push.data;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('the queue closed before the runner host answered'));
      this.pending.delete(id);
    }
    // The reader is blocked in XREAD: cut it rather than wait for an event.
    this.conn.reader.disconnect();
    await this.reading;
    await closeRedis(this.conn.replies);
    await closeRedis(this.conn.client);
    this.listeners.clear();
  }

  private async ownerOf(taskId: string): Promise<string> {
    const owner = await this.conn.client.hget(this.keys.owners, taskId);
    if (!owner) throw unknownTask(taskId);
    return owner;
  }

  /** Publish a call on the owner's channel and wait for its reply; nobody listening means the runner is gone. */
  private async request(hostId: string, taskId: string, body: CommandBody): Promise<unknown> {
    if (this.closed) throw new Error('this queue is closed');
    const id = randomUUID();
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`task ${taskId}: runner host ${hostId} did not answer ${body.op} within ${this.commandTimeoutMs} ms`));
      }, this.commandTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
    const receivers = await this.conn.client.publish(this.keys.commands(hostId), JSON.stringify({ ...body, id, replyTo: this.replyChannel })).catch((err: unknown) => {
      this.settle(id, { id, ok: false, error: messageOf(err) });
      return -1;
    });
    if (receivers === 0) {
      const waiting = this.pending.get(id);
      this.pending.delete(id);
      if (waiting) {
        clearTimeout(waiting.timer);
        waiting.reject(new RunnerGoneError(taskId, hostId));
      }
    }
    return reply;
  }

  private onReply(message: string): void {
    let parsed: ReturnType<typeof RunnerReply.safeParse>;
    try {
      parsed = RunnerReply.safeParse(JSON.parse(message));
    } catch {
      return process.emitWarning('dispatch-bot queue: skipped an unreadable runner reply');
    }
    if (!parsed.success) return process.emitWarning(`dispatch-bot queue: skipped a malformed runner reply: ${parsed.error.message}`);
    this.settle(parsed.data.id, parsed.data);
  }

  private settle(id: string, reply: RunnerReply): void {
    const waiting = this.pending.get(id);
    if (!waiting) return; // timed out already, or another client's
    this.pending.delete(id);
    clearTimeout(waiting.timer);
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(new Error(reply.error));
  }

  /** Follows the stream from the last id seen, so a brief reconnect loses nothing. */
  private async readEvents(): Promise<void> {
    while (!this.closed) {
      let batch: [string, [string, string[]][]][] | null;
      try {
        batch = await this.conn.reader.xread('BLOCK', 0, 'STREAMS', this.keys.events, this.lastEventId);
      } catch (err) {
        if (this.closed) return;
        process.emitWarning(`dispatch-bot queue: reading task events failed: ${messageOf(err)}`);
        await new Promise((r) => setTimeout(r, READ_RETRY_MS));
        continue;
      }
      for (const [, entries] of batch ?? []) {
        for (const [id, fields] of entries) {
          this.lastEventId = id;
          const at = fields.indexOf('event');
          const raw = at >= 0 ? fields[at + 1] : undefined;
          const event = raw === undefined ? undefined : decodeEvent(raw);
          if (event && !this.closed) this.deliver(event);
        }
      }
    }
  }

  private deliver(event: TaskEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        process.emitWarning(`task event listener failed on ${event.type}: ${messageOf(err)}`);
      }
    }
  }
}

function unknownTask(taskId: string): Error {
  return new Error(`no runner host has task ${taskId} (unknown task, or its runner never took it)`);
}
