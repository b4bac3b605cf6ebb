import type { FilesRemoved, TaskControl, TaskFiles, TaskSpec } from '../task/index.js';

/**
 * How tasks reach runner hosts and how their events come back. In-process by default; a
 * Redis-backed implementation carries the same calls between hosts.
 */
export interface TaskQueue extends TaskControl {
  /**
   * Remove a finished task's worktree (kept when it has uncommitted changes) and its branch when
   * the branch has no commits; says what it did.
   */
  removeWorktree(target: { taskId: string; repo: string; path: string; branch: string }): Promise<{ removed: boolean; message: string }>;
  /** Also forgets which runner held the files' tasks. */
  removeTaskFiles(tasks: readonly TaskFiles[]): Promise<FilesRemoved>;
  close(): Promise<void>;
}
