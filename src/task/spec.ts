import { z } from 'zod';
import { AttachedFiles } from './attachments.js';

/** Task ids are short kebab-case words; they become branch and directory names, so keep them tame. */
export const TaskId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a task id is lowercase letters, digits and dashes');
export type TaskId = z.infer<typeof TaskId>;

/**
 * One task as it travels from the dispatcher to a runner host (possibly across Redis). It says
 * what to do and with which model, never how to start a program: the runner builds the command
 * line from its own config, so nothing that crosses a queue can become a command line.
 */
export const TaskSpec = z.object({
  id: TaskId,
  /** The task's own goal (one item of a fan-out, or the whole request). */
  goal: z.string(),
  /** Text around a numbered list, given to every worker of that request. */
  context: z.string().default(''),
  /** An alias's role prompt, prepended to the worker's instructions. */
  rolePrompt: z.string().default(''),
  repo: z.object({ name: z.string(), path: z.string() }),
  worktree: z.boolean(),
  /**
   * The worktree's branch (the dispatcher applies the configured prefix); `dispatch/<id>` when
   * left out (a spec from an older build). Checked with `git check-ref-format` before use.
   */
  branch: z.string().min(1).max(200).optional(),
  /**
   * Continue an existing branch instead of making one (a successor addressing review comments):
   * the worktree holding it is reused, else it is checked out anew (fetched from origin if needed).
   */
  existingBranch: z.boolean().optional(),
  /** The model id as configured (what the user asked for). */
  model: z.string().min(1),
  /** The backend (agent CLI driver) the dispatcher chose for the model. */
  backend: z.string().min(1),
  /** Milliseconds; 0 = no limit. */
  timeoutMs: z.number().int().nonnegative(),
  /** Milliseconds without a plan change, output or question after which the worker counts as stalled. */
  stallAfterMs: z.number().int().positive().optional(),
  requester: z.string(),
  /** Set when this worker continues a task whose previous worker gave up waiting (`[?]`). */
  resume: z.boolean().default(false),
  /**
   * Which start of the task this is: 2 when its first runner stopped answering and another took
   * it over. A later start gets its own worktree, so it never writes into the lost one's.
   */
  attempt: z.number().int().positive().optional(),
  /**
   * The files its requester attached, written into the task folder's `in/` before the worker
   * starts. Only on the way to a runner: the task as stored keeps none of their bytes.
   */
  files: AttachedFiles.optional(),
});
export type TaskSpec = z.infer<typeof TaskSpec>;

/**
 * A spec read back from disk (a stored task, a worker record). Builds before runners built their
 * own commands saved the whole worker command in the spec; its model and backend are what a
 * spec holds now.
 */
export const SavedTaskSpec = z.preprocess((value) => {
  if (typeof value !== 'object' || value === null || 'model' in value) return value;
  const command = (value as { command?: unknown }).command;
  if (typeof command !== 'object' || command === null) return value;
  const { model, backend } = command as { model?: unknown; backend?: unknown };
  return { ...value, model, backend };
}, TaskSpec);
