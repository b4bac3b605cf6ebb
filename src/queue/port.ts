import type { BranchPush, BranchTarget, FilesRemoved, TaskEventListener, TaskFiles, TaskSpec } from '../task/index.js';

/**
 * How tasks reach runner hosts and how their events come back. In-process by default; a
 * Redis-backed implementation carries the same calls between hosts.
 */
export interface TaskQueue {
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
   * Remove a finished task's worktree (kept when it has uncommitted changes) and its branch when
   * the branch has no commits; says what it did.
   */
  removeWorktree(target: { taskId: string; repo: string; path: string; branch: string }): Promise<{ removed: boolean; message: string }>;
  /**
   * Push a finished task's branch to its repository's `origin`, on the runner host that holds the
   * worktree (`dryRun`: only say where it would go and what it holds). A refusal is a ForgeError
   * naming what to fix.
   */
  pushBranch(target: BranchTarget, opts?: { dryRun?: boolean }): Promise<BranchPush>;
  /**
   * Remove the files of tasks the store removed (their logs and task folders; an empty worktree
   * when asked) on the runner hosts that hold them, and forget which runner held them.
   */
  removeTaskFiles(tasks: readonly TaskFiles[]): Promise<FilesRemoved>;
  close(): Promise<void>;
}
