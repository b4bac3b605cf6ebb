import type { RecoverableTask, RunnerHost } from '../runner/host.js';
import type { TaskQueue } from './port.js';
import type { QueueStats, QueueStatsSource } from './stats.js';
import type { BranchPush, BranchTarget, FilesRemoved, TaskEventListener, TaskFiles, TaskSpec } from '../task/index.js';

/**
 * The default queue: tasks go straight to a runner host in this process, and its events come
 * straight back. Restart recovery and orphan reaping pass through to the host.
 */
export class InProcessQueue implements TaskQueue, QueueStatsSource {
  constructor(readonly host: RunnerHost) {}

  submit(spec: TaskSpec): Promise<void> {
    return this.host.submit(spec);
  }

  subscribe(listener: TaskEventListener): () => void {
    return this.host.subscribe(listener);
  }

  cancel(taskId: string): Promise<void> {
    return this.host.cancel(taskId);
  }

  answer(taskId: string, seq: string, text: string): Promise<void> {
    return this.host.answer(taskId, seq, text);
  }

  note(taskId: string, text: string): Promise<void> {
    return this.host.note(taskId, text);
  }

  logs(taskId: string, lines: number): Promise<string> {
    return this.host.logs(taskId, lines);
  }

  removeWorktree(target: { taskId: string; repo: string; path: string; branch: string }): Promise<{ removed: boolean; message: string }> {
    return this.host.removeWorktree(target);
  }

  pushBranch(target: BranchTarget, opts?: { dryRun?: boolean }): Promise<BranchPush> {
    return this.host.pushBranch(target, opts);
  }

  removeTaskFiles(tasks: readonly TaskFiles[]): Promise<FilesRemoved> {
    return this.host.removeTaskFiles(tasks);
  }

  /** One runner, this process's own; a task waiting for a slot on it counts as queued. */
  stats(): Promise<QueueStats> {
    const { queued, running } = this.host.counts();
    return Promise.resolve({ depth: queued, running, runnersUp: 1 });
  }

  recover(tasks: RecoverableTask[]): Promise<void> {
    return this.host.recover(tasks);
  }

  reapOrphans(knownTaskIds: Iterable<string>): Promise<string[]> {
    return this.host.reapOrphans(knownTaskIds);
  }

  /** Workers keep running for the next start to recover, unless `killWorkers`. */
  close(opts?: { killWorkers?: boolean }): Promise<void> {
    return this.host.close(opts);
  }
}
