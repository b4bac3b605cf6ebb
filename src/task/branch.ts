import { z } from 'zod';

/** A finished task's branch, where its runner host holds it. */
export const BranchTarget = z.object({
  taskId: z.string(),
  /** The repository (its main checkout). */
  repo: z.string(),
  /** The task's worktree. */
  path: z.string(),
  branch: z.string(),
});
export type BranchTarget = z.infer<typeof BranchTarget>;

/** What pushing a task's branch found (or, for a dry run, would push). */
export const BranchPush = z.object({
  /** `origin`'s URL as configured, credentials removed. */
  origin: z.string(),
  /** The branch head pushed. */
  head: z.string(),
  pushed: z.boolean(),
  /** Files changed in the worktree but not committed: they are not in what was pushed. */
  uncommitted: z.number().int().nonnegative(),
  /** The task's output.md (bounded), for the pull request body. */
  report: z.string().optional(),
});
export type BranchPush = z.infer<typeof BranchPush>;
