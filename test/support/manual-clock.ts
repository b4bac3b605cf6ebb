import type { Clock } from '../../src/util/clock.js';

/** A clock that moves only when the test says so: deadlines pass at once, without waiting. */
export class ManualClock implements Clock {
  private current = Date.now();
  private readonly timers = new Set<{ at: number; work: () => void }>();

  now(): number {
    return this.current;
  }

  after(ms: number, work: () => void): () => void {
    const timer = { at: this.current + Math.max(0, ms), work };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** Timers set and not yet run or cancelled. */
  get pending(): number {
    return this.timers.size;
  }

  /** Move time forward by `ms`, running (in deadline order) every timer that falls due on the way. */
  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const due = [...this.timers].filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers.delete(due);
      this.current = Math.max(this.current, due.at);
      due.work();
    }
    this.current = until;
  }
}
