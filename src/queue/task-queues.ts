import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { messageOf } from '../errors/index.js';
import { Name } from '../config/schema.js';
import { open } from './signed.js';
import { LEGACY_TASKS_QUEUE, TaskJob, backendQueue, type QueueKeys } from './bullmq-wire.js';

export interface TaskQueuesOptions {
  url: string;
  secret: string;
  /** A job of any task queue that BullMQ failed (one that stalled more often than it allows). */
  onFailed: (jobId: string, reason: string) => void;
  log: (line: string) => void;
}

/** Job options every task job is added with: a finished job leaves no trace, a failed one stays a while. */
export const TASK_JOB_OPTIONS = { removeOnComplete: true, removeOnFail: 100 } as const;

/**
 * The gateway's side of the task queues: one per backend that was ever given a task (named in a
 * Redis set, so that a restarted gateway counts, searches and watches them too) and the legacy
 * one. Each is watched for jobs BullMQ fails.
 */
export class TaskQueues {
  private readonly queues = new Map<string, Queue>();
  private readonly watchers = new Map<string, QueueEvents>();
  /** The move of legacy jobs under way, and whether another was asked for meanwhile. */
  private moving: Promise<unknown> | undefined;
  private moveAgain = false;
  private closed = false;

  constructor(
    private readonly client: Redis,
    private readonly keys: QueueKeys,
    private readonly opts: TaskQueuesOptions,
  ) {}

  /** The queue of one backend's tasks, named in the set before a job goes in. */
  async forBackend(backend: string): Promise<Queue> {
    // The set is read back with the same rule (`all`): a name it would skip must not hold tasks.
    if (!Name.safeParse(backend).success) throw new Error(`backend ${JSON.stringify(backend)} is not a name a queue can be made for`);
    await this.client.sadd(this.keys.backends, backend);
    return this.open(backendQueue(backend));
  }

  /** Every task queue: the legacy one, then each backend's. */
  async all(): Promise<Queue[]> {
    // Names come from Redis: only those a config could hold make a queue.
    const backends = (await this.client.smembers(this.keys.backends)).filter((b) => Name.safeParse(b).success).sort();
    return Promise.all([LEGACY_TASKS_QUEUE, ...backends.map(backendQueue)].map((name) => this.open(name)));
  }

  /**
   * Jobs an older bot left waiting in the legacy queue go to their backend's queue, keeping their
   * id and creation time (a task handed back there is still known as the same job). One a runner
   * took meanwhile stays where it is; a forged one is left for the runners to refuse and log.
   */
  private async moveLegacyJobs(): Promise<number> {
    const legacy = await this.open(LEGACY_TASKS_QUEUE);
    let moved = 0;
    for (const job of await legacy.getJobs(['waiting', 'delayed', 'prioritized'])) {
      const opened = open(this.opts.secret, 'job', job.data, TaskJob);
      if (!opened.ok || !job.id) continue;
      const removed = await job.remove().then(() => true, () => false);
      if (!removed) continue;
      const target = await this.forBackend(opened.value.spec.backend);
      await target.add(job.name, job.data, { ...TASK_JOB_OPTIONS, jobId: job.id, timestamp: job.timestamp });
      moved += 1;
    }
    if (moved > 0) this.opts.log(`dispatch-bot queue: moved ${moved} waiting task(s) from the shared queue to their backend's queue`);
    return moved;
  }

  /**
   * Move what waits in the legacy queue now, and again whenever a job waits there later (put there
   * by an older bot still running, handed back by an older runner, put back by a runner without
   * its CLI): one move at a time. Resolves once the move under way has ended.
   */
  moveLegacySoon(): Promise<unknown> {
    if (this.closed) return Promise.resolve();
    if (this.moving) {
      this.moveAgain = true;
      return this.moving;
    }
    this.moving = this.moveLegacyJobs()
      .catch((err: unknown) => this.opts.log(`dispatch-bot queue: moving tasks from the shared queue failed: ${messageOf(err)}`))
      .finally(() => {
        this.moving = undefined;
        if (this.moveAgain) {
          this.moveAgain = false;
          void this.moveLegacySoon();
        }
      });
    return this.moving;
  }

  /** Each queue and its watcher, closed; `within` bounds each step. */
  async close(within: (work: Promise<unknown>, what: string, cut: () => void) => Promise<void>): Promise<void> {
    this.closed = true;
    await within(this.moving ?? Promise.resolve(), 'moving tasks from the shared queue', () => undefined);
    for (const [name, watcher] of this.watchers) await within(watcher.close(), `the job watcher of ${name}`, () => void watcher.disconnect().catch(() => undefined));
    for (const [name, queue] of this.queues) await within(queue.close(), `queue ${name}`, () => undefined);
  }

  private async open(name: string): Promise<Queue> {
    const known = this.queues.get(name);
    if (known) return known;
    const queue = new Queue(name, { connection: this.client, prefix: this.keys.bull });
    // Redis going away is reported once by the gateway's own connections; BullMQ's copies would repeat it.
    queue.on('error', () => undefined);
    this.queues.set(name, queue);
    await this.watch(name);
    return queue;
  }

  private async watch(name: string): Promise<void> {
    const watcher = new QueueEvents(name, { connection: { url: this.opts.url, maxRetriesPerRequest: null } as never, prefix: this.keys.bull, autorun: false });
    watcher.on('error', () => undefined);
    watcher.on('failed', ({ jobId, failedReason }) => this.opts.onFailed(jobId, failedReason));
    if (name === LEGACY_TASKS_QUEUE) {
      watcher.on('waiting', () => void this.moveLegacySoon());
      watcher.on('delayed', () => void this.moveLegacySoon());
    }
    this.watchers.set(name, watcher);
    void watcher.run().catch((err: unknown) => this.opts.log(`dispatch-bot queue: watching jobs of ${name} failed: ${messageOf(err)}`));
    await watcher.waitUntilReady();
  }
}
