import { z } from 'zod';
import { BranchTarget, TaskEvent } from '../task/index.js';
import { messageOf } from '../errors/index.js';

/** What the Redis queue and its runners agree on: key names, and the shapes that cross Redis. */

export { DEFAULT_REDIS_URL, closeRedis, connectRedis } from '../util/redis.js';

/** Keeps the event stream bounded; a subscriber that is connected reads far behind this. */
export const STREAM_MAXLEN = 10_000;

/** Every key and channel the queue uses, under one prefix (always ending in `:`). */
export function queueKeys(rawPrefix: string) {
  const prefix = rawPrefix.endsWith(':') ? rawPrefix : `${rawPrefix}:`;
  return {
    prefix,
    /** Specs waiting for a runner: pushed on the left, taken from the right (first in, first out). */
    work: `${prefix}queue:work`,
    /** Specs a runner has taken but not yet handed to its host; put back when it stops. */
    taken: (hostId: string) => `${prefix}queue:taken:${hostId}`,
    /** Hash: task id → id of the runner host that runs it. */
    owners: `${prefix}queue:owners`,
    /** Stream of task events from every runner. */
    events: `${prefix}queue:events`,
    /** Pub/sub channel a runner reads its commands from. */
    commands: (hostId: string) => `${prefix}queue:cmd:${hostId}`,
    /** Pub/sub channel a queue client reads the replies to its commands from. */
    replies: (clientId: string) => `${prefix}queue:reply:${clientId}`,
  };
}
export type QueueKeys = ReturnType<typeof queueKeys>;


/** Parse an event read from the stream; undefined (and a warning) when it is not one. */
export function decodeEvent(raw: string): TaskEvent | undefined {
  try {
    const parsed = TaskEvent.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
    process.emitWarning(`dispatch-bot queue: skipped a malformed task event: ${parsed.error.message}`);
  } catch (err) {
    process.emitWarning(`dispatch-bot queue: skipped an unreadable task event: ${messageOf(err)}`);
  }
  return undefined;
}

const Target = z.object({ repo: z.string(), path: z.string(), branch: z.string() });

/** A call routed to the runner host that owns a task. `replyTo` is the caller's reply channel. */
export const RunnerCommand = z.intersection(
  z.object({ id: z.string(), replyTo: z.string() }),
  z.discriminatedUnion('op', [
    z.object({ op: z.literal('cancel'), taskId: z.string() }),
    z.object({ op: z.literal('answer'), taskId: z.string(), seq: z.string(), text: z.string() }),
    z.object({ op: z.literal('note'), taskId: z.string(), text: z.string() }),
    z.object({ op: z.literal('logs'), taskId: z.string(), lines: z.number().int() }),
    z.object({ op: z.literal('removeWorktree'), taskId: z.string(), target: Target }),
    z.object({ op: z.literal('pushBranch'), taskId: z.string(), target: BranchTarget, dryRun: z.boolean() }),
    /** A successor for a task whose worker gave up: its own runner keeps the task's worktree and state. */
    z.object({ op: z.literal('submit'), taskId: z.string(), spec: z.unknown() }),
  ]),
);
export type RunnerCommand = z.infer<typeof RunnerCommand>;

export const RunnerReply = z.union([
  z.object({ id: z.string(), ok: z.literal(true), value: z.unknown().optional() }),
  z.object({ id: z.string(), ok: z.literal(false), error: z.string() }),
]);
export type RunnerReply = z.infer<typeof RunnerReply>;

export const WorktreeRemoval = z.object({ removed: z.boolean(), message: z.string() });
