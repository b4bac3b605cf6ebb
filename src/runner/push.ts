import { existsSync } from 'node:fs';
import { ForgeError } from '../errors/index.js';
import type { BranchPush, BranchTarget } from '../task/index.js';
import { redact } from '../util/redact.js';
import { readHead } from './files.js';
import { runGit as git, type GitRun } from './git-run.js';
import { taskPaths } from './paths.js';
import { assertBranchName } from './worktree.js';

/** A pull request body holds about this much of output.md (GitHub caps a body at 65,536 characters). */
const REPORT_BYTES = 60 * 1024;
const PUSH_TIMEOUT_MS = 120_000;

export interface PushOptions {
  /** Only read where the branch would go and what it holds: push nothing. */
  dryRun?: boolean;
  /** The runner host's environment (its git credentials live there, or in its git config). */
  env: NodeJS.ProcessEnv;
}

/** The secrets a git message could carry here besides credentials in a URL. */
function secretsOf(env: NodeJS.ProcessEnv): string[] {
  return [env.GITHUB_TOKEN, env.GH_TOKEN].filter((s): s is string => typeof s === 'string');
}

/**
 * Push a finished task's branch to `origin` from the repository that holds it, or (dry run) say
 * where it would go. Every refusal is a ForgeError naming what to fix; nothing in it carries a
 * credential.
 */
export async function pushBranch(target: BranchTarget, opts: PushOptions): Promise<BranchPush> {
  const { branch, repo } = target;
  await assertBranchName(repo, branch);
  const env = opts.env;
  const origin = (await git(repo, ['config', '--get', 'remote.origin.url'], env)).stdout.trim();
  if (!origin) throw new ForgeError(`Can't push ${branch}: ${repo} has no \`origin\` remote. Add one (git remote add origin <url>) and try again.`);
  const head = (await git(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], env)).stdout.trim();
  if (!head) throw new ForgeError(`Can't push ${branch}: the branch is no longer in ${repo} (deleted after the task finished?).`);
  const uncommitted = existsSync(target.path) ? (await git(target.path, ['status', '--porcelain'], env)).stdout.split('\n').filter(Boolean).length : 0;
  const report = existsSync(target.path) ? await readHead(taskPaths(target.path, target.taskId).output, REPORT_BYTES) : undefined;
  const result: BranchPush = { origin: redact(origin, secretsOf(env)), head, pushed: false, uncommitted, ...(report?.trim() ? { report } : {}) };
  if (opts.dryRun) return result;
  // --no-verify: the repository's pre-push hook is the worker's to write, not the runner's to run.
  const push = await git(repo, ['push', '--porcelain', '--no-verify', 'origin', `refs/heads/${branch}:refs/heads/${branch}`], env, PUSH_TIMEOUT_MS);
  if (push.exitCode !== 0 || push.timedOut) throw new ForgeError(redact(pushRefusal(branch, result.origin, push), secretsOf(env)));
  return { ...result, pushed: true };
}

/** The one line that says why origin did not take the branch, and what to do. */
export function pushRefusal(branch: string, origin: string, push: GitRun): string {
  if (push.timedOut) return `Can't push ${branch}: git push to origin (${origin}) did not finish within ${PUSH_TIMEOUT_MS / 60_000} minutes; check the runner's network.`;
  const text = `${push.stdout}\n${push.stderr}`;
  const said = remoteReason(text);
  if (/GH006|protected branch/i.test(text)) {
    return `Can't push ${branch}: origin protects that branch name${said ? ` (${said})` : ''}. Set a branch prefix its protection rules leave open (\`branch_prefix\` under \`repos:\` or \`limits:\`), or ask a repository admin.`;
  }
  if (/non-fast-forward|fetch first|\[rejected\]/.test(text)) {
    return `Can't push ${branch}: origin already has a ${branch} with commits this one lacks. Merge origin's ${branch} into the task's worktree, or delete that branch on origin, then try again.`;
  }
  if (/remote rejected|hook declined/.test(text)) return `Can't push ${branch}: origin rejected it${said ? ` (${said})` : ''}. Ask whoever runs origin what its hooks require.`;
  if (/Authentication failed|could not read Username|terminal prompts disabled|Permission denied|returned error: 403|access denied/i.test(text)) {
    return `Can't push ${branch}: origin (${origin}) refused the runner's git credentials. Give the runner host push access to it (a credential helper, or a deploy key with write access).`;
  }
  if (/Could not resolve host|Connection refused|unable to access|Could not read from remote|does not appear to be a git repository|timed out/i.test(text)) {
    return `Can't push ${branch}: the runner could not reach origin (${origin}): ${lastLine(push.stderr)}.`;
  }
  return `Can't push ${branch}: git push to origin failed: ${lastLine(push.stderr) || `exit code ${String(push.exitCode)}`}.`;
}

/** What the remote itself said: the reason in `[remote rejected] (…)`, else its first `remote: error:` line. */
function remoteReason(text: string): string | undefined {
  const error = /^remote:\s*(?:error:\s*)?(GH\d+[^\n]{0,200}|[^\n]{0,200}protected[^\n]{0,200})$/im.exec(text)?.[1];
  if (error) return error.trim();
  return /\[remote rejected\][^\n(]{0,300}\(([^)\n]{1,200})\)/.exec(text)?.[1]?.trim();
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('hint:'));
  return (lines.at(-1) ?? '').slice(0, 300);
}
