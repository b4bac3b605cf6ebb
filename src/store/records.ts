import { z } from 'zod';
import { Inbound, Where } from '../chat/inbound.js';
import { MessageRef } from '../chat/surface.js';
import { SavedTaskSpec, TaskProgress } from '../task/index.js';

/**
 * The records the bot keeps. Everything a store reads back goes through these schemas, so a row
 * damaged on disk (or written by a buggy build) is reported and skipped instead of crashing a
 * status query. Records are loose: a field added by a newer build survives a rewrite.
 */

/** A task as the dispatcher remembers it: its spec, where it was asked, its messages, its progress. */
export const TaskRecord = z.looseObject({
  ...TaskProgress.shape,
  id: z.string().min(1),
  spec: SavedTaskSpec,
  /** Where the request was made; `where.thread` is the task's thread once posted. */
  where: Where,
  thread: z.string().optional(),
  /** The status message, edited in place as the task moves. */
  status: MessageRef.optional(),
  /** The delivery id of the request that created the task: a request replayed after a crash creates it once. */
  origin: z.string().optional(),
  /** The task has finished but its status message may not show it yet (the edit has not landed). */
  finalEditPending: z.boolean().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type TaskRecord = z.infer<typeof TaskRecord>;

/** A prompt waiting for its requester's press: a default confirm, a first-run default pick, a failed-start recovery. */
export const PendingConfirm = z.looseObject({
  id: z.string().min(1),
  requester: z.string(),
  where: Where,
  /** The request text as typed, re-resolved with the picked model on confirm. */
  text: z.string(),
  model: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
  prompt: MessageRef.optional(),
  purpose: z.enum(['confirm', 'first-run', 'recover']),
  /** The delivery id of the request that posted the prompt (see TaskRecord.origin). */
  origin: z.string().optional(),
});
export type PendingConfirm = z.infer<typeof PendingConfirm>;

/** A worker's question and, once given, its answer. */
export const QuestionRecord = z.looseObject({
  taskId: z.string().min(1),
  seq: z.string().min(1),
  text: z.string(),
  askedAt: z.number(),
  posted: MessageRef.optional(),
  answer: z.string().optional(),
  answeredAt: z.number().optional(),
});
export type QuestionRecord = z.infer<typeof QuestionRecord>;

/**
 * A request the bot has acknowledged to its platform and not yet handled to the end. It is
 * written before the acknowledgement, so a bot killed right after it finishes the request when
 * it starts again (the platform will not send it twice).
 */
export const AcceptedRequest = z.looseObject({
  /** The request's delivery id (Slack event or trigger, Discord message or interaction). */
  id: z.string().min(1),
  request: Inbound,
  acceptedAt: z.number(),
});
export type AcceptedRequest = z.infer<typeof AcceptedRequest>;
