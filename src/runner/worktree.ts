import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { WorkspaceError, messageOf } from '../errors/index.js';
import { redact } from '../util/redact.js';
import type { WorktreeReport } from '../task/index.js';
import { assertTaskId, branchName, worktreePath } from './paths.js';
import { runGit } from './git-run.js';
import { withFileLock } from './file-lock.js';
import { readGitDirs, readHead } from './git-dir.js';

export interface Workspace {
  dir: string;
  branch?: string;
  base?: string;
}

interface RepoFacts {
  /** Where `info/exclude` lives (shared by every worktree of the repo). */
  commonDir: string;
  head: string;
}

/** simple-git, loaded when first needed: a launch's own path asks git without it. */
async function gitAt(baseDir: string): Promise<SimpleGit> {
  const { simpleGit } = await import('simple-git');
  return simpleGit({ baseDir });
}

async function gitRaw(baseDir: string, args: string[]): Promise<string> {
  return (await gitAt(baseDir)).raw(args);
}

/** What preparing a worktree needs to know about the repo: read from its files, else one git call. */
async function repoFacts(repoPath: string): Promise<RepoFacts> {
  const dirs = readGitDirs(repoPath);
  const head = dirs && readHead(dirs);
  if (dirs && head) return { commonDir: dirs.commonDir, head };
  const git = await gitAt(repoPath);
  try {
    const [inside, common, head] = (await git.raw(['rev-parse', '--is-inside-work-tree', '--git-common-dir', 'HEAD'])).trim().split('\n');
    if (inside === 'true' && common && head) return { commonDir: isAbsolute(common) ? common : join(repoPath, common), head };
  } catch {
    // Tell the two failures apart below.
  }
  const inside = await git.raw(['rev-parse', '--is-inside-work-tree']).catch(() => '');
  if (inside.trim() !== 'true') throw new WorkspaceError(`${repoPath} is not a git repository, so it cannot have worktrees`);
  throw new WorkspaceError(`${repoPath} has no commit yet to branch a worktree from`);
}

async function addExclude(commonDir: string): Promise<void> {
  const exclude = join(commonDir, 'info', 'exclude');
  // Read at once, like the git facts beside it (see git-dir.ts): a small file on every launch.
  let text = '';
  try {
    text = readFileSync(exclude, 'utf8');
  } catch {
    // Not there yet: it is made below.
  }
  if (text.split(/\r?\n/).some((l) => l.trim() === '.dispatch/' || l.trim() === '/.dispatch/')) return;
  await mkdir(dirname(exclude), { recursive: true });
  await appendFile(exclude, `${text && !text.endsWith('\n') ? '\n' : ''}# dispatch-bot task files and worktrees\n.dispatch/\n`);
}

/** `.dispatch/` holds our protocol files and worktrees: keep it out of `git status` and commits. */
export async function excludeDispatchDir(repoPath: string): Promise<void> {
  const dirs = readGitDirs(repoPath);
  if (dirs) return addExclude(dirs.commonDir);
  // A folder that does not exist fails here (simple-git refuses it), not as "not a repo" below.
  const git = await gitAt(repoPath);
  const common = await git.raw(['rev-parse', '--git-common-dir']).catch(() => '');
  if (!common.trim()) return; // not a git repo: nothing to keep clean
  await addExclude(isAbsolute(common.trim()) ? common.trim() : join(repoPath, common.trim()));
}

export async function assertBranchName(repoPath: string, branch: string): Promise<void> {
  refuseOption(branch);
  try {
    await gitRaw(repoPath, ['check-ref-format', '--branch', branch]);
  } catch {
    throw new WorkspaceError(`"${branch}" is not a valid branch name`);
  }
}

/** A name git would read as an option is no branch name. */
function refuseOption(branch: string): void {
  if (branch.startsWith('-')) throw new WorkspaceError(`"${branch}" is not a valid branch name`);
}

async function branchExists(repoPath: string, branch: string): Promise<boolean> {
  // `--quiet` prints the id when the branch exists and nothing when not (simple-git does not
  // treat a silent non-zero exit as an error).
  const git = await gitAt(repoPath);
  const id = await git.raw(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]).catch(() => '');
  return id.trim().length > 0;
}

async function checkedOutBranch(path: string): Promise<string | undefined> {
  try {
    return (await gitRaw(path, ['symbolic-ref', '--short', 'HEAD'])).trim();
  } catch {
    return undefined;
  }
}

function gitMessage(err: unknown): string {
  return lastLines(messageOf(err));
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' ');
}

async function mergeBase(repoPath: string, branch: string, known?: string): Promise<string> {
  return known ?? (await gitRaw(repoPath, ['merge-base', 'HEAD', branch])).trim();
}

/** A resumed task: its worktree as it was, or a new worktree on its existing branch. */
async function reuseWorktree(repoPath: string, path: string, branch: string, base?: string): Promise<Workspace | undefined> {
  if (existsSync(path) && (await checkedOutBranch(path)) === branch) return { dir: path, branch, base: await mergeBase(repoPath, branch, base) };
  if (!(await branchExists(repoPath, branch))) return undefined;
  await checkOut(repoPath, path, branch);
  return { dir: path, branch, base: await mergeBase(repoPath, branch, base) };
}

/** A new worktree at `path` on an existing branch. */
async function checkOut(repoPath: string, path: string, branch: string): Promise<void> {
  const git = await gitAt(repoPath);
  await git.raw(['worktree', 'prune']);
  await git.raw(['worktree', 'add', path, branch]).catch((err: unknown) => {
    throw new WorkspaceError(`could not check out ${branch} in ${path}: ${gitMessage(err)}`);
  });
}

/** Which branch a task's worktree is on, when its spec says more than `dispatch/<task-id>`. */
export interface BranchChoice {
  /** The branch's full name (default `dispatch/<task-id>`). */
  name?: string;
  /** Continue this existing branch (a review successor) instead of making it. */
  existing?: boolean;
  /** The runner's environment, for fetching the branch from origin (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The task's own worktree on a new branch (`dispatch/<task-id>` unless the spec names one) under
 * `<repo>/.dispatch/worktrees/`. A resumed task gets its existing worktree back (or a worktree on
 * its existing branch); a successor continuing a branch gets the worktree that holds it.
 */
export async function prepareWorktree(repoPath: string, taskId: string, resume: boolean, base?: string, choice: BranchChoice = {}, attempt = 1): Promise<Workspace> {
  assertTaskId(taskId);
  const branch = choice.name ?? branchName(taskId);
  refuseOption(branch);
  // A new branch's name is checked by `git worktree add -b` itself (see addTaskWorktree); an
  // existing branch is looked up by its name, which must be checked first.
  const continuing = resume || choice.existing === true;
  const [facts] = await Promise.all([repoFacts(repoPath), continuing ? assertBranchName(repoPath, branch) : undefined]);
  await addExclude(facts.commonDir);
  // One worktree change at a time per repository, across every runner process that shares it.
  return withFileLock(join(facts.commonDir, 'dispatch-worktrees.lock'), () => addTaskWorktree(repoPath, taskId, resume, base, choice, attempt, branch, facts.head));
}

async function addTaskWorktree(repoPath: string, taskId: string, resume: boolean, base: string | undefined, choice: BranchChoice, attempt: number, branch: string, head: string): Promise<Workspace> {
  const path = worktreePath(repoPath, taskId, attempt);
  if (resume || choice.existing) {
    const reused = choice.existing && !resume ? await continueBranch(repoPath, path, branch, choice.env ?? process.env) : await reuseWorktree(repoPath, path, branch, base);
    if (reused) return reused;
  }
  if (existsSync(path)) throw new WorkspaceError(`${path} already exists: remove it or pick another task id`);
  // Through runGit, not simple-git: simple-git took 50 ms longer to report this command done
  // (68 against 18 ms on a small repository), a third of a launch.
  const added = await runGit(repoPath, ['worktree', 'add', '--quiet', '-b', branch, path, head], choice.env ?? process.env, 0);
  if (added.exitCode === 0) return { dir: path, branch, base: head };
  const failed = new WorkspaceError(`git worktree add failed for ${branch}: ${lastLines(added.stderr) || 'git could not be run'}`);
  if (added.exitCode === undefined) throw failed;
  // Asking first would cost a git call on every start; the refusal says the same.
  await assertBranchName(repoPath, branch);
  if (await branchExists(repoPath, branch)) throw new WorkspaceError(`branch ${branch} already exists in ${repoPath}: pick another task id, or delete the branch`);
  throw failed;
}

/** The worktree that has `branch` checked out, from `git worktree list --porcelain`. */
async function worktreeHolding(repoPath: string, branch: string): Promise<string | undefined> {
  const list = await gitRaw(repoPath, ['worktree', 'list', '--porcelain']);
  let path: string | undefined;
  for (const line of list.split('\n')) {
    if (line.startsWith('worktree ')) path = line.slice('worktree '.length);
    else if (line === `branch refs/heads/${branch}` && path && existsSync(path)) return path;
  }
  return undefined;
}

/**
 * Continue an existing branch: in the worktree that holds it (the finished task's), else in a new
 * worktree on it, fetching it from origin when only origin has it. Commits pushed to origin since
 * (a reviewer's applied suggestion) are taken first when they fast-forward; the report counts
 * only the commits made from here.
 */
async function continueBranch(repoPath: string, path: string, branch: string, env: NodeJS.ProcessEnv): Promise<Workspace> {
  let dir = await worktreeHolding(repoPath, branch);
  if (!dir) {
    if (!(await branchExists(repoPath, branch))) {
      const fetch = await runGit(repoPath, ['fetch', '--quiet', 'origin', `refs/heads/${branch}:refs/heads/${branch}`], env);
      if (fetch.exitCode !== 0) throw new WorkspaceError(`branch ${branch} is neither in ${repoPath} nor on its origin (${redact(fetch.stderr.trim().split('\n').at(-1) ?? '')})`);
    }
    if (existsSync(path)) throw new WorkspaceError(`${path} already exists: remove it or pick another task id`);
    await checkOut(repoPath, path, branch);
    dir = path;
  }
  // Best effort: without origin (or offline) the successor works on what is here.
  if ((await runGit(dir, ['fetch', '--quiet', 'origin', `refs/heads/${branch}`], env)).exitCode === 0) await runGit(dir, ['merge', '--ff-only', '--quiet', 'FETCH_HEAD'], env);
  const head = (await gitRaw(dir, ['rev-parse', 'HEAD'])).trim();
  return { dir, branch, base: head };
}

export async function worktreeReport(repoPath: string, work: Workspace): Promise<WorktreeReport | undefined> {
  if (!work.branch || !work.base) return undefined;
  const git = await gitAt(repoPath);
  try {
    const commits = Number((await git.raw(['rev-list', '--count', `${work.base}..${work.branch}`])).trim());
    const diffstat = (await git.raw(['diff', '--stat', `${work.base}...${work.branch}`])).trim();
    return { branch: work.branch, path: work.dir, commits, diffstat };
  } catch {
    return { branch: work.branch, path: work.dir, commits: 0, diffstat: '' };
  }
}

/** Commits on `branch` that the repository's HEAD lacks (0 when the branch is gone). */
export async function commitsAhead(repoPath: string, branch: string): Promise<number> {
  if (!(await branchExists(repoPath, branch))) return 0;
  return Number((await gitRaw(repoPath, ['rev-list', '--count', `HEAD..${branch}`])).trim());
}

/** What removing a task's worktree did, in words for the thread. */
export interface Removal {
  removed: boolean;
  message: string;
}

/**
 * Remove a finished task's worktree. Uncommitted work is never thrown away: a dirty worktree is
 * kept and the answer says so. The branch goes too when it holds no commits of its own; with
 * commits it stays for review or merge.
 */
export async function removeWorktree(repoPath: string, path: string, branch: string): Promise<Removal> {
  if (!path.includes(`${join('.dispatch', 'worktrees')}`)) throw new WorkspaceError(`${path} is not a dispatch worktree`);
  const git = await gitAt(repoPath);
  if (existsSync(path)) {
    const dirty = (await gitRaw(path, ['status', '--porcelain'])).trim();
    if (dirty) {
      const files = dirty.split('\n').length;
      return { removed: false, message: `Kept the worktree ${path}: ${files} uncommitted change${files === 1 ? '' : 's'} (commit or discard them first).` };
    }
    // --force: only the task files under .dispatch/ (excluded from git) are left in it.
    await git.raw(['worktree', 'remove', '--force', path]).catch((err: unknown) => {
      throw new WorkspaceError(`git worktree remove failed for ${path}: ${gitMessage(err)}`);
    });
  }
  await git.raw(['worktree', 'prune']);
  if (!(await branchExists(repoPath, branch))) return { removed: true, message: `Removed the worktree ${path}.` };
  const ahead = await commitsAhead(repoPath, branch);
  if (ahead > 0) return { removed: true, message: `Removed the worktree; kept branch ${branch} (${ahead} commit${ahead === 1 ? '' : 's'} to review).` };
  await git.raw(['branch', '-D', branch]);
  return { removed: true, message: `Removed the worktree and branch ${branch} (it had no commits).` };
}
