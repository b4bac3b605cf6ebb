import { existsSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '../errors/index.js';
import { noFilesRemoved, type FilesRemoved, type TaskFiles } from '../task/index.js';
import type { KeyedLock } from '../util/keyed-lock.js';
import { assertTaskId, logPath, taskPaths } from './paths.js';
import { commitsAhead, removeWorktree } from './worktree.js';

export interface RetentionHost {
  home: string;
  /** Serialises worktree changes per repository (the host's own lock). */
  gitLock: KeyedLock;
  /** A task this host runs now: a new task may have taken a removed task's id. */
  isActive(taskId: string): boolean;
  /** A directory a task of this host works in now (a review successor works in its task's worktree). */
  inUse(dir: string): boolean;
  log?: (line: string) => void;
}

/**
 * Remove the files of tasks the store no longer holds: the log, the task folder, and an empty
 * worktree when asked to. Uncommitted work is never removed (removeWorktree keeps a dirty tree).
 */
export async function removeTaskFiles(host: RetentionHost, tasks: readonly TaskFiles[]): Promise<FilesRemoved> {
  const removed = noFilesRemoved();
  for (const task of tasks) {
    try {
      assertTaskId(task.taskId);
      if (host.isActive(task.taskId)) continue;
      await removeOne(host, task, removed);
    } catch (error) {
      host.log?.(`retention: could not remove the files of ${task.taskId}: ${messageOf(error)}`);
    }
  }
  return removed;
}

async function removeOne(host: RetentionHost, task: TaskFiles, removed: FilesRemoved): Promise<void> {
  const log = logPath(host.home, task.taskId);
  const logBytes = await sizeOf(log);
  if (logBytes !== undefined) {
    await rm(log, { force: true });
    removed.logs++;
    removed.bytes += logBytes;
  }
  const folder = taskPaths(task.dir, task.taskId).root;
  const folderBytes = await sizeOf(folder);
  const tree = task.emptyWorktree;
  // Empty means no work at all: a successor on the same branch may have committed since the task ended.
  if (tree && existsSync(tree.path) && !host.inUse(tree.path) && (await commitsAhead(task.repo, tree.branch)) === 0) {
    const { removed: gone } = await host.gitLock.run(task.repo, () => removeWorktree(task.repo, tree.path, tree.branch));
    if (gone) removed.worktrees++;
  }
  if (folderBytes === undefined) return;
  await rm(folder, { recursive: true, force: true });
  removed.folders++;
  removed.bytes += folderBytes;
}

/** Bytes under a path (a file, or a folder counted whole without following links); undefined when absent. */
async function sizeOf(path: string): Promise<number | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return undefined;
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path).catch(() => [])) total += (await sizeOf(join(path, entry))) ?? 0;
  return total;
}
