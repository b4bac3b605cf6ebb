/**
 * Where branches become pull requests (GitHub today; GitLab's merge requests fit the same calls).
 * A Forge talks to one forge's API; it never touches git: pushing happens on the runner host
 * that holds the worktree.
 */

/** A repository on a forge: `owner` may be a path (GitLab groups), `name` its last part. */
export interface ForgeRepo {
  owner: string;
  name: string;
}

export interface PullRequest {
  number: number;
  /** The page a person opens. */
  url: string;
  draft: boolean;
  /** The branch it merges. */
  head: string;
  base: string;
}

export interface NewPullRequest {
  head: string;
  /** The branch to merge into; the repository's default branch when left out. */
  base?: string;
  title: string;
  body: string;
  draft: boolean;
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  url: string;
}

/** One unresolved review remark on a pull request: a line comment thread, or a review's summary. */
export interface ReviewComment {
  author: string;
  body: string;
  /** The file and line a line comment sits on. */
  path?: string;
  line?: number;
  url?: string;
  /** The code it was made on has changed since. */
  outdated?: boolean;
}

export interface Forge {
  /** Which forge this is, for messages (`GitHub`). */
  readonly label: string;
  /**
   * The forge repository a git remote URL names, or undefined when the remote is not on this
   * forge (another host, a local path).
   */
  repoOf(remoteUrl: string): ForgeRepo | undefined;
  /**
   * Open a pull request of `head`; when one is already open for that branch, that one is
   * returned instead (a second press, a retried request, or a race, never make a second).
   */
  openPullRequest(repo: ForgeRepo, pr: NewPullRequest): Promise<PullRequest>;
  /** The open pull request of a branch, if there is one. */
  findPullRequest(repo: ForgeRepo, head: string): Promise<PullRequest | undefined>;
  /** Review remarks not yet resolved: open line-comment threads and the summaries of reviews asking for changes. */
  unresolvedReviewComments(repo: ForgeRepo, pr: number): Promise<ReviewComment[]>;
  issue(repo: ForgeRepo, number: number): Promise<Issue>;
}

/** `owner/name`, as people write a repository. */
export function repoName(repo: ForgeRepo): string {
  return `${repo.owner}/${repo.name}`;
}
