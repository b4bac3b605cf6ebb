import { messageOf } from '../errors/index.js';

/** What the slots need of a BullMQ worker: to stop taking jobs and to start again. */
export interface JobTaker {
  pause(doNotWaitActive?: boolean): Promise<void>;
  resume(): Promise<void> | void;
  isRunning(): boolean;
  run(): Promise<void>;
}

/**
 * A runner's concurrency is one cap for the whole host, shared by its BullMQ workers (one per
 * backend, its pinned queue, the legacy queue), each of which may take up to the cap by itself.
 * While every slot is held all of them are paused. A worker may still get the job it was already
 * fetching when the last slot went: `take` then says no, and that job goes back for another runner.
 */
export class Slots {
  private held = 0;
  private paused = false;
  private closed = false;
  private readonly takers: JobTaker[] = [];

  constructor(
    readonly cap: number,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** A worker that takes jobs only while a slot is free. */
  add(taker: JobTaker): void {
    this.takers.push(taker);
    if (this.paused) void taker.pause(true).catch(() => undefined);
  }

  /** A slot for a job a worker has taken; false when none is free (the job must go back). */
  take(): boolean {
    if (this.held >= this.cap) return false;
    this.held += 1;
    this.balance();
    return true;
  }

  /** A slot for a task that runs already (re-adopted after a restart), free or not. */
  hold(): void {
    this.held += 1;
    this.balance();
  }

  release(): void {
    this.held = Math.max(0, this.held - 1);
    this.balance();
  }

  /** How many are held now. */
  inUse(): number {
    return this.held;
  }

  /** The runner is stopping: its workers stay paused whatever is released. */
  close(): void {
    this.closed = true;
  }

  private balance(): void {
    const full = this.held >= this.cap;
    if (this.closed || full === this.paused) return;
    this.paused = full;
    for (const taker of this.takers) {
      if (full) void taker.pause(true).catch(() => undefined);
      else void Promise.resolve(taker.resume()).catch(() => undefined).finally(() => setImmediate(() => this.restart(taker)));
    }
  }

  /**
   * A paused worker with nothing to do ends its loop; resumed just as it ends, it would end anyway
   * and take nothing more. Once the resume has settled, such a worker is started again.
   */
  private restart(taker: JobTaker): void {
    if (this.closed || this.paused || taker.isRunning()) return;
    void taker.run().catch((err: unknown) => this.log(`taking tasks again failed: ${messageOf(err)}`));
  }
}
