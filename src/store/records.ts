import { z } from 'zod';
import { Inbound, InboundFile, Where } from '../chat/inbound.js';
import { MessageRef } from '../chat/surface.js';
import { ConfigRequest, TaskDraft, TaskRequest } from '../intent/types.js';
import { Trial } from '../resolve/resolve.js';
import { SavedTaskSpec, TaskProgress, Usage } from '../task/index.js';
import { TaskForge } from '../forge/record.js';

/**
 * The records the bot keeps. Everything a store reads back goes through these schemas, so a row
 * damaged on disk (or written by a buggy build) is reported and skipped instead of crashing a
 * status query. Records are loose: a field added by a newer build survives a rewrite.
 */

/**
 * A *Continue* of a task stopped over its budget is a new task: the one it continues, and what
 * that one (with any it continued in turn) used, so that the whole work's cost can be shown.
 */
export const EarlierWork = z.object({ task: z.string(), usage: Usage });
export type EarlierWork = z.infer<typeof EarlierWork>;

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
  /** Its branch and pull request: what the request asked (issues, a PR when done) and what was done. */
  forge: TaskForge.optional(),
  /** The task has finished but its status message may not show it yet (the edit has not landed). */
  finalEditPending: z.boolean().optional(),
  /**
   * The model was found by a family rule alone (`via`: "the gemini CLI"): it joins the config once
   * the worker shows its CLI took it, and a model error from the CLI keeps it out.
   */
  modelTrial: z.object({ via: z.string() }).optional(),
  /** US dollars this task may cost (`limits.max_cost_usd`, or more after a *Continue*). */
  budgetUsd: z.number().positive().optional(),
  /** Files attached to the request (their platform handles, never their bytes): a retry fetches them again. */
  attachments: z.array(InboundFile).max(100).optional(),
  /** The task went over its budget and was stopped: what it had cost then, against which limit. */
  budgetStop: z.object({ spentUsd: z.number(), limitUsd: z.number() }).optional(),
  /** The task this one continues (its budget and usage are its own; this is for the total). */
  earlier: EarlierWork.optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type TaskRecord = z.infer<typeof TaskRecord>;

/**
 * A task on its way to launch: a draft, the role prompt a retry keeps from its first run, and the
 * existing branch a review successor (or its retry) continues.
 */
export const HeldDraft = TaskDraft.extend({
  rolePrompt: z.string().optional(),
  branch: z.string().optional(),
  existingBranch: z.boolean().optional(),
  /** Found by a family rule while the request waited (the CLI has not taken it yet): no second discovery. */
  trial: Trial.optional(),
  /** A *Continue* of a task stopped over its budget: this run's own budget. */
  budgetUsd: z.number().positive().optional(),
  earlier: EarlierWork.optional(),
});
export type HeldDraft = z.infer<typeof HeldDraft>;

/**
 * A request a prompt holds: its drafts as resolved so far, never the text to be parsed again.
 * `taskForge`: what a retry or a review successor carries over of its task's forge side (the
 * issues already fetched into its context, the pull request it continues).
 */
export const HeldRequest = TaskRequest.extend({
  tasks: z.array(HeldDraft).min(1),
  taskForge: TaskForge.optional(),
  /** Files attached to the request: fetched when its tasks launch, for their workers. */
  attachments: z.array(InboundFile).max(100).optional(),
});
export type HeldRequest = z.infer<typeof HeldRequest>;

/** What a prompt asks. */
export const PendingQuestion = z.discriminatedUnion('kind', [
  /** Confirm the proposed default (`model`), or pick one when there is none (`model` ''). */
  z.object({ kind: z.literal('default'), source: z.enum(['user', 'channel', 'config']).optional() }),
  /** Which model the request's task number `task` should run ("did you mean …?", "which gemini?"). */
  z.object({ kind: z.literal('pick'), task: z.number().int().nonnegative() }),
  /** Config change or task? `requests` are the config clauses, `rest` the other clauses as tasks. */
  z.object({ kind: z.literal('clarify'), requests: z.array(ConfigRequest).min(1), rest: TaskRequest }),
]);
export type PendingQuestion = z.infer<typeof PendingQuestion>;

/** A prompt waiting for its requester's press: a model question, a config-or-task question, a first-run default pick. */
export const PendingConfirm = z.looseObject({
  id: z.string().min(1),
  requester: z.string(),
  where: Where,
  /** The request as typed, shown back; only a first-run prompt reads it again (no config existed to read it against). */
  text: z.string(),
  /** The model proposed (a default confirm), '' when none is. */
  model: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
  prompt: MessageRef.optional(),
  purpose: z.enum(['confirm', 'first-run', 'recover']),
  /** The delivery id of the request that posted the prompt (see TaskRecord.origin). */
  origin: z.string().optional(),
  /** The request the prompt holds, resolved as far as it could be without the answer. */
  request: HeldRequest.optional(),
  question: PendingQuestion.optional(),
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
