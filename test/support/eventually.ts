export interface EventuallyOptions {
  /** Give up after this long (default 20 s): a test waits on an event, this only bounds a failure. */
  timeoutMs?: number;
  /** Check again at least this often (default 50 ms), and at once when `subscribe` signals. */
  intervalMs?: number;
  /** Lets the source signal a change (a post, an edit) so the check runs at once; returns an unsubscribe. */
  subscribe?: (changed: () => void) => () => void;
  /** What to print when it times out: the log, the transcript… */
  explain?: () => string;
}

/**
 * Wait until `check` returns something truthy and return it; on timeout, fail saying what was
 * awaited and what the world looked like. The one wait every rig and session uses.
 */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  options: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const found = await check();
    if (found) return found;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for ${what}${options.explain ? `\n${options.explain()}` : ''}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(left, options.intervalMs ?? 50));
      const unsubscribe = options.subscribe?.(done);
      function done(): void {
        clearTimeout(timer);
        unsubscribe?.();
        resolve();
      }
    });
  }
}
