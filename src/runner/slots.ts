/** Raised for work still waiting when its slots are stopped. */
export class SlotsStopped extends Error {
  constructor() {
    super('the worker slots are stopped');
  }
}

interface Waiting {
  key: string;
  first: boolean;
  start: () => void;
  drop: (error: Error) => void;
}

/**
 * Slots for running workers: at most `limit` at once in all and `limitOf(key)` per key (a
 * backend), null meaning no limit. Work that must wait is started, in order of arrival (work asked
 * `first` ahead of the rest), the moment a slot frees that it may take: a key at its own limit
 * holds back only its own work. Handing out a slot is synchronous, never a timer tick: with many
 * requests at once, a limiter that yields to the event loop between steps held each worker back
 * for hundreds of milliseconds.
 */
export class WorkerSlots {
  private readonly running = new Map<string, number>();
  private total = 0;
  private readonly waiting: Waiting[] = [];
  private stopped = false;

  constructor(
    private readonly limit: number | null,
    private readonly limitOf: (key: string) => number | null,
  ) {}

  /** Run `work` once a slot for `key` is free; the slot is held until its promise settles. */
  run<T>(key: string, work: () => Promise<T>, opts: { first?: boolean } = {}): Promise<T> {
    if (this.stopped) return Promise.reject(new SlotsStopped());
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.take(key);
        let result: Promise<T>;
        try {
          result = work();
        } catch (error) {
          result = Promise.reject(error);
        }
        result.then(resolve, reject).finally(() => this.release(key));
      };
      const entry: Waiting = { key, first: opts.first === true, start, drop: reject };
      const at = entry.first ? this.waiting.findIndex((w) => !w.first) : -1;
      if (at < 0) this.waiting.push(entry);
      else this.waiting.splice(at, 0, entry);
      this.pump();
    });
  }

  /** Drop the work still waiting (its promise rejects); work already running keeps its slot. */
  stop(): void {
    this.stopped = true;
    for (const entry of this.waiting.splice(0)) entry.drop(new SlotsStopped());
  }

  private fits(key: string): boolean {
    const own = this.limitOf(key);
    return (this.limit === null || this.total < this.limit) && (own === null || (this.running.get(key) ?? 0) < own);
  }

  private pump(): void {
    for (let i = 0; i < this.waiting.length && (this.limit === null || this.total < this.limit); ) {
      const entry = this.waiting[i] as Waiting;
      if (!this.fits(entry.key)) {
        i += 1;
        continue;
      }
      this.waiting.splice(i, 1);
      entry.start();
    }
  }

  private take(key: string): void {
    this.total += 1;
    this.running.set(key, (this.running.get(key) ?? 0) + 1);
  }

  private release(key: string): void {
    this.total -= 1;
    const left = (this.running.get(key) ?? 1) - 1;
    if (left > 0) this.running.set(key, left);
    else this.running.delete(key);
    this.pump();
  }
}
