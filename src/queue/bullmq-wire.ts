import { z } from 'zod';
import { Redis } from 'ioredis';
import { BranchTarget, TaskEvent, TaskFiles, TaskSpec } from '../task/index.js';
import { DEFAULT_REDIS_URL, checkedPrefix, redactUrl } from '../util/redis-env.js';

/** What the BullMQ queue and its runners agree on: names, keys, and the shapes that cross Redis. */

export { DEFAULT_REDIS_URL };

/** Keeps the event stream bounded; a gateway that is connected reads far behind this. */
export const STREAM_MAXLEN = 10_000;

/**
 * The one queue every task waited in before each backend had its own. A runner still takes from
 * it (a job an older bot left there, or one an older runner handed back), and a gateway moves
 * what waits there to the backend's queue when it starts.
 */
export const LEGACY_TASKS_QUEUE = 'tasks';

const BACKEND_QUEUE = 'tasks-';

/** Whether a queue is one backend's (rather than the legacy or a runner's own). */
export function isBackendQueue(name: string): boolean {
  return name.startsWith(BACKEND_QUEUE);
}

/**
 * The queue of one backend's tasks: only runners with that backend's CLI take from it, so a task
 * never visits a runner that cannot run it. BullMQ refuses `:` in a queue name and a backend name
 * may hold one, so every character but a letter, a digit or `-` is written `_` and its four-digit
 * hex code: two names never share a queue, and none meets `tasks` or a runner's `runner-…` queue.
 */
export function backendQueue(backend: string): string {
  return `${BACKEND_QUEUE}${backend.replace(/[^A-Za-z0-9-]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`;
}

/** A runner's heartbeat older than this means it is not up (it beats every third of it). */
export const RUNNER_TTL_MS = 15_000;

/** What to do with a task whose runner stopped answering: run it once more elsewhere, or report it. */
export const OnRunnerLost = z.enum(['restart', 'report']);
export type OnRunnerLost = z.infer<typeof OnRunnerLost>;

/** A BullMQ queue name may not hold `:`; a runner id is free text from its environment. */
export function pinnedQueue(runnerId: string): string {
  return `runner-${runnerId.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** Every key and channel the queue uses besides BullMQ's own, under one prefix (always ending in `:`). */
export function queueKeys(rawPrefix: string) {
  const prefix = checkedPrefix(rawPrefix.endsWith(':') ? rawPrefix : `${rawPrefix}:`);
  return {
    prefix,
    /** BullMQ's own keys go under `<prefix>bull:<queue>:…`. */
    bull: `${prefix}bull`,
    /** Stream of signed task events from every runner (and the gateway's own cancels). */
    events: `${prefix}events`,
    /** The id of the last event the gateway handed on: a restarted gateway reads on from there. */
    eventsRead: `${prefix}events-read`,
    /** Hash: task id → the runner holding it now (an Owner). */
    owners: `${prefix}owners`,
    /** Set of the backends whose queue a task was put in: the queues a gateway counts, searches and watches. */
    backends: `${prefix}backends`,
    /** Hash: runner id → its last heartbeat (a RunnerInfo). */
    runners: `${prefix}runners`,
    /** Stream of signed commands for one runner, kept until that runner acknowledges them. */
    commands: (runnerId: string) => `${prefix}cmd:${runnerId}`,
    /** The id of the last command that runner handled. */
    commandsDone: (runnerId: string) => `${prefix}cmd-done:${runnerId}`,
    /** Pub/sub channel a gateway reads the replies to its commands from. */
    replies: (clientId: string) => `${prefix}reply:${clientId}`,
  };
}
export type QueueKeys = ReturnType<typeof queueKeys>;

/** A job's payload (signed): the task, never a command line; the runner builds that itself. */
export const TaskJob = z.object({ spec: TaskSpec, onRunnerLost: OnRunnerLost });
export type TaskJob = z.infer<typeof TaskJob>;

/** Which runner runs a task now, under which BullMQ lock, and which start of the task it is. */
export const Owner = z.object({
  runner: z.string(),
  token: z.string(),
  attempt: z.number().int().positive(),
  jobId: z.string(),
  queue: z.string(),
  /** The job's creation time: a job re-added under the same id (a retry) is a new job. */
  stamp: z.number(),
  /** Set when the runner shut down and handed the task back rather than dying. */
  handedBack: z.boolean().optional(),
});
export type Owner = z.infer<typeof Owner>;

/** A runner's announcement: what it can run, and how busy it is. */
export const RunnerInfo = z.object({
  id: z.string(),
  backends: z.array(z.string()),
  /** Repositories (paths) it serves; absent = any repository on its disk. */
  repos: z.array(z.string()).optional(),
  concurrency: z.number().int().positive(),
  busy: z.number().int().nonnegative(),
  seenAt: z.number(),
});
export type RunnerInfo = z.infer<typeof RunnerInfo>;

/** An event as a runner publishes it: which start of the task it belongs to. */
export const EventEnvelope = z.object({ runner: z.string(), attempt: z.number().int().nonnegative(), event: TaskEvent });
export type EventEnvelope = z.infer<typeof EventEnvelope>;

/** Tasks whose files one command removes: each command is answered within the gateway's timeout. */
export const REMOVE_BATCH = 50;

const Target = z.object({ repo: z.string(), path: z.string(), branch: z.string() });

/** A call routed to the runner that holds a task. `replyTo` is the caller's reply channel. */
export const RunnerCommand = z.intersection(
  z.object({ id: z.string(), replyTo: z.string() }),
  z.discriminatedUnion('op', [
    z.object({ op: z.literal('cancel'), taskId: z.string() }),
    z.object({ op: z.literal('answer'), taskId: z.string(), seq: z.string(), text: z.string() }),
    z.object({ op: z.literal('note'), taskId: z.string(), text: z.string() }),
    z.object({ op: z.literal('logs'), taskId: z.string(), lines: z.number().int() }),
    z.object({ op: z.literal('removeWorktree'), taskId: z.string(), target: Target }),
    z.object({ op: z.literal('pushBranch'), taskId: z.string(), target: BranchTarget, dryRun: z.boolean() }),
    /** Files of tasks the store removed; `taskId` names the first, for messages. */
    z.object({ op: z.literal('removeTaskFiles'), taskId: z.string(), tasks: z.array(TaskFiles).max(REMOVE_BATCH) }),
  ]),
);
export type RunnerCommand = z.infer<typeof RunnerCommand>;
export type CommandBody = RunnerCommand extends infer C ? (C extends unknown ? Omit<C, 'id' | 'replyTo'> : never) : never;

export const RunnerReply = z.union([
  z.object({ id: z.string(), ok: z.literal(true), value: z.unknown().optional() }),
  z.object({ id: z.string(), ok: z.literal(false), error: z.string() }),
]);
export type RunnerReply = z.infer<typeof RunnerReply>;

export const WorktreeRemoval = z.object({ removed: z.boolean(), message: z.string() });

/**
 * A connection that waits out a Redis restart instead of failing its commands (BullMQ needs
 * this too), so an event or a command issued during the outage is sent once Redis is back.
 */
export function patientRedis(url: string, role: string, log: (line: string) => void): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) log(`dispatch-bot ${role}: Redis at ${redactUrl(url)}: ${err.message}`);
    down = true;
  });
  client.on('ready', () => (down = false));
  return client;
}

/** The owner record of a task, when there is a readable one. */
export function parseOwner(raw: string | null | undefined): Owner | undefined {
  if (!raw) return undefined;
  try {
    const parsed = Owner.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Runners whose heartbeat is recent, from the `runners` hash. */
export function liveRunners(all: Record<string, string>, now: number): RunnerInfo[] {
  const live: RunnerInfo[] = [];
  for (const raw of Object.values(all)) {
    try {
      const info = RunnerInfo.safeParse(JSON.parse(raw));
      if (info.success && now - info.data.seenAt < RUNNER_TTL_MS) live.push(info.data);
    } catch {
      // an unreadable heartbeat is no runner
    }
  }
  return live.sort((a, b) => a.id.localeCompare(b.id));
}
