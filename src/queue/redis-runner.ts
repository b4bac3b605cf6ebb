import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { DEFAULT_REDIS_URL, RunnerCommand, STREAM_MAXLEN, closeRedis, connectRedis, queueKeys, type QueueKeys, type RunnerReply } from './redis-wire.js';
import { TaskSpec, type TaskEvent } from '../task/index.js';
import type { RunnerHost } from '../runner/host.js';
import { messageOf } from '../errors/index.js';

export interface ServeRunnerOptions {
  /** Default: redis://127.0.0.1:6379. */
  url?: string;
  /** The key prefix the bot's queue uses. */
  prefix: string;
  host: RunnerHost;
  /** Names this runner in the task → runner map; keep it stable across restarts to re-adopt workers (default: hostname-pid-random). */
  hostId?: string;
  /** Tasks this runner takes from the shared queue at once (default 1); the rest wait for another runner. */
  capacity?: number;
  /** Where problems that reach no caller are reported (default: stderr). */
  log?: (line: string) => void;
}

export interface ServedRunner {
  readonly hostId: string;
  /** Ids of the tasks the queue routes to this runner (for `host.recover`/`reapOrphans` after a restart under the same hostId). */
  owned(): Promise<string[]>;
  /**
   * Stop taking work and serving commands; a spec taken but not yet started goes back to the
   * queue. The host and its workers are the caller's: close the host after this.
   */
  stop(): Promise<void>;
}

/** After a failed take (Redis restarting), wait before the next so the loop does not spin. */
const TAKE_RETRY_MS = 500;

/**
 * Serve a runner host on the Redis queue: take specs from the shared work list while the host
 * has room, publish its events, and answer the calls routed to the tasks it runs.
 */
export async function serveRunner(opts: ServeRunnerOptions): Promise<ServedRunner> {
  const url = opts.url ?? DEFAULT_REDIS_URL;
  const hostId = opts.hostId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const capacity = Math.max(1, opts.capacity ?? 1);
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const keys = queueKeys(opts.prefix);
  const opened: Redis[] = [];
  try {
    for (const role of ['runner', 'runner work', 'runner commands']) opened.push(await connectRedis(url, role));
  } catch (err) {
    for (const c of opened) c.disconnect();
    throw err;
  }
  const [client, blocking, commands] = opened as [Redis, Redis, Redis];
  const runner = new QueueRunner({ client, blocking, commands }, keys, { hostId, capacity, host: opts.host, log });
  await runner.start();
  return { hostId, owned: () => runner.owned(), stop: () => runner.stop() };
}

interface RunnerSettings {
  hostId: string;
  capacity: number;
  host: RunnerHost;
  log: (line: string) => void;
}

class QueueRunner {
  /** Tasks this runner took that still hold a worker slot (until finished or given up). */
  private readonly running = new Set<string>();
  private wake: (() => void) | undefined;
  private stopping = false;
  private taking: Promise<void> = Promise.resolve();
  private unsubscribe: () => void = () => undefined;
  private readonly taken: string;

  constructor(
    private readonly conn: { client: Redis; blocking: Redis; commands: Redis },
    private readonly keys: QueueKeys,
    private readonly s: RunnerSettings,
  ) {
    this.taken = keys.taken(s.hostId);
  }

  async start(): Promise<void> {
    // A previous run under this id, or another runner that died, may hold specs it never started.
    await this.requeueTaken();
    await this.reclaimAbandoned();
    this.unsubscribe = this.s.host.subscribe((event) => this.onEvent(event));
    this.conn.commands.on('message', (_channel: string, message: string) => void this.serve(message));
    await this.conn.commands.subscribe(this.keys.commands(this.s.hostId));
    this.taking = this.takeLoop();
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.roomChanged();
    // The work connection is blocked in BLMOVE: cut it. A spec it moved meanwhile sits in `taken`.
    this.conn.blocking.disconnect();
    await this.taking;
    await this.requeueTaken();
    await closeRedis(this.conn.commands);
    this.unsubscribe();
    await closeRedis(this.conn.client);
  }

  async owned(): Promise<string[]> {
    const owners = await this.conn.client.hgetall(this.keys.owners);
    return Object.keys(owners).filter((taskId) => owners[taskId] === this.s.hostId);
  }

  private hasRoom(): boolean {
    return this.running.size < this.s.capacity;
  }

  private roomChanged(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private waitForRoom(): Promise<void> {
    if (this.stopping || this.hasRoom()) return Promise.resolve();
    return new Promise((resolve) => (this.wake = resolve));
  }

  private async takeLoop(): Promise<void> {
    while (!this.stopping) {
      await this.waitForRoom();
      if (this.stopping) return;
      let raw: string | null;
      try {
        // Moved, not popped: until the host has it, the spec is on this runner's own list.
        raw = await this.conn.blocking.blmove(this.keys.work, this.taken, 'RIGHT', 'LEFT', 0);
      } catch (err) {
        if (this.stopping) return;
        this.s.log(`runner ${this.s.hostId}: taking work failed: ${messageOf(err)}`);
        await new Promise((r) => setTimeout(r, TAKE_RETRY_MS));
        continue;
      }
      if (raw === null || this.stopping) continue; // a spec taken while stopping is put back by stop()
      await this.handOver(raw).catch((err: unknown) => this.s.log(`runner ${this.s.hostId}: ${messageOf(err)}`));
    }
  }

  private async handOver(raw: string): Promise<void> {
    const spec = parseSpec(raw);
    if (!spec) {
      this.s.log(`runner ${this.s.hostId}: dropped a malformed task spec from the queue`);
      await this.conn.client.lrem(this.taken, 1, raw);
      return;
    }
    if (this.s.host.activeTaskIds().includes(spec.id)) {
      this.s.log(`runner ${this.s.hostId}: task ${spec.id} is already active here; ignored the second copy`);
      await this.conn.client.lrem(this.taken, 1, raw);
      return;
    }
    this.running.add(spec.id);
    await this.conn.client.hset(this.keys.owners, spec.id, this.s.hostId);
    try {
      await this.s.host.submit(spec);
    } catch (err) {
      this.running.delete(spec.id);
      const detail = messageOf(err);
      await this.publish({ type: 'finished', taskId: spec.id, state: 'failed', failure: { cli: spec.backend, reason: 'other', detail } });
    }
    await this.conn.client.lrem(this.taken, 1, raw);
  }

  private async requeueTaken(): Promise<void> {
    // Newest first onto the head of the line, so they leave in the order they were taken.
    while ((await this.conn.client.lmove(this.taken, this.keys.work, 'LEFT', 'RIGHT')) !== null) {
      // moved one
    }
  }

  /** A runner listens on its command channel for as long as it may hold taken specs: nobody listening means it is gone. */
  private async reclaimAbandoned(): Promise<void> {
    const pattern = this.keys.taken('*');
    let cursor = '0';
    do {
      const [next, lists] = await this.conn.client.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
      cursor = next;
      for (const list of lists) {
        const hostId = list.slice(this.keys.taken('').length);
        const [, listening] = await this.conn.client.pubsub('NUMSUB', this.keys.commands(hostId));
        if (Number(listening) > 0) continue;
        while ((await this.conn.client.lmove(list, this.keys.work, 'LEFT', 'RIGHT')) !== null) {
          this.s.log(`runner ${this.s.hostId}: put back a task spec runner ${hostId} took but never started`);
        }
      }
    } while (cursor !== '0');
  }

  private onEvent(event: TaskEvent): void {
    if ((event.type === 'finished' || event.type === 'gave-up') && this.running.delete(event.taskId)) this.roomChanged();
    void this.publish(event).catch((err: unknown) => this.s.log(`runner ${this.s.hostId}: publishing ${event.type} of ${event.taskId} failed: ${messageOf(err)}`));
  }

  /** Every event also claims its task for this runner: a worker re-adopted after a restart is routed here. */
  private async publish(event: TaskEvent): Promise<void> {
    await this.conn.client
      .multi()
      .xadd(this.keys.events, 'MAXLEN', '~', STREAM_MAXLEN, '*', 'event', JSON.stringify(event))
      .hset(this.keys.owners, event.taskId, this.s.hostId)
      .exec();
  }

  private async serve(message: string): Promise<void> {
    let command: RunnerCommand;
    try {
      const parsed = RunnerCommand.safeParse(JSON.parse(message));
      if (!parsed.success) return this.s.log(`runner ${this.s.hostId}: ignored a malformed command: ${parsed.error.message}`);
      command = parsed.data;
    } catch {
      return this.s.log(`runner ${this.s.hostId}: ignored an unreadable command`);
    }
    let reply: RunnerReply;
    try {
      reply = { id: command.id, ok: true, value: await this.run(command) };
    } catch (err) {
      reply = { id: command.id, ok: false, error: messageOf(err) };
    }
    if (this.conn.client.status === 'end') return;
    await this.conn.client.publish(command.replyTo, JSON.stringify(reply)).catch(() => undefined);
  }

  private async run(command: RunnerCommand): Promise<unknown> {
    const host = this.s.host;
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
      case 'submit': {
        const spec = TaskSpec.parse(command.spec);
        this.running.add(spec.id);
        try {
          return await host.submit(spec);
        } catch (err) {
          this.running.delete(spec.id);
          throw err;
        }
      }
    }
  }
}

function parseSpec(raw: string): TaskSpec | undefined {
  try {
    const parsed = TaskSpec.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
