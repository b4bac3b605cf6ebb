import { z } from 'zod';
import type { PlanItem } from '../chat/reply.js';

/** Task ids are short kebab-case words; they become branch and directory names, so keep them tame. */
export const TaskId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a task id is lowercase letters, digits and dashes');
export type TaskId = z.infer<typeof TaskId>;

/**
 * How to start one worker, fully resolved and serialisable (it may cross a Redis queue).
 * In `argv` the runner replaces the token `{dir}` with the task's working directory (repo or
 * worktree) and `{prompt}` with the worker prompt; `promptAsLastArg` appends the prompt instead.
 */
export const WorkerCommand = z.object({
  backend: z.string().min(1),
  /** The model id as configured (what the user asked for). */
  model: z.string().min(1),
  argv: z.array(z.string()).min(1),
  /** Variables to set; `unset` names are removed from the inherited environment. */
  env: z.record(z.string(), z.string()).default({}),
  unset: z.array(z.string()).default([]),
  promptAsLastArg: z.boolean().default(true),
  /** `stream-json` when argv asks claude for it; the runner then reads the real model id and activity. */
  output: z.enum(['text', 'stream-json']).default('text'),
});
export type WorkerCommand = z.infer<typeof WorkerCommand>;

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
  command: WorkerCommand,
  /** Milliseconds; 0 = no limit. */
  timeoutMs: z.number().int().nonnegative(),
  requester: z.string(),
  /** Set when this worker continues a task whose previous worker gave up waiting (`[?]`). */
  resume: z.boolean().default(false),
});
export type TaskSpec = z.infer<typeof TaskSpec>;

export type FinishState = 'done' | 'failed' | 'cancelled' | 'timed_out' | 'interrupted';

export interface WorktreeReport {
  branch: string;
  path: string;
  commits: number;
  diffstat: string;
}

/** Why a worker failed, when the runner can tell (the CLI's own words are in `detail`). */
export interface StartFailure {
  cli: string;
  /** `network`: the CLI kept retrying its API until the task timeout (codex without credentials does). */
  reason: 'missing' | 'auth' | 'flags' | 'network' | 'other';
  detail: string;
}

export type TaskEvent =
  | { type: 'started'; taskId: string; pid: number; dir: string; branch?: string }
  | { type: 'model'; taskId: string; model: string }
  | { type: 'activity'; taskId: string; text: string }
  | { type: 'plan'; taskId: string; items: PlanItem[] }
  | { type: 'question'; taskId: string; seq: string; text: string }
  | { type: 'answered'; taskId: string; seq: string }
  /** The worker stopped waiting and marked an item `[?]`: the next answer starts a successor. */
  | { type: 'gave-up'; taskId: string; seq?: string }
  | { type: 'note'; taskId: string; text: string }
  | {
      type: 'finished';
      taskId: string;
      state: FinishState;
      exitCode?: number | null;
      /** The head of `output.md`, when the worker wrote one. */
      summary?: string;
      logTail?: string;
      worktree?: WorktreeReport;
      failure?: StartFailure;
    };

export type TaskEventListener = (event: TaskEvent) => void;
