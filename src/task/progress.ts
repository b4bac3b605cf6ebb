import { z } from 'zod';
import { StartFailure, WorktreeReport } from './outcome.js';
import { PlanItem } from './plan.js';
import { TaskState } from './state.js';
import { Usage } from './usage.js';

/** What the task's events tell about it: the part of a task record that `transition` changes. */
export const TaskProgress = z.object({
  state: TaskState,
  plan: z.array(PlanItem),
  /** Counts of the whole plan when it held more items than `plan` keeps. */
  planTotal: z.number().int().nonnegative().optional(),
  planDone: z.number().int().nonnegative().optional(),
  /** The real model id the CLI reported, when it reported one. */
  reportedModel: z.string().optional(),
  activity: z.string().optional(),
  /** How long the worker had been silent when it was found stalled; cleared by progress. */
  stalledFor: z.number().int().nonnegative().optional(),
  /** Tokens (and cost, when the CLI reports it) of all the task's workers so far. */
  usage: Usage.optional(),
  /** What the task's earlier workers used (a successor after a give-up): its workers' reports add to it. */
  usageBefore: Usage.optional(),
  pid: z.number().int().optional(),
  /** The runner host holding the worker (the last one that started it). */
  runner: z.string().optional(),
  dir: z.string().optional(),
  branch: z.string().optional(),
  summary: z.string().optional(),
  logTail: z.string().optional(),
  worktree: WorktreeReport.optional(),
  failure: StartFailure.optional(),
  finishedAt: z.number().optional(),
});
export type TaskProgress = z.infer<typeof TaskProgress>;

/** A task nobody has started yet. */
export function queuedProgress(): TaskProgress {
  return { state: 'queued', plan: [] };
}
