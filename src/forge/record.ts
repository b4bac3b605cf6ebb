import { z } from 'zod';

/** An issue a request named: `#7` (in the task's own repository) or `owner/repo#7`. */
export const IssueLink = z.object({
  /** `owner/name`. */
  repo: z.string(),
  number: z.number().int().positive(),
  /** In the same repository as the pull request (GitHub links a bare `Fixes #7` only there). */
  local: z.boolean(),
  title: z.string().optional(),
});
export type IssueLink = z.infer<typeof IssueLink>;

/** A pull request the bot opened for a task. */
export const PullRequestRef = z.object({
  number: z.number().int().positive(),
  url: z.string(),
  /** `owner/name`. */
  repo: z.string(),
  draft: z.boolean(),
});
export type PullRequestRef = z.infer<typeof PullRequestRef>;

/** What a task has to do with its forge: what was asked of it, and what has been done. */
export const TaskForge = z.object({
  /** Open a pull request when it finishes with commits (`repos.<name>.auto_pr`, or "… and open a PR"). */
  autoPr: z.boolean().default(false),
  /** The issues its request named; the pull request says `Fixes #N` for each. */
  fixes: z.array(IssueLink).default([]),
  /** How the requester is named in the pull request (display only: identity is `spec.requester`). */
  requesterName: z.string().optional(),
  /** `origin`'s URL (credentials removed) where the branch was pushed: it names the forge repository. */
  origin: z.string().optional(),
  /** The branch head last pushed to `origin`. */
  pushed: z.object({ head: z.string(), at: z.number() }).optional(),
  pullRequest: PullRequestRef.optional(),
  /** The task whose branch and pull request this one continues (a review successor). */
  continues: z.string().optional(),
});
export type TaskForge = z.infer<typeof TaskForge>;
