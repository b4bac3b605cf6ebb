import { z } from 'zod';

/** What a worktree task left: its branch, how many commits, and the diffstat against its base. */
export const WorktreeReport = z.object({
  branch: z.string(),
  path: z.string(),
  commits: z.number().int().nonnegative(),
  diffstat: z.string(),
});
export type WorktreeReport = z.infer<typeof WorktreeReport>;

/** Why a worker failed, when the runner can tell (the CLI's own words are in `detail`). */
export const StartFailure = z.object({
  cli: z.string(),
  /**
   * `network`: the CLI kept retrying its API until the task timeout (codex without credentials
   * does); `model`: the CLI does not take the model it was given.
   */
  reason: z.enum(['missing', 'auth', 'flags', 'network', 'model', 'other']),
  detail: z.string(),
});
export type StartFailure = z.infer<typeof StartFailure>;

/** The whole `output.md` (up to a limit) and where it is, when the summary is only its head. */
export const TaskReport = z.object({ path: z.string(), text: z.string() });
export type TaskReport = z.infer<typeof TaskReport>;
