import { z } from 'zod';

/**
 * A task removed from the store (it finished long ago), and where its runner host keeps its
 * files: its log under DISPATCH_HOME and its `.dispatch/tasks/<id>` folder in `dir`.
 */
export const TaskFiles = z.object({
  taskId: z.string(),
  /** The repository (its main checkout). */
  repo: z.string(),
  /** Where its worker ran: the repository, or the task's worktree. */
  dir: z.string(),
  /**
   * Its worktree, to be given back under `limits.worktree_cleanup: when-empty` (the task made no
   * commits). The runner keeps it when it holds uncommitted changes or another task works in it.
   */
  emptyWorktree: z.object({ path: z.string(), branch: z.string() }).optional(),
});
export type TaskFiles = z.infer<typeof TaskFiles>;

/** What removing tasks' files removed. */
export const FilesRemoved = z.object({
  logs: z.number().int().nonnegative(),
  folders: z.number().int().nonnegative(),
  worktrees: z.number().int().nonnegative(),
  /** Bytes of the logs and task folders removed. */
  bytes: z.number().int().nonnegative(),
  /** Tasks whose files are on a runner that is down: it removes them when it is back. */
  later: z.number().int().nonnegative(),
});
export type FilesRemoved = z.infer<typeof FilesRemoved>;

export function noFilesRemoved(): FilesRemoved {
  return { logs: 0, folders: 0, worktrees: 0, bytes: 0, later: 0 };
}

export function addFilesRemoved(a: FilesRemoved, b: FilesRemoved): FilesRemoved {
  return { logs: a.logs + b.logs, folders: a.folders + b.folders, worktrees: a.worktrees + b.worktrees, bytes: a.bytes + b.bytes, later: a.later + b.later };
}
