import type { BranchPush, BranchTarget } from './branch.js';
import type { TaskEventListener } from './events.js';
import type { FilesRemoved, TaskFiles } from './files.js';
import type { TaskSpec } from './spec.js';

/**
 * What can be asked of the workers behind a task, whether they run in this process (a runner
 * host) or on another host behind a queue: both answer the same calls.
 */
export interface TaskControl {
  submit(spec: TaskSpec): Promise<void>;
  subscribe(listener: TaskEventListener): () => void;
  /** Stop the task's worker and its whole process tree. Resolves once it is gone. */
  cancel(taskId: string): Promise<void>;
  /** Write `ipc/<seq>.answer` for a question the worker asked. */
  answer(taskId: string, seq: string, text: string): Promise<void>;
  /** Append a note to the task's plan.md for the worker to read. */
  note(taskId: string, text: string): Promise<void>;
  /** The last `lines` lines of the worker's log. */
  logs(taskId: string, lines: number): Promise<string>;
  /**
   * Push a finished task's branch to its repository's `origin`, on the host that holds the
   * worktree (`dryRun`: only say where it would go and what it holds). A refusal is a ForgeError
   * naming what to fix.
   */
  pushBranch(target: BranchTarget, opts?: { dryRun?: boolean }): Promise<BranchPush>;
  /**
   * Remove the files of tasks the store removed (their logs and task folders; an empty worktree
   * when asked) on the hosts that hold them.
   */
  removeTaskFiles(tasks: readonly TaskFiles[]): Promise<FilesRemoved>;
}
