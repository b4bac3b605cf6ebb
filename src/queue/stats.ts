/** What a queue can tell about its load, for /metrics and the status of a waiting task. */
export interface QueueStats {
  /** Tasks submitted and not yet taken by a runner (waiting for a free slot). */
  depth: number;
  /** Tasks whose worker runs now, on any runner. */
  running: number;
  /** Runner hosts alive and taking work. */
  runnersUp: number;
}

/**
 * A TaskQueue that can count its load. Optional: a queue without it shows no queue figures (the
 * in-process queue has it; a Redis-backed one adds it when it can count runners).
 */
export interface QueueStatsSource {
  stats(): Promise<QueueStats>;
}

export function hasStats<Q extends object>(queue: Q): queue is Q & QueueStatsSource {
  return typeof (queue as Partial<QueueStatsSource>).stats === 'function';
}
