/**
 * Runs async work one at a time per key, different keys in parallel. The runner queues worktree
 * changes per repo (two `git worktree add` at once trip over each other's lock files); the
 * dispatcher applies each task's events in order.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Resolves once the work queued so far, under every key, has run. */
  async idle(): Promise<void> {
    await Promise.all(this.tails.values());
  }
}
