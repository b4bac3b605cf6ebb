import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { simpleGit } from 'simple-git';
import type { WorktreeReport } from '../queue/task.js';
import { assertTaskId, branchName, worktreePath } from './paths.js';

/** A problem with the task's directory the requester can act on (shown as the failure detail). */
export class WorkspaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkspaceError';
  }
}

export interface Workspace {
  dir: string;
  branch?: string;
  base?: string;
}

async function isGitRepo(path: string): Promise<boolean> {
  try {
    return (await simpleGit({ baseDir: path }).raw(['rev-parse', '--is-inside-work-tree'])).trim() === 'true';
  } catch {
    return false;
  }
}

/** `.dispatch/` holds our protocol files and worktrees: keep it out of `git status` and commits. */
export async function excludeDispatchDir(repoPath: string): Promise<void> {
  if (!(await isGitRepo(repoPath))) return;
  const common = (await simpleGit({ baseDir: repoPath }).raw(['rev-parse', '--git-common-dir'])).trim();
  const exclude = join(isAbsolute(common) ? common : join(repoPath, common), 'info', 'exclude');
  const text = await readFile(exclude, 'utf8').catch(() => '');
  if (text.split(/\r?\n/).some((l) => l.trim() === '.dispatch/' || l.trim() === '/.dispatch/')) return;
  await mkdir(dirname(exclude), { recursive: true });
  await appendFile(exclude, `${text && !text.endsWith('\n') ? '\n' : ''}# dispatch-bot task files and worktrees\n.dispatch/\n`);
}

export async function assertBranchName(repoPath: string, branch: string): Promise<void> {
  if (branch.startsWith('-')) throw new WorkspaceError(`"${branch}" is not a valid branch name`);
  try {
    await simpleGit({ baseDir: repoPath }).raw(['check-ref-format', '--branch', branch]);
  } catch {
    throw new WorkspaceError(`"${branch}" is not a valid branch name`);
  }
}

async function branchExists(repoPath: string, branch: string): Promise<boolean> {
  // `branch --list` answers in its output; exit codes without stderr are not errors to simple-git.
  const listed = await simpleGit({ baseDir: repoPath }).raw(['branch', '--list', branch]);
  return listed.trim().length > 0;
}

async function headOf(path: string): Promise<string> {
  return (await simpleGit({ baseDir: path }).raw(['rev-parse', 'HEAD'])).trim();
}

async function checkedOutBranch(path: string): Promise<string | undefined> {
  try {
    return (await simpleGit({ baseDir: path }).raw(['symbolic-ref', '--short', 'HEAD'])).trim();
  } catch {
    return undefined;
  }
}

function gitMessage(err: unknown): string {
  return err instanceof Error ? err.message.trim().split('\n').slice(-3).join(' ') : String(err);
}

/**
 * The task's own worktree on a new branch `dispatch/<task-id>` under `<repo>/.dispatch/worktrees/`.
 * A resumed task gets its existing worktree back (or a worktree on its existing branch).
 */
export async function prepareWorktree(repoPath: string, taskId: string, resume: boolean, base?: string): Promise<Workspace> {
  assertTaskId(taskId);
  const branch = branchName(taskId);
  await assertBranchName(repoPath, branch);
  if (!(await isGitRepo(repoPath))) throw new WorkspaceError(`${repoPath} is not a git repository, so it cannot have worktrees`);
  await excludeDispatchDir(repoPath);
  const path = worktreePath(repoPath, taskId);
  const git = simpleGit({ baseDir: repoPath });
  const exists = await branchExists(repoPath, branch);
  if (resume && existsSync(path) && (await checkedOutBranch(path)) === branch) {
    return { dir: path, branch, base: base ?? (await git.raw(['merge-base', 'HEAD', branch])).trim() };
  }
  if (resume && exists) {
    await git.raw(['worktree', 'prune']);
    await git.raw(['worktree', 'add', path, branch]).catch((err: unknown) => {
      throw new WorkspaceError(`could not check out ${branch} in ${path}: ${gitMessage(err)}`);
    });
    return { dir: path, branch, base: base ?? (await git.raw(['merge-base', 'HEAD', branch])).trim() };
  }
  if (exists) throw new WorkspaceError(`branch ${branch} already exists in ${repoPath}: pick another task id, or delete the branch`);
  if (existsSync(path)) throw new WorkspaceError(`${path} already exists: remove it or pick another task id`);
  const head = await headOf(repoPath).catch(() => {
    throw new WorkspaceError(`${repoPath} has no commit yet to branch a worktree from`);
  });
  await git.raw(['worktree', 'add', '-b', branch, path, head]).catch((err: unknown) => {
    throw new WorkspaceError(`git worktree add failed for ${branch}: ${gitMessage(err)}`);
  });
  return { dir: path, branch, base: head };
}

export async function worktreeReport(repoPath: string, work: Workspace): Promise<WorktreeReport | undefined> {
  if (!work.branch || !work.base) return undefined;
  const git = simpleGit({ baseDir: repoPath });
  try {
    const commits = Number((await git.raw(['rev-list', '--count', `${work.base}..${work.branch}`])).trim());
    const diffstat = (await git.raw(['diff', '--stat', `${work.base}...${work.branch}`])).trim();
    return { branch: work.branch, path: work.dir, commits, diffstat };
  } catch {
    return { branch: work.branch, path: work.dir, commits: 0, diffstat: '' };
  }
}
