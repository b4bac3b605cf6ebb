import type { Octokit } from '@octokit/rest';
import { z } from 'zod';
import { parseRemote } from './origin.js';
import { forgeFailure } from './github-errors.js';
import { repoName, type Forge, type ForgeRepo, type Issue, type NewPullRequest, type PullRequest, type ReviewComment } from './port.js';

export interface GitHubOptions {
  token: string;
  /** The REST API's base: https://api.github.com, or GitHub Enterprise's https://<host>/api/v3. */
  apiUrl: string;
  userAgent: string;
  /** How long one API call may take (default 30 s). */
  timeoutMs?: number;
}

/** The web host whose git remotes this API serves: github.com for api.github.com, else the API's own host. */
export function webHostOf(apiUrl: string): string {
  const host = new URL(apiUrl).hostname.toLowerCase();
  return host === 'api.github.com' ? 'github.com' : host;
}

const PullShape = z.object({
  number: z.number().int(),
  html_url: z.string(),
  draft: z.boolean().optional(),
  head: z.object({ ref: z.string() }),
  base: z.object({ ref: z.string() }),
});

const IssueShape = z.object({ number: z.number().int(), title: z.string(), body: z.string().nullable().optional(), html_url: z.string() });

const Author = z.object({ login: z.string() }).nullable();
const ReviewData = z.object({
  repository: z
    .object({
      pullRequest: z
        .object({
          reviewThreads: z.object({
            pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
            nodes: z.array(
              z.object({
                isResolved: z.boolean(),
                isOutdated: z.boolean(),
                path: z.string().nullable(),
                line: z.number().int().nullable(),
                comments: z.object({ nodes: z.array(z.object({ body: z.string(), url: z.string(), author: Author })) }),
              }),
            ),
          }),
          latestOpinionatedReviews: z.object({ nodes: z.array(z.object({ state: z.string(), body: z.string(), url: z.string(), author: Author })) }),
        })
        .nullable(),
    })
    .nullable(),
});

/** GitHub answers review-thread resolution only over GraphQL; the REST review comments do not say it. */
const REVIEW_QUERY = `query dispatchReviewThreads($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { isResolved isOutdated path line comments(first: 50) { nodes { body url author { login } } } }
      }
      latestOpinionatedReviews(first: 50) { nodes { state body url author { login } } }
    }
  }
}`;

/** Pages of review threads read at most (100 threads each). */
const MAX_THREAD_PAGES = 10;

function toPullRequest(data: unknown): PullRequest {
  const pr = PullShape.parse(data);
  return { number: pr.number, url: pr.html_url, draft: pr.draft ?? false, head: pr.head.ref, base: pr.base.ref };
}

/** GitHub (and GitHub Enterprise) through @octokit/rest. */
export class GitHubForge implements Forge {
  readonly label = 'GitHub';
  /** Loaded at the first call: a bot that never talks to GitHub never pays for @octokit/rest. */
  private octokit?: Promise<Octokit>;
  private readonly webHost: string;
  private readonly timeoutMs: number;

  constructor(private readonly opts: GitHubOptions) {
    this.webHost = webHostOf(opts.apiUrl);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  private client(): Promise<Octokit> {
    this.octokit ??= import('@octokit/rest').then(({ Octokit }) => {
      const quiet = () => undefined;
      // Octokit logs request details through `log`; nothing of it belongs in the bot's log.
      return new Octokit({ auth: this.opts.token, baseUrl: this.opts.apiUrl.replace(/\/+$/, ''), userAgent: this.opts.userAgent, log: { debug: quiet, info: quiet, warn: quiet, error: quiet } });
    });
    return this.octokit;
  }

  repoOf(remoteUrl: string): ForgeRepo | undefined {
    const where = parseRemote(remoteUrl);
    if (!where || where.host !== this.webHost || where.owner.includes('/')) return undefined;
    return { owner: where.owner, name: where.name };
  }

  async openPullRequest(repo: ForgeRepo, pr: NewPullRequest): Promise<PullRequest> {
    const open = await this.findPullRequest(repo, pr.head);
    if (open) return open;
    const what = `open a pull request for ${pr.head}`;
    const base = pr.base ?? (await this.call(repo, what, (octokit) => octokit.rest.repos.get({ ...this.ids(repo), request: this.request() }))).data.default_branch;
    const octokit = await this.client();
    try {
      const { data } = await octokit.rest.pulls.create({ ...this.ids(repo), head: pr.head, base, title: pr.title, body: pr.body, draft: pr.draft, request: this.request() });
      return toPullRequest(data);
    } catch (error) {
      // Another press (or another bot) got there first: theirs is the one.
      const raced = await this.findPullRequest(repo, pr.head).catch(() => undefined);
      if (raced) return raced;
      throw forgeFailure(error, { what, repo: repoName(repo), api: this.opts.apiUrl, token: this.opts.token });
    }
  }

  async findPullRequest(repo: ForgeRepo, head: string): Promise<PullRequest | undefined> {
    const { data } = await this.call(repo, `look up the pull request of ${head}`, (octokit) =>
      octokit.rest.pulls.list({ ...this.ids(repo), head: `${repo.owner}:${head}`, state: 'open', per_page: 1, request: this.request() }),
    );
    const [first] = data;
    return first ? toPullRequest(first) : undefined;
  }

  async unresolvedReviewComments(repo: ForgeRepo, pr: number): Promise<ReviewComment[]> {
    const comments: ReviewComment[] = [];
    let after: string | null = null;
    for (let page = 0; page < MAX_THREAD_PAGES; page += 1) {
      const raw = await this.call(repo, `read the review comments of pull request #${pr}`, (octokit) =>
        octokit.graphql(REVIEW_QUERY, { owner: repo.owner, name: repo.name, number: pr, after, request: this.request() }),
      );
      const pull = ReviewData.parse(raw).repository?.pullRequest;
      if (!pull) throw forgeFailure({ status: 404 }, { what: `read pull request #${pr}`, repo: repoName(repo), api: this.opts.apiUrl, token: this.opts.token });
      if (page === 0) {
        for (const review of pull.latestOpinionatedReviews.nodes) {
          if (review.state === 'CHANGES_REQUESTED' && review.body.trim()) comments.push({ author: review.author?.login ?? 'ghost', body: review.body.trim(), url: review.url });
        }
      }
      for (const thread of pull.reviewThreads.nodes.filter((t) => !t.isResolved)) {
        for (const c of thread.comments.nodes) {
          comments.push({
            author: c.author?.login ?? 'ghost',
            body: c.body.trim(),
            url: c.url,
            ...(thread.path ? { path: thread.path } : {}),
            ...(thread.line !== null ? { line: thread.line } : {}),
            ...(thread.isOutdated ? { outdated: true } : {}),
          });
        }
      }
      if (!pull.reviewThreads.pageInfo.hasNextPage) break;
      after = pull.reviewThreads.pageInfo.endCursor;
    }
    return comments;
  }

  async issue(repo: ForgeRepo, number: number): Promise<Issue> {
    const { data } = await this.call(repo, `read issue #${number}`, (octokit) => octokit.rest.issues.get({ ...this.ids(repo), issue_number: number, request: this.request() }));
    const issue = IssueShape.parse(data);
    return { number: issue.number, title: issue.title, body: issue.body ?? '', url: issue.html_url };
  }

  private ids(repo: ForgeRepo): { owner: string; repo: string } {
    return { owner: repo.owner, repo: repo.name };
  }

  private request(): { signal: AbortSignal } {
    return { signal: AbortSignal.timeout(this.timeoutMs) };
  }

  private async call<T>(repo: ForgeRepo, what: string, run: (octokit: Octokit) => Promise<T>): Promise<T> {
    const octokit = await this.client();
    try {
      return await run(octokit);
    } catch (error) {
      throw forgeFailure(error, { what, repo: repoName(repo), api: this.opts.apiUrl, token: this.opts.token });
    }
  }
}
