import type { FinalState } from '../task/index.js';

/**
 * What the bot counts as it works. The core reports through this port; how the figures are
 * exported (Prometheus text at the edge) is not its business.
 */
export interface Metrics {
  /** A task reached its final state `seconds` after it was created (the wait a requester sees). */
  taskFinished(state: FinalState, seconds: number): void;
  /** A chat platform's API call failed (rate limit, 5xx, network) and its client tries it again. */
  chatRetry(surface: string): void;
}
