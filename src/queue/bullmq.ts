import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { RunnerGoneError, messageOf } from '../errors/index.js';
import type { TaskQueue } from './port.js';
import type { QueueStats, QueueStatsSource } from './stats.js';
import { open, sign } from './signed.js';
import {
  DEFAULT_REDIS_URL, EventEnvelope, REMOVE_BATCH, RunnerReply, STREAM_MAXLEN, WorktreeRemoval, liveRunners, parseOwner, patientRedis, pinnedQueue, queueKeys,
  type CommandBody, type OnRunnerLost, type QueueKeys, type RunnerInfo, type TaskJob,
} from './bullmq-wire.js';
import { closeRedis } from '../util/redis.js';
import { TASK_JOB_OPTIONS, TaskQueues } from './task-queues.js';
import { LuaScript } from '../store/redis-scripts.js';
import { BranchPush, FilesRemoved, TaskSpec, addFilesRemoved, noFilesRemoved, type BranchTarget, type TaskEvent, type TaskEventListener, type TaskFiles } from '../task/index.js';

export interface BullQueueOptions {
  /** Default: redis://127.0.0.1:6379. */
  url?: string;
  /** Key prefix shared by the bot and its runners, e.g. `dispatch`; a `:` is appended when missing. */
  prefix: string;
  /** DISPATCH_SECRET: signs jobs and commands, checks events. */
  secret: string;
  /** `limits.on_runner_lost` of the bot's config, read at each submit. */
  onRunnerLost?: () => OnRunnerLost;
  /** How long a routed call waits for a runner that is up (default 30 s). */
  commandTimeoutMs?: number;
  /** Where refused (forged) events and Redis trouble are reported (default: stderr). */
  log?: (line: string) => void;
}

/** Figures for health and metrics: tasks waiting and running, and the runners that are up. */
export interface QueueFigures {
  waiting: number;
  active: number;
  runners: RunnerInfo[];
}

export interface BullTaskQueue extends TaskQueue, QueueStatsSource {
  /** Every key this queue uses starts with it (always ends in `:`). */
  readonly prefix: string;
  figures(): Promise<QueueFigures>;
}

/** Remove owner entries still as read. KEYS: the owners hash. ARGV: task id, owner read, … */
const FORGET_OWNERS = new LuaScript(`
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return 0
`);

/** How long one step of closing may take before its connection is cut. */
const CLOSE_STEP_MS = 3_000;

async function within(work: Promise<unknown>, onTimeout: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_STEP_MS)));
  const result = await Promise.race([work.then(() => 'ok' as const, () => 'ok' as const), late]);
  clearTimeout(timer);
  if (result === 'late') onTimeout();
}

/** After a failed stream read (Redis restarting), wait before the next so the loop does not spin. */
const READ_RETRY_MS = 500;

/** The gateway's side of the BullMQ queue: submits jobs, routes calls to runners, reads their events. */
export async function openBullQueue(opts: BullQueueOptions): Promise<BullTaskQueue> {
  const url = opts.url ?? DEFAULT_REDIS_URL;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const keys = queueKeys(opts.prefix);
  const conn = {
    client: patientRedis(url, 'queue', log),
    reader: patientRedis(url, 'queue events', log),
    replies: patientRedis(url, 'queue replies', log),
  };
  const queue = new GatewayQueue(conn, keys, { ...opts, log, commandTimeoutMs: opts.commandTimeoutMs ?? 30_000 }, url);
  try {
    await queue.start();
  } catch (err) {
    await queue.close();
    throw err;
  }
  return queue;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

class GatewayQueue implements BullTaskQueue {
  private readonly listeners = new Set<TaskEventListener>();
  private readonly pending = new Map<string, Pending>();
  private readonly replyChannel: string;
  /** The latest start of each task heard of: events of an earlier start that lost its runner are stale. */
  private readonly attempts = new Map<string, number>();
  private readonly tasks: TaskQueues;
  private readonly pinned = new Map<string, Queue>();
  private lastEventId = '$';
  private closed = false;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly conn: { client: Redis; reader: Redis; replies: Redis },
    private readonly keys: QueueKeys,
    private readonly opts: BullQueueOptions & { log: (line: string) => void; commandTimeoutMs: number },
    private readonly url: string,
  ) {
    this.replyChannel = keys.replies(randomUUID());
    // A job that stalled more often than BullMQ allows lost its runners twice: nobody runs it now.
    const onFailed = (jobId: string, reason: string) => void this.onFailed(jobId, reason);
    this.tasks = new TaskQueues(conn.client, keys, { url, secret: opts.secret, onFailed, log: opts.log });
  }

  get prefix(): string {
    return this.keys.prefix;
  }

  async start(): Promise<void> {
    await this.conn.client.ping();
    // Events a runner sent while the gateway was down (a task finishing during its restart) are
    // read from where the last gateway stopped; only a first start begins at the stream's end.
    const read = await this.conn.client.get(this.keys.eventsRead);
    const last = read ? [[read]] : await this.conn.client.xrevrange(this.keys.events, '+', '-', 'COUNT', 1);
    this.lastEventId = last[0]?.[0] ?? '0-0';
    this.conn.replies.on('message', (_channel: string, message: string) => this.onReply(message));
    await this.conn.replies.subscribe(this.replyChannel);
    await this.tasks.all();
    await this.tasks.moveLegacySoon();
    this.reading = this.readEvents();
  }

  async submit(input: TaskSpec): Promise<void> {
    if (this.closed) throw new Error('this queue is closed');
    const spec = TaskSpec.parse(input);
    const job: TaskJob = { spec, onRunnerLost: this.opts.onRunnerLost?.() ?? 'restart' };
    if (spec.resume) {
      // The runner that ran the task keeps its worktree and the worker's state: resume it there.
      const owner = parseOwner(await this.conn.client.hget(this.keys.owners, spec.id));
      if (owner) {
        await this.pinnedQueue(owner.runner).add('resume', sign(this.opts.secret, 'job', job), { ...TASK_JOB_OPTIONS, jobId: `${spec.id}-resume-${Date.now()}` });
        return;
      }
    }
    const runners = await this.runnersUp();
    const able = runners.filter((r) => canRun(r, spec));
    if (runners.length > 0 && able.length === 0) {
      // Ended at once, in its own thread: waiting would leave it queued with nobody to run it.
      await this.publish({ type: 'finished', taskId: spec.id, state: 'failed', summary: `${missingRunner(spec, runners)}.` });
      return;
    }
    // A task waits in its backend's queue until a runner with that CLI takes it; a finished job of
    // the same id (a retry) is replaced.
    const queue = await this.tasks.forBackend(spec.backend);
    await queue.remove(spec.id).catch(() => 0);
    await queue.add('task', sign(this.opts.secret, 'job', job), { ...TASK_JOB_OPTIONS, jobId: spec.id });
    if (runners.length === 0) this.deliver({ type: 'activity', taskId: spec.id, text: 'queued: waiting for a runner (none is up)' });
    else if (able.every((r) => r.busy >= r.concurrency)) this.deliver({ type: 'activity', taskId: spec.id, text: `queued: waiting for a runner (${able.length} busy)` });
  }

  subscribe(listener: TaskEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async cancel(taskId: string): Promise<void> {
    for (const queue of await this.tasks.all()) {
      const job = await queue.getJob(taskId);
      const state = job ? await job.getState() : 'unknown';
      if (job && (state === 'waiting' || state === 'delayed' || state === 'prioritized')) {
        await job.remove();
        await this.publish({ type: 'finished', taskId, state: 'cancelled' });
        return;
      }
    }
    await this.request(await this.ownerOf(taskId), taskId, { op: 'cancel', taskId });
  }

  async answer(taskId: string, seq: string, text: string): Promise<void> {
    await this.request(await this.ownerOf(taskId), taskId, { op: 'answer', taskId, seq, text });
  }

  async note(taskId: string, text: string): Promise<void> {
    await this.request(await this.ownerOf(taskId), taskId, { op: 'note', taskId, text });
  }

  async logs(taskId: string, lines: number): Promise<string> {
    const value = await this.request(await this.ownerOf(taskId), taskId, { op: 'logs', taskId, lines });
    if (typeof value !== 'string') throw new Error(`task ${taskId}: its runner sent no log text`);
    return value;
  }

  async removeWorktree(target: { taskId: string; repo: string; path: string; branch: string }): Promise<{ removed: boolean; message: string }> {
    const value = await this.request(await this.ownerOf(target.taskId), target.taskId, { op: 'removeWorktree', taskId: target.taskId, target });
    const report = WorktreeRemoval.safeParse(value);
    if (!report.success) throw new Error(`task ${target.taskId}: its runner sent no worktree report`);
    return report.data;
  }

  async pushBranch(target: BranchTarget, opts?: { dryRun?: boolean }): Promise<BranchPush> {
    const value = await this.request(await this.ownerOf(target.taskId), target.taskId, { op: 'pushBranch', taskId: target.taskId, target, dryRun: opts?.dryRun === true });
    const push = BranchPush.safeParse(value);
    if (!push.success) throw new Error(`task ${target.taskId}: its runner sent no push report`);
    return push.data;
  }

  /**
   * The files are on the runner that ran each task, so the removal goes to it through its command
   * stream, like `cleanup <id>`: that runner may be on another host, and only it can say what it
   * removed. (A timer on each runner could only guess from file ages which tasks the store still
   * holds.) A runner that is down removes them when it is back; the owner entries go now.
   */
  async removeTaskFiles(tasks: readonly TaskFiles[]): Promise<FilesRemoved> {
    let total = noFilesRemoved();
    if (tasks.length === 0) return total;
    const owners = await this.conn.client.hmget(this.keys.owners, ...tasks.map((t) => t.taskId));
    const byRunner = new Map<string, TaskFiles[]>();
    tasks.forEach((task, i) => {
      const owner = parseOwner(owners[i]);
      if (owner) byRunner.set(owner.runner, [...(byRunner.get(owner.runner) ?? []), task]);
    });
    for (const [runner, theirs] of byRunner) {
      for (let start = 0; start < theirs.length; start += REMOVE_BATCH) {
        const batch = theirs.slice(start, start + REMOVE_BATCH);
        total = addFilesRemoved(total, await this.removeOn(runner, batch));
      }
    }
    // An entry changed since it was read belongs to a new task that took the id: it stays.
    const known = tasks.flatMap((t, i) => (owners[i] == null ? [] : [t.taskId, owners[i]]));
    if (known.length > 0) await FORGET_OWNERS.run(this.conn.client, [this.keys.owners], known);
    for (const task of tasks) this.attempts.delete(task.taskId);
    return total;
  }

  private async removeOn(runner: string, batch: TaskFiles[]): Promise<FilesRemoved> {
    const first = batch[0]?.taskId ?? '';
    try {
      const value = await this.request(runner, first, { op: 'removeTaskFiles', taskId: first, tasks: batch });
      const removed = FilesRemoved.safeParse(value);
      if (removed.success) return removed.data;
    } catch (err) {
      this.opts.log(`dispatch-bot queue: removing the files of ${batch.length} task(s) on runner ${runner}: ${messageOf(err)}`);
    }
    // Not answered (the runner is down, or slow): the command stays in its stream until it is handled.
    return { ...noFilesRemoved(), later: batch.length };
  }

  async figures(): Promise<QueueFigures> {
    let waiting = 0;
    let active = 0;
    for (const queue of await this.tasks.all()) {
      const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
      waiting += (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0);
      active += counts.active ?? 0;
    }
    return { waiting, active, runners: await this.runnersUp() };
  }

  async stats(): Promise<QueueStats> {
    const f = await this.figures();
    return { depth: f.waiting, running: f.active, runnersUp: f.runners.length };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('the queue closed before the runner answered'));
      this.pending.delete(id);
    }
    this.conn.reader.disconnect();
    // Closing must not hang on a Redis that is not answering: each step gets a bound, then the socket is cut.
    const log = (what: string) => () => this.opts.log(`dispatch-bot queue: closing ${what} took over ${CLOSE_STEP_MS} ms; cut it`);
    await within(this.reading, log('the event reader'));
    await this.tasks.close((work, what, cut) => within(work, () => {
      log(what)();
      cut();
    }));
    for (const q of this.pinned.values()) await within(q.close(), log(`queue ${q.name}`));
    await within(closeRedis(this.conn.replies), log('the reply channel'));
    await within(closeRedis(this.conn.client), log('the connection'));
    this.conn.replies.disconnect();
    this.conn.client.disconnect();
    this.listeners.clear();
  }

  private pinnedQueue(runner: string): Queue {
    let queue = this.pinned.get(runner);
    if (!queue) {
      queue = new Queue(pinnedQueue(runner), { connection: this.conn.client, prefix: this.keys.bull });
      queue.on('error', () => undefined);
      this.pinned.set(runner, queue);
    }
    return queue;
  }

  private async runnersUp(): Promise<RunnerInfo[]> {
    return liveRunners(await this.conn.client.hgetall(this.keys.runners), Date.now());
  }

  private async ownerOf(taskId: string): Promise<string> {
    const owner = parseOwner(await this.conn.client.hget(this.keys.owners, taskId));
    if (!owner) throw new Error(`no runner has task ${taskId} (unknown task, or no runner took it yet)`);
    return owner.runner;
  }

  private async onFailed(jobId: string, reason: string): Promise<void> {
    if (!/stalled/i.test(reason)) return; // refused jobs (forged, unreadable) are the runner's to log
    const owner = parseOwner(await this.conn.client.hget(this.keys.owners, jobId));
    const who = owner ? `runner ${owner.runner}` : 'its runner';
    await this.publish({ type: 'finished', taskId: jobId, state: 'interrupted', summary: `${who} stopped answering and no other runner could finish the task; Retry starts it again.` });
  }

  /** The gateway's own events (a cancel while queued, a lost task) go through the stream too, so they keep their order. */
  private async publish(event: TaskEvent): Promise<void> {
    const envelope: EventEnvelope = { runner: 'gateway', attempt: Number.MAX_SAFE_INTEGER, event };
    await this.conn.client.xadd(this.keys.events, 'MAXLEN', '~', STREAM_MAXLEN, '*', 'event', JSON.stringify(sign(this.opts.secret, 'event', envelope)));
  }

  /**
   * Append a command to the runner's own stream, where it stays until that runner has handled
   * it, and wait for the reply. A runner that is down gets it when it is back: a call that changes
   * the worker (answer, note, cancel) is then done as far as the caller is concerned; one that
   * needs what the runner has (logs, worktree, push) fails naming the runner.
   */
  private async request(runner: string, taskId: string, body: CommandBody): Promise<unknown> {
    if (this.closed) throw new Error('this queue is closed');
    const up = (await this.runnersUp()).some((r) => r.id === runner);
    const durable = body.op === 'answer' || body.op === 'note' || body.op === 'cancel' || body.op === 'removeTaskFiles';
    if (!up && !durable) throw new RunnerGoneError(taskId, runner);
    const id = randomUUID();
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`task ${taskId}: runner ${runner} did not answer ${body.op} within ${this.opts.commandTimeoutMs} ms`));
      }, this.opts.commandTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
    const command = sign(this.opts.secret, 'command', { ...body, id, replyTo: this.replyChannel });
    await this.conn.client.xadd(this.keys.commands(runner), 'MAXLEN', '~', STREAM_MAXLEN, '*', 'command', JSON.stringify(command));
    if (!up) {
      this.settle(id, { id, ok: true });
      this.opts.log(`dispatch-bot queue: runner ${runner} is not up; its ${body.op} for ${taskId} waits until it is back`);
    }
    return reply;
  }

  private onReply(message: string): void {
    const opened = open(this.opts.secret, 'reply', message, RunnerReply);
    if (!opened.ok) return this.opts.log(`dispatch-bot queue: refused ${opened.why} on the reply channel`);
    this.settle(opened.value.id, opened.value);
  }

  private settle(id: string, reply: RunnerReply): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    clearTimeout(waiting.timer);
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(new Error(reply.error));
  }

  /** Follows the stream from the last id seen, so a Redis restart loses nothing. */
  private async readEvents(): Promise<void> {
    while (!this.closed) {
      let batch: [string, [string, string[]][]][] | null;
      try {
        batch = await this.conn.reader.xread('BLOCK', 0, 'STREAMS', this.keys.events, this.lastEventId);
      } catch (err) {
        if (this.closed) return;
        this.opts.log(`dispatch-bot queue: reading task events failed: ${messageOf(err)}`);
        await new Promise((r) => setTimeout(r, READ_RETRY_MS));
        continue;
      }
      for (const [, entries] of batch ?? []) {
        for (const [id, fields] of entries) {
          this.lastEventId = id;
          const at = fields.indexOf('event');
          this.onStreamEntry(at >= 0 ? fields[at + 1] : undefined);
        }
      }
      await this.conn.client.set(this.keys.eventsRead, this.lastEventId).catch((err: unknown) => this.opts.log(`dispatch-bot queue: could not keep the event stream's position: ${messageOf(err)}`));
    }
  }

  private onStreamEntry(raw: string | undefined): void {
    const opened = open(this.opts.secret, 'event', raw ?? '', EventEnvelope);
    if (!opened.ok) return this.opts.log(`dispatch-bot queue: refused ${opened.why} on the event stream`);
    const { attempt, event, runner } = opened.value;
    const latest = this.attempts.get(event.taskId) ?? 0;
    // A runner that lost its lock may still report; the start that replaced it is the one that counts.
    if (attempt < latest) return this.opts.log(`dispatch-bot queue: ignored ${event.type} of ${event.taskId} from runner ${runner}: the task was restarted since`);
    if (attempt !== Number.MAX_SAFE_INTEGER) this.attempts.set(event.taskId, attempt);
    if (!this.closed) this.deliver(event);
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

export function canRun(runner: RunnerInfo, spec: TaskSpec): boolean {
  return runner.backends.includes(spec.backend) && (runner.repos === undefined || runner.repos.includes(spec.repo.path));
}

/** "no runner has codex; runners up: r1 (claude, gemini)" */
function missingRunner(spec: TaskSpec, runners: RunnerInfo[]): string {
  const withBackend = runners.filter((r) => r.backends.includes(spec.backend));
  const what = withBackend.length === 0 ? `no runner has ${spec.backend}` : `no runner with ${spec.backend} serves ${spec.repo.name}`;
  return `${what}; runners up: ${runners.map((r) => `${r.id} (${r.backends.join(', ') || 'no agent CLI'})`).join(', ')}`;
}
