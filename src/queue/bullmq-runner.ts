import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DelayedError, Job, Queue, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { messageOf } from '../errors/index.js';
import type { RunnerHost } from '../runner/host.js';
import { branchName } from '../runner/paths.js';
import type { TaskEvent, TaskSpec } from '../task/index.js';
import { closeRedis } from '../util/redis.js';
import { open, sign } from './signed.js';
import { Slots } from './slots.js';
import {
  DEFAULT_REDIS_URL, LEGACY_TASKS_QUEUE, RUNNER_TTL_MS, RunnerCommand, STREAM_MAXLEN, TaskJob, backendQueue, isBackendQueue, parseOwner, patientRedis, pinnedQueue, queueKeys,
  type EventEnvelope, type Owner, type QueueKeys, type RunnerInfo, type RunnerReply,
} from './bullmq-wire.js';

export interface ServeRunnerOptions {
  /** Default: redis://127.0.0.1:6379. */
  url?: string;
  /** The key prefix the bot's queue uses. */
  prefix: string;
  /** DISPATCH_SECRET: jobs and commands not signed with it are refused and logged. */
  secret: string;
  host: RunnerHost;
  /** Names this runner; keep it stable across restarts to re-adopt its workers (default: hostname-pid-random). */
  runnerId?: string;
  /** Tasks this runner runs at once, whichever queue they come from. */
  concurrency: number;
  /** Backends whose CLI this runner has: it takes tasks from those backends' queues only. */
  backends: string[];
  /** Repository paths this runner serves (absent: every repository). */
  repos?: string[];
  /**
   * How long a task's lock lasts without renewal (renewed at half of it while the task runs):
   * a runner that stopped answering is noticed within about twice this (default 30 s).
   */
  lockMs?: number;
  /** How often a lost task (its lock expired) is looked for (default: lockMs). */
  stalledMs?: number;
  /** How long a task this runner cannot run (or will not, stopping) goes back to the queue for (default 1 s). */
  bounceMs?: number;
  /** Where problems and refused jobs or commands are reported (default: stderr). */
  log?: (line: string) => void;
}

export interface ServedRunner {
  readonly runnerId: string;
  /** How many tasks it runs now. */
  busy(): number;
  /** How many times it put back a task it cannot run (a repository it does not serve, a CLI it lacks). */
  bounced(): number;
  /**
   * Stop taking tasks. Running ones keep their worker: with `drainMs`, up to that long for them
   * to finish, then the rest are stopped and handed back to the queue for another runner;
   * without it they keep running, for this runner's next start to re-adopt.
   */
  stop(opts?: { drainMs?: number }): Promise<void>;
}

/** A task this runner cannot run goes back to the queue for this long, so a runner that can takes it. */
const DEFAULT_BOUNCE_MS = 1_000;
/** After a failed command read (Redis restarting), wait before the next so the loop does not spin. */
const READ_RETRY_MS = 500;

/** Serve a runner host on the BullMQ queue: one BullMQ worker takes tasks, events and commands flow through Redis. */
export async function serveRunner(opts: ServeRunnerOptions): Promise<ServedRunner> {
  const runner = new QueueRunner(opts);
  try {
    await runner.start();
  } catch (err) {
    await runner.stop();
    throw err;
  }
  return runner;
}

interface Running {
  attempt: number;
  job: Job;
  token: string;
  /** Resolves when the task finished or its worker gave up waiting: the job is then complete. */
  settle: () => void;
  done: Promise<void>;
  /** Set when this runner stops the worker to hand the task back: its events no longer speak for the task. */
  handedBack: boolean;
  /** Re-adopted after a restart: its lock is renewed here, not by the BullMQ worker. */
  renew?: NodeJS.Timeout;
  /** Why this start happened (its first runner stopped answering), repeated in the final report. */
  notice?: string;
}

class QueueRunner implements ServedRunner {
  readonly runnerId: string;
  private readonly log: (line: string) => void;
  private readonly keys: QueueKeys;
  private readonly lockMs: number;
  private readonly client: Redis;
  private readonly commandReader: Redis;
  private readonly running = new Map<string, Running>();
  private readonly workers: Worker[] = [];
  private readonly slots: Slots;
  private readonly queues = new Map<string, Queue>();
  private unsubscribe: () => void = () => undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  private outbox: Promise<void> = Promise.resolve();
  private stopping = false;
  private bounces = 0;

  constructor(private readonly opts: ServeRunnerOptions) {
    const url = opts.url ?? DEFAULT_REDIS_URL;
    this.runnerId = opts.runnerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    this.keys = queueKeys(opts.prefix);
    this.lockMs = opts.lockMs ?? 30_000;
    this.slots = new Slots(Math.max(1, opts.concurrency), (line) => this.log(`runner ${this.runnerId}: ${line}`));
    this.client = patientRedis(url, `runner ${this.runnerId}`, this.log);
    this.commandReader = patientRedis(url, `runner ${this.runnerId} commands`, this.log);
  }

  busy(): number {
    return [...this.running.values()].filter((r) => !r.handedBack).length;
  }

  bounced(): number {
    return this.bounces;
  }

  async start(): Promise<void> {
    await this.client.ping();
    this.unsubscribe = this.opts.host.subscribe((event) => this.onEvent(event));
    // Its own workers first (a restart under the same id), then the commands sent meanwhile, then new work.
    await this.readopt();
    this.reading = this.readCommands();
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat(), RUNNER_TTL_MS / 3);
    // One worker per queue this runner takes from, all under the one cap of its slots.
    const names = [...new Set(this.opts.backends)].map(backendQueue);
    for (const name of [...names, pinnedQueue(this.runnerId), LEGACY_TASKS_QUEUE]) this.workers.push(this.worker(name));
    for (const worker of this.workers) {
      this.slots.add(worker);
      void worker.run().catch((err: unknown) => this.log(`runner ${this.runnerId}: taking tasks failed: ${messageOf(err)}`));
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  private worker(name: string): Worker {
    const worker = new Worker(name, (job, token) => this.process(job, token ?? ''), {
      connection: { url: this.opts.url ?? DEFAULT_REDIS_URL, maxRetriesPerRequest: null } as never,
      prefix: this.keys.bull,
      concurrency: this.slots.cap,
      name: this.runnerId,
      lockDuration: this.lockMs,
      stalledInterval: this.opts.stalledMs ?? this.lockMs,
      maxStalledCount: 1,
      autorun: false,
    });
    worker.on('error', (err) => this.log(`runner ${this.runnerId}: ${messageOf(err)}`));
    return worker;
  }

  async stop(opts: { drainMs?: number } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.slots.close();
    await Promise.all(this.workers.map((w) => w.pause(true).catch(() => undefined)));
    if (opts.drainMs !== undefined) await this.drain(opts.drainMs);
    clearInterval(this.heartbeat);
    for (const r of this.running.values()) clearInterval(r.renew);
    // Forced: a task still running keeps its lock until it expires, or until this runner's next start renews it.
    await Promise.all(this.workers.map((w) => w.close(true).catch(() => undefined)));
    for (const q of this.queues.values()) await q.close().catch(() => undefined);
    this.unsubscribe();
    await this.outbox;
    await this.client.hdel(this.keys.runners, this.runnerId).catch(() => undefined);
    this.commandReader.disconnect();
    await this.reading;
    await closeRedis(this.client);
  }

  /** Let running tasks finish for up to `ms`, then stop the rest and hand them back to the queue. */
  private async drain(ms: number): Promise<void> {
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
    for (const [taskId, run] of this.running) {
      run.handedBack = true;
      this.log(`runner ${this.runnerId}: handing task ${taskId} back to the queue (still running after ${ms} ms)`);
      await this.markHandedBack(taskId);
      await this.opts.host.cancel(taskId).catch((err: unknown) => this.log(`runner ${this.runnerId}: stopping ${taskId}: ${messageOf(err)}`));
      run.settle();
    }
  }

  private async markHandedBack(taskId: string): Promise<void> {
    const owner = parseOwner(await this.client.hget(this.keys.owners, taskId));
    if (owner?.runner === this.runnerId) await this.client.hset(this.keys.owners, taskId, JSON.stringify({ ...owner, handedBack: true }));
  }

  private async beat(): Promise<void> {
    const info: RunnerInfo = {
      id: this.runnerId,
      backends: this.opts.backends,
      ...(this.opts.repos ? { repos: this.opts.repos } : {}),
      concurrency: Math.max(1, this.opts.concurrency),
      busy: this.busy(),
      seenAt: Date.now(),
    };
    await this.client.hset(this.keys.runners, this.runnerId, JSON.stringify(info)).catch((err: unknown) => this.log(`runner ${this.runnerId}: heartbeat failed: ${messageOf(err)}`));
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.client, prefix: this.keys.bull });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** One job, in one of this runner's slots: none free, and it goes back for another runner. */
  private async process(job: Job, token: string): Promise<void> {
    if (!this.slots.take()) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    try {
      await this.take(job, token);
    } finally {
      this.slots.release();
    }
  }

  /** Check the job, run its task on the host, and hold the job (its lock renewed by BullMQ) until the task ends. */
  private async take(job: Job, token: string): Promise<void> {
    const opened = open(this.opts.secret, 'job', job.data, TaskJob);
    if (!opened.ok) {
      this.log(`runner ${this.runnerId}: refused job ${job.id ?? '?'}: ${opened.why}`);
      throw new UnrecoverableError(`refused by runner ${this.runnerId}: ${opened.why}`);
    }
    const { spec, onRunnerLost } = opened.value;
    if (job.id !== spec.id && !job.id?.startsWith(`${spec.id}-resume-`)) {
      this.log(`runner ${this.runnerId}: refused job ${job.id ?? '?'}: it carries task ${spec.id}`);
      throw new UnrecoverableError('the job id does not match its task');
    }
    if (isBackendQueue(job.queueName) && job.queueName !== backendQueue(spec.backend)) {
      this.log(`runner ${this.runnerId}: refused job ${job.id ?? '?'}: a ${spec.backend} task in queue ${job.queueName}`);
      throw new UnrecoverableError('the job is in another backend\'s queue');
    }
    if (!this.opts.backends.includes(spec.backend) || (this.opts.repos && !this.opts.repos.includes(spec.repo.path)) || this.stopping) {
      if (!this.stopping) this.bounces += 1;
      await job.moveToDelayed(Date.now() + (this.opts.bounceMs ?? DEFAULT_BOUNCE_MS), token);
      throw new DelayedError();
    }
    const previous = parseOwner(await this.client.hget(this.keys.owners, spec.id));
    // The same job taken under another lock: the runner that held it stopped answering (or handed it back).
    const lost = job.queueName !== pinnedQueue(this.runnerId) && previous !== undefined && previous.jobId === job.id && previous.token !== token && previous.stamp === job.timestamp;
    const attempt = lost ? previous.attempt + 1 : (previous && spec.resume ? previous.attempt : 1);
    await this.own(spec.id, { runner: this.runnerId, token, attempt, jobId: job.id ?? spec.id, queue: job.queueName, stamp: job.timestamp });
    let task = spec;
    if (lost) {
      const why = previous.handedBack ? `runner ${previous.runner} shut down` : `runner ${previous.runner} stopped answering`;
      if (attempt > 2 || onRunnerLost === 'report') {
        const summary = attempt > 2 ? `${why} (the task's second runner); Retry starts it again.` : `${why}; Retry starts it again.`;
        this.publish(attempt, { type: 'finished', taskId: spec.id, state: 'interrupted', summary });
        return;
      }
      const notice = `${why}; restarted on ${this.runnerId}`;
      this.publish(attempt, { type: 'activity', taskId: spec.id, text: notice });
      task = { ...spec, attempt, branch: `${spec.branch ?? branchName(spec.id)}-r${attempt}` };
      return this.run(task, attempt, job, token, { notice });
    }
    await this.run(task, attempt, job, token);
  }

  private async own(taskId: string, owner: Owner): Promise<void> {
    await this.client.hset(this.keys.owners, taskId, JSON.stringify(owner));
  }

  private async run(spec: TaskSpec, attempt: number, job: Job, token: string, how: { readopted?: boolean; notice?: string } = {}): Promise<void> {
    const readopted = how.readopted === true;
    let settle: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (settle = resolve));
    const run: Running = { attempt, job, token, settle, done, handedBack: false, ...(how.notice ? { notice: how.notice } : {}) };
    this.running.set(spec.id, run);
    void this.beat();
    try {
      if (readopted) {
        run.renew = setInterval(() => void this.renew(spec.id, run), this.lockMs / 2);
      } else {
        try {
          await this.opts.host.submit(spec);
        } catch (err) {
          this.publish(attempt, { type: 'finished', taskId: spec.id, state: 'failed', failure: { cli: spec.backend, reason: 'other', detail: messageOf(err) } });
          return;
        }
      }
      await done;
      if (run.handedBack) {
        // Back to the queue at once: the next runner that takes it sees it was handed back.
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      if (readopted) await job.moveToCompleted(null, token, false).catch((err: unknown) => this.log(`runner ${this.runnerId}: completing ${spec.id}: ${messageOf(err)}`));
    } finally {
      clearInterval(run.renew);
      if (this.running.get(spec.id) === run) this.running.delete(spec.id);
      void this.beat();
    }
  }

  /** A re-adopted task's lock, renewed here; losing it means another runner took the task over. */
  private async renew(taskId: string, run: Running): Promise<void> {
    const held = await run.job.extendLock(run.token, this.lockMs).catch(() => 0);
    if (held) return;
    this.log(`runner ${this.runnerId}: lost the lock of task ${taskId}; stopping its worker here`);
    run.handedBack = true;
    await this.opts.host.cancel(taskId).catch(() => undefined);
    run.settle();
  }

  /**
   * After a restart under the same id: the tasks this runner held whose lock it can still renew
   * are its own again (the host re-adopts their live workers); the others were taken over.
   */
  private async readopt(): Promise<void> {
    const owners = await this.client.hgetall(this.keys.owners);
    const mine: { spec: TaskSpec; job: Job; owner: Owner }[] = [];
    for (const [taskId, raw] of Object.entries(owners)) {
      const owner = parseOwner(raw);
      if (owner?.runner !== this.runnerId) continue;
      const job = await Job.fromId(this.queue(owner.queue), owner.jobId);
      if (!job) continue;
      const opened = open(this.opts.secret, 'job', job.data, TaskJob);
      if (!opened.ok) continue;
      if (!(await job.extendLock(owner.token, this.lockMs).catch(() => 0))) {
        this.log(`runner ${this.runnerId}: task ${taskId} was taken over while this runner was down; not re-adopting it`);
        continue;
      }
      const spec = owner.attempt > 1 ? { ...opened.value.spec, attempt: owner.attempt, branch: `${opened.value.spec.branch ?? branchName(taskId)}-r${owner.attempt}` } : opened.value.spec;
      mine.push({ spec, job, owner });
    }
    // Only this runner's own worker records: a worker of a task taken over meanwhile is stopped.
    const reaped = await this.opts.host.reapOrphans(mine.map((m) => m.spec.id));
    if (reaped.length) this.log(`runner ${this.runnerId}: stopped ${reaped.length} worker(s) of tasks another runner took over: ${reaped.join(', ')}`);
    if (mine.length === 0) return;
    await this.opts.host.recover(mine.map((m) => ({ spec: m.spec })));
    for (const m of mine) {
      // It runs already: it holds a slot, even past the cap, until it ends.
      this.slots.hold();
      void this.run(m.spec, m.owner.attempt, m.job, m.owner.token, { readopted: true })
        .catch(() => undefined)
        .finally(() => this.slots.release());
    }
    this.log(`runner ${this.runnerId}: re-adopted ${mine.length} task(s)`);
  }

  private onEvent(event: TaskEvent): void {
    const run = this.running.get(event.taskId);
    if (run?.handedBack) return;
    // The final report says the task was restarted: the status line that said so is replaced by it.
    const told = run?.notice && event.type === 'finished' ? { ...event, summary: event.summary ? `${run.notice}.\n\n${event.summary}` : `${run.notice}.` } : event;
    this.publish(run?.attempt ?? 1, told);
    if (run && (event.type === 'finished' || event.type === 'gave-up')) run.settle();
  }

  /** Events leave in order, and one issued while Redis is down is sent when it is back. */
  private publish(attempt: number, event: TaskEvent): void {
    const envelope: EventEnvelope = { runner: this.runnerId, attempt, event };
    const entry = JSON.stringify(sign(this.opts.secret, 'event', envelope));
    this.outbox = this.outbox
      .then(() => this.client.xadd(this.keys.events, 'MAXLEN', '~', STREAM_MAXLEN, '*', 'event', entry))
      .then(() => undefined, (err: unknown) => this.log(`runner ${this.runnerId}: publishing ${event.type} of ${event.taskId} failed: ${messageOf(err)}`));
  }

  /** Commands wait in this runner's stream until it has handled them, across its restarts and Redis's. */
  private async readCommands(): Promise<void> {
    let last = (await this.client.get(this.keys.commandsDone(this.runnerId))) ?? '0-0';
    while (!this.stopping) {
      let batch: [string, [string, string[]][]][] | null;
      try {
        batch = await this.commandReader.xread('BLOCK', 0, 'STREAMS', this.keys.commands(this.runnerId), last);
      } catch (err) {
        if (this.stopping) return;
        this.log(`runner ${this.runnerId}: reading commands failed: ${messageOf(err)}`);
        await new Promise((r) => setTimeout(r, READ_RETRY_MS));
        continue;
      }
      for (const [, entries] of batch ?? []) {
        for (const [id, fields] of entries) {
          const at = fields.indexOf('command');
          await this.serve(at >= 0 ? (fields[at + 1] ?? '') : '');
          last = id;
          await this.client.set(this.keys.commandsDone(this.runnerId), id);
        }
      }
    }
  }

  private async serve(raw: string): Promise<void> {
    const opened = open(this.opts.secret, 'command', raw, RunnerCommand);
    if (!opened.ok) return this.log(`runner ${this.runnerId}: refused ${opened.why}`);
    const command = opened.value;
    let reply: RunnerReply;
    try {
      reply = { id: command.id, ok: true, value: await this.execute(command) };
    } catch (err) {
      reply = { id: command.id, ok: false, error: messageOf(err) };
    }
    await this.client.publish(command.replyTo, JSON.stringify(sign(this.opts.secret, 'reply', reply))).catch(() => undefined);
  }

  private execute(command: RunnerCommand): Promise<unknown> {
    const host = this.opts.host;
    switch (command.op) {
      case 'cancel':
        return host.cancel(command.taskId);
      case 'answer':
        return host.answer(command.taskId, command.seq, command.text);
      case 'note':
        return host.note(command.taskId, command.text);
      case 'logs':
        return host.logs(command.taskId, command.lines);
      case 'removeWorktree':
        return host.removeWorktree(command.target);
      case 'pushBranch':
        return host.pushBranch(command.target, { dryRun: command.dryRun });
      case 'removeTaskFiles':
        return host.removeTaskFiles(command.tasks);
    }
  }
}
