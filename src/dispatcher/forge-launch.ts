import type { Config } from '../config/schema.js';
import { ForgeError } from '../errors/index.js';
import { issueContext } from '../forge/describe.js';
import { forgesFromEnv, type Forges } from '../forge/forges.js';
import { parseRemote } from '../forge/origin.js';
import type { Issue } from '../forge/port.js';
import { TaskForge, type IssueLink } from '../forge/record.js';
import type { ForgeAsk, IssueRef } from '../intent/index.js';
import type { TaskSpec } from '../task/index.js';
import type { DispatcherDeps } from './deps.js';

/** The forges of this bot (a dispatcher built without them, in a unit test, reads the environment). */
export function forgesOf(deps: DispatcherDeps): Forges {
  return deps.forges ?? forgesFromEnv(deps.env);
}

/** A repo's pull request settings: its own under `repos:`, else the defaults. */
export function repoForgeSettings(config: Config, repoName: string): { autoPr: boolean; draft: boolean; branchPrefix: string } {
  const repo = Object.hasOwn(config.repos, repoName) ? config.repos[repoName] : undefined;
  return { autoPr: repo?.auto_pr ?? false, draft: repo?.draft ?? true, branchPrefix: repo?.branch_prefix ?? config.limits.branch_prefix };
}

/** A worktree task's branch: the repo's prefix (or `limits.branch_prefix`) and its id. */
export function branchFor(config: Config, spec: Pick<TaskSpec, 'id' | 'repo'>): string {
  return `${repoForgeSettings(config, spec.repo.name).branchPrefix}${spec.id}`;
}

/** What a request's words ask of the forge, with the issues it names read from the forge. */
export interface ForgePlan {
  /** The issues' titles and bodies, for every task's shared context ('' when none). */
  context: string;
  forge: TaskForge;
}

/**
 * What a request asked of the forge, made ready: a pull request when done ("… and open a PR", or
 * the repo's `auto_pr`), and the issues it names, fetched now so their text goes into the
 * workers' prompts. A failure (no
 * token, no origin, an issue that is not there) refuses the request before anything starts.
 */
export async function planForge(deps: DispatcherDeps, ask: ForgeAsk, repo: { name: string; path: string }, requesterName: string | undefined): Promise<ForgePlan> {
  const autoPr = ask.openPr || repoForgeSettings(deps.config.current(), repo.name).autoPr;
  const base: TaskForge = { autoPr, fixes: [], ...(requesterName ? { requesterName } : {}) };
  if (ask.issues.length === 0) return { context: '', forge: base };
  const forges = forgesOf(deps);
  const origin = await forges.originOf(repo.path);
  const home = origin ? parseRemote(origin) : undefined;
  const issues: (Issue & { link: IssueLink })[] = [];
  for (const ref of ask.issues) {
    const named = refRepo(ref, home, repo.path);
    const host = ref.host ?? home?.host ?? forges.host;
    const { forge, repo: where } = forges.forRemote(`https://${host}/${named.owner}/${named.name}`);
    const issue = await forge.issue(where, ref.number);
    const local = home !== undefined && home.host === host && home.owner === where.owner && home.name === where.name;
    issues.push({ ...issue, link: { repo: `${where.owner}/${where.name}`, number: issue.number, local, title: issue.title } });
  }
  return { context: issueContext(issues), forge: { ...base, fixes: issues.map((i) => i.link) } };
}

/** Which repository a reference means: the one it names, else the task repo's origin. */
function refRepo(ref: IssueRef, home: { owner: string; name: string } | undefined, repoPath: string): { owner: string; name: string } {
  if (ref.owner && ref.repo) return { owner: ref.owner, name: ref.repo };
  if (home) return { owner: home.owner, name: home.name };
  throw new ForgeError(`Can't tell which repository #${ref.number} is in: ${repoPath} has no \`origin\` remote on this machine. Name it as owner/repo#${ref.number} (or give the repository an origin).`);
}

/** The issue text first: it is what the task is about; the request's own context follows. */
export function withIssueContext(issues: string, context: string): string {
  return [issues, context].filter((part) => part.trim()).join('\n\n');
}

/**
 * What a retry carries over: the issues and the PR wish of the first run (its context already
 * holds the issues' text), and for a review successor, the pull request it continues. Nothing
 * pushed or opened by the first run is taken for the retry's own.
 */
export function retryForge(task: { forge?: TaskForge | undefined }): TaskForge {
  const forge = TaskForge.parse(task.forge ?? {});
  const { pushed: _pushed, pullRequest, continues, ...asked } = forge;
  return continues && pullRequest ? { ...asked, continues, pullRequest } : asked;
}
