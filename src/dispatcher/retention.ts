import type { Config } from '../config/schema.js';
import type { TaskRecord } from '../store/records.js';
import { noFilesRemoved, type FilesRemoved, type TaskFiles } from '../task/index.js';
import { formatBytes } from '../util/bytes.js';
import { messageOf } from '../errors/index.js';
import { nowOf, type DispatcherDeps } from './deps.js';

/** How often finished tasks past `limits.retention` are looked for, besides start-up and `cleanup`. */
export const RETENTION_SWEEP_MS = 60 * 60 * 1000;

/** What one sweep removed. */
export interface Sweep {
  retentionMs: number;
  tasks: number;
  files: FilesRemoved;
}

/**
 * Remove the finished tasks older than `limits.retention` from the store, then their files on the
 * runner hosts that hold them. Undefined when retention is off or no valid config has loaded.
 */
export async function sweepFinished(deps: DispatcherDeps): Promise<Sweep | undefined> {
  if (!deps.config.ready()) return undefined;
  const config = deps.config.current();
  const retentionMs = config.limits.retention;
  if (retentionMs <= 0) return undefined;
  // The store first: it alone decides, atomically, which tasks are old and finished enough.
  const removed = await deps.store.removeFinishedTasks(nowOf(deps) - retentionMs);
  let files = noFilesRemoved();
  if (removed.length > 0) {
    try {
      files = await deps.queue.removeTaskFiles(removed.map((task) => filesOf(task, config)));
    } catch (error) {
      deps.log?.(`retention: removed ${removed.length} task(s) from the store but not their files: ${messageOf(error)}`);
    }
    deps.log?.(`retention: ${sweepText({ retentionMs, tasks: removed.length, files })}`);
  }
  return { retentionMs, tasks: removed.length, files };
}

/**
 * Where a task's files are. Its worktree is given back only under `worktree_cleanup: when-empty`
 * and only when the task made no commits; the runner still keeps one with uncommitted changes.
 */
function filesOf(task: TaskRecord, config: Config): TaskFiles {
  const tree = task.worktree;
  const empty = tree && tree.commits === 0 && config.limits.worktree_cleanup === 'when-empty';
  return {
    taskId: task.id,
    repo: task.spec.repo.path,
    dir: task.dir ?? tree?.path ?? task.spec.repo.path,
    ...(empty ? { emptyWorktree: { path: tree.path, branch: tree.branch } } : {}),
  };
}

/** "Removed 12 finished tasks older than 30 days (3 logs, 12 task folders, 41.0 MB)" */
export function sweepText(sweep: Sweep): string {
  const age = spanText(sweep.retentionMs);
  if (sweep.tasks === 0) return `Nothing older than ${age} to remove.`;
  const { logs, folders, worktrees, bytes, later } = sweep.files;
  const parts = [count(logs, 'log'), count(folders, 'task folder'), ...(worktrees ? [count(worktrees, 'empty worktree')] : []), formatBytes(bytes)];
  const waiting = later ? ` The files of ${count(later, 'task')} are removed when their runner is back.` : '';
  return `Removed ${count(sweep.tasks, 'finished task')} older than ${age} (${parts.join(', ')}).${waiting}`;
}

export function retentionOffText(): string {
  return 'Finished tasks are kept for ever (`limits.retention: off`); nothing was removed.';
}

function count(n: number, what: string): string {
  return `${n.toLocaleString('en')} ${what}${n === 1 ? '' : 's'}`;
}

/** `30 days`, `12 hours`, `90 minutes`: a retention as a person says it. */
function spanText(ms: number): string {
  for (const [unit, size] of [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000]] as const) {
    if (ms >= size && ms % size === 0) return count(ms / size, unit);
  }
  return count(Math.round(ms / 1000), 'second');
}
