import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { TaskState, isFinal, type FinalState } from '../task/index.js';
import type { QueueStats } from '../queue/stats.js';
import type { Metrics } from './port.js';

/** What is read at each scrape (a gauge of what is, not a count of what happened). */
export interface Figures {
  /** Tasks not finished yet, by state (a state not given counts 0). */
  tasksByState: Partial<Record<TaskState, number>>;
  /** Finished tasks kept (the store's count), when known; by state they are the duration histogram's counts. */
  finished?: number;
  queue?: QueueStats;
}

/** From seconds to two hours: a quick fix and a long refactor land in different buckets. */
const DURATION_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

/**
 * The Prometheus side of Metrics: counters and the duration histogram as events happen, gauges
 * from `figures` read at each scrape. One registry per process part (never the global one), so
 * two in one process (tests) keep their own figures.
 */
export class PrometheusMetrics implements Metrics {
  private readonly registry = new Registry();
  private readonly tasks = new Gauge({ name: 'dispatch_tasks', help: 'Tasks not finished yet, by state', labelNames: ['state'], registers: [this.registry] });
  private readonly finished = new Gauge({ name: 'dispatch_tasks_finished', help: 'Finished tasks kept in the store', registers: [this.registry] });
  private readonly depth = new Gauge({ name: 'dispatch_queue_depth', help: 'Tasks waiting for a runner', registers: [this.registry] });
  private readonly running = new Gauge({ name: 'dispatch_tasks_running', help: 'Workers running now', registers: [this.registry] });
  private readonly runners = new Gauge({ name: 'dispatch_runners_up', help: 'Runner hosts alive and taking work', registers: [this.registry] });
  private readonly duration = new Histogram({
    name: 'dispatch_task_duration_seconds',
    help: 'From task creation to its final state',
    labelNames: ['state'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly retries = new Counter({ name: 'dispatch_chat_api_retries_total', help: 'Chat platform API calls tried again (rate limit, 5xx, network)', labelNames: ['surface'], registers: [this.registry] });

  constructor(
    /** `gateway` or `runner`: a label on every series, so one Prometheus job can scrape both. */
    role: string,
    private readonly figures: () => Promise<Figures>,
  ) {
    this.registry.setDefaultLabels({ role });
    collectDefaultMetrics({ register: this.registry });
  }

  readonly contentType = this.registry.contentType;

  taskFinished(state: FinalState, seconds: number): void {
    this.duration.observe({ state }, Math.max(0, seconds));
  }

  chatRetry(surface: string): void {
    this.retries.inc({ surface });
  }

  /** The exposition text, with the gauges read now. */
  async text(): Promise<string> {
    const { tasksByState, queue, finished } = await this.figures();
    for (const state of TaskState.options) if (!isFinal(state)) this.tasks.set({ state }, tasksByState[state] ?? 0);
    if (finished !== undefined) this.finished.set(finished);
    if (queue) {
      this.depth.set(queue.depth);
      this.running.set(queue.running);
      this.runners.set(queue.runnersUp);
    }
    return this.registry.metrics();
  }
}
