import { z } from 'zod';
import { AttachedFiles } from './attachments.js';
import { StartFailure, TaskReport, WorktreeReport } from './outcome.js';
import { PlanItem } from './plan.js';
import { FinalState } from './state.js';
import { Usage } from './usage.js';

/** What a runner host reports about a task, in order, as it happens. */
export const TaskEvent = z.discriminatedUnion('type', [
  /** `runner`: the id of the runner host whose worker it is (DISPATCH_RUNNER_ID). */
  z.object({ type: z.literal('started'), taskId: z.string(), pid: z.number().int(), dir: z.string(), branch: z.string().optional(), runner: z.string().max(200).optional() }),
  /** The real model id the CLI reported. */
  z.object({ type: z.literal('model'), taskId: z.string(), model: z.string() }),
  /** A short line saying what the worker does right now. */
  z.object({ type: z.literal('activity'), taskId: z.string(), text: z.string() }),
  /** The plan's first items; `total`/`done` count every item when there were more than were kept. */
  z.object({
    type: z.literal('plan'),
    taskId: z.string(),
    items: z.array(PlanItem),
    total: z.number().int().nonnegative().optional(),
    done: z.number().int().nonnegative().optional(),
  }),
  /** What the worker has used so far, as its CLI reports it (a running total for this worker). */
  z.object({ type: z.literal('usage'), taskId: z.string(), usage: Usage }),
  /** No plan change, no output and no open question for `idleMs` (`stalled`), or progress again after that. */
  z.object({ type: z.literal('stall'), taskId: z.string(), stalled: z.boolean(), idleMs: z.number().int().nonnegative() }),
  z.object({ type: z.literal('question'), taskId: z.string(), seq: z.string(), text: z.string() }),
  z.object({ type: z.literal('answered'), taskId: z.string(), seq: z.string() }),
  /** The worker stopped waiting and marked an item `[?]`: the next answer starts a successor. */
  z.object({ type: z.literal('gave-up'), taskId: z.string(), seq: z.string().optional() }),
  z.object({ type: z.literal('note'), taskId: z.string(), text: z.string() }),
  z.object({
    type: z.literal('finished'),
    taskId: z.string(),
    state: FinalState,
    exitCode: z.number().int().nullable().optional(),
    /** The head of `output.md`, when the worker wrote one. */
    summary: z.string().optional(),
    /** All of `output.md` (up to a limit) with its path, when `summary` is only its head. */
    report: TaskReport.optional(),
    logTail: z.string().optional(),
    worktree: WorktreeReport.optional(),
    failure: StartFailure.optional(),
    /** What the worker left in the task folder's `out/`, for the thread. */
    outFiles: AttachedFiles.optional(),
    /** Where `out/` is on the runner host. */
    outDir: z.string().max(4000).optional(),
    /** Files of `out/` left behind, each with why (too big, too many, not a plain file). */
    outSkipped: z.array(z.string().max(500)).max(100).optional(),
  }),
]);
export type TaskEvent = z.infer<typeof TaskEvent>;
export type TaskEventOf<T extends TaskEvent['type']> = Extract<TaskEvent, { type: T }>;
export type TaskEventListener = (event: TaskEvent) => void;
