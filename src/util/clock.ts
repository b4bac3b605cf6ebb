/**
 * Time as the bot reads it: the wall clock and timers. Prompts expire and deadlines pass by it, so
 * a test can move it forward instead of waiting.
 */
export interface Clock {
  now(): number;
  /** Run `work` once `ms` have passed; the returned function cancels it. Never keeps the process alive. */
  after(ms: number, work: () => void): () => void;
}

/** setTimeout's longest delay; longer waits are taken in steps of it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, work) {
    let timer: NodeJS.Timeout;
    const wait = (left: number): void => {
      timer = setTimeout(() => (left > MAX_TIMER_MS ? wait(left - MAX_TIMER_MS) : work()), Math.min(left, MAX_TIMER_MS));
      timer.unref();
    };
    wait(Math.max(0, Number.isFinite(ms) ? ms : MAX_TIMER_MS));
    return () => clearTimeout(timer);
  },
};
