import { z } from 'zod';
import type { App } from './app.js';
import { ConfigError, messageOf } from './errors/index.js';
import { opsHandler, serveOps, type OpsHandler } from './metrics/http.js';
import type { Metrics } from './metrics/port.js';
import { PrometheusMetrics, type Figures } from './metrics/prometheus.js';
import { hasStats } from './queue/stats.js';
import type { RunnerHost } from './runner/index.js';
import type { TaskEvent, TaskEventListener, TaskState } from './task/index.js';

type Log = (line: string) => void;

const OpsEnv = z.object({
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).optional(),
});

/** Operations endpoints of one process: the metrics it counts into, the handler, and its own server when METRICS_PORT is set. */
export interface Ops {
  metrics: PrometheusMetrics;
  /** For another HTTP server to answer /healthz and /metrics too (Slack's HTTP port). */
  handle: OpsHandler;
  /** The METRICS_PORT server's port, when one is up. */
  port?: number;
  close(): Promise<void>;
}

function opsEnv(env: NodeJS.ProcessEnv): z.infer<typeof OpsEnv> {
  const parsed = OpsEnv.safeParse(Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('METRICS_') && v !== '')));
  if (!parsed.success) throw new ConfigError(`METRICS_PORT must be a port number (0 picks a free one): ${parsed.error.issues[0]?.message ?? ''}`, 'METRICS_PORT');
  return parsed.data;
}

/** Observe each task's duration from its creation (`createdAt`) to its final event. */
function durations(metrics: Metrics, createdAt: (taskId: string) => Promise<number | undefined>, log: Log): TaskEventListener {
  return (event: TaskEvent) => {
    if (event.type !== 'finished') return;
    void createdAt(event.taskId)
      .then((at) => at !== undefined && metrics.taskFinished(event.state, (Date.now() - at) / 1000))
      .catch((error: unknown) => log(`metrics: task ${event.taskId}: ${messageOf(error)}`));
  };
}

interface Part {
  role: 'gateway' | 'runner';
  figures: () => Promise<Figures>;
  health: () => Promise<{ ok: boolean; detail: Record<string, unknown> }>;
  /** Feed task events into the metrics; returns the unsubscribe. */
  listen: (metrics: PrometheusMetrics) => () => void;
}

async function open({ role, figures, health, listen }: Part, env: NodeJS.ProcessEnv, log: Log): Promise<Ops> {
  const { METRICS_PORT: port, METRICS_HOST: host } = opsEnv(env);
  const metrics = new PrometheusMetrics(role, figures);
  const stopListening = listen(metrics);
  const handle = opsHandler({ metrics, health });
  const server = port === undefined ? undefined : await serveOps(handle, port, host);
  if (server) log(`${role}: /healthz and /metrics on ${host ?? '*'}:${server.port}`);
  return {
    metrics,
    handle,
    ...(server ? { port: server.port } : {}),
    async close() {
      stopListening();
      await server?.close();
    },
  };
}

/** The gateway's figures: tasks by state from its store, the queue's load when the queue can count it. */
export function gatewayOps(app: App, env: NodeJS.ProcessEnv, log: Log): Promise<Ops> {
  const figures = async (): Promise<Figures> => {
    // Only the unfinished tasks are read; the finished ones (thousands, in time) are only counted.
    const [active, finished] = await Promise.all([app.store.listTasks({ active: true }), app.store.countTasks({ active: false })]);
    const tasksByState: Partial<Record<TaskState, number>> = {};
    for (const task of active) tasksByState[task.state] = (tasksByState[task.state] ?? 0) + 1;
    return { tasksByState, finished, ...(hasStats(app.queue) ? { queue: await app.queue.stats() } : {}) };
  };
  const health = async () => {
    // The store answering is what the gateway needs to take a request.
    await app.store.hasTask('healthz-probe');
    return { ok: true, detail: { role: 'gateway', ...(hasStats(app.queue) ? await app.queue.stats() : {}) } };
  };
  const listen = (metrics: PrometheusMetrics) => app.queue.subscribe(durations(metrics, async (id) => (await app.store.getTask(id))?.createdAt, log));
  return open({ role: 'gateway', figures, health, listen }, env, log);
}

/** A runner's figures: its own workers by state; it is one runner, up while it serves. */
export function runnerOps(host: RunnerHost, env: NodeJS.ProcessEnv, log: Log, serving: () => boolean): Promise<Ops> {
  const started = new Map<string, number>();
  const figures = (): Promise<Figures> => {
    const { queued, running, blocked } = host.counts();
    return Promise.resolve({ tasksByState: { queued, running, blocked }, queue: { depth: queued, running, runnersUp: serving() ? 1 : 0 } });
  };
  const health = () => Promise.resolve({ ok: serving(), detail: { role: 'runner', ...host.counts() } });
  const listen = (metrics: PrometheusMetrics) => {
    // A runner sees a task from the moment it takes it (an adopted one from its re-adoption).
    const finished = durations(metrics, (id) => Promise.resolve(started.get(id)), log);
    return host.subscribe((event) => {
      if (!started.has(event.taskId)) started.set(event.taskId, Date.now());
      finished(event);
      if (event.type === 'finished') started.delete(event.taskId);
    });
  };
  return open({ role: 'runner', figures, health, listen }, env, log);
}
