/**
 * A refilling token bucket: `capacity` sends at once at most, then one per `1 / ratePerMs`.
 * Tokens are taken when a call is sent (not when it is queued), so calls bunched by a slow
 * platform or a retry still reach it evenly spaced.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly ratePerMs: number,
    readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.at = now;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.at) * this.ratePerMs);
    this.at = now;
  }

  /** Take a token when there is one. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** True when the bucket is full: nothing is owed, so spare sends cost nobody anything. */
  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }

  /** When the next token will be there (now when there is one). */
  nextAt(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? now : now + Math.ceil((1 - this.tokens) / this.ratePerMs);
  }

  /** When the bucket will be full again. */
  fullAt(now: number): number {
    this.refill(now);
    return now + Math.ceil((this.capacity - this.tokens) / this.ratePerMs);
  }
}
