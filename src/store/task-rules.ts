import { isActive, isFinal } from '../task/index.js';
import type { TaskRecord } from './records.js';

/** Rules both stores share, so SQLite and Redis answer the same questions the same way. */

/**
 * The threads a task is found by. `thread`, `where.thread` and the status message's thread all
 * name the task's thread once it is posted; they can be set at different moments by different
 * stages, so every one of them is indexed.
 */
export function threadsOf(task: TaskRecord): { surface: string; thread: string }[] {
  const found = new Map<string, { surface: string; thread: string }>();
  const add = (surface: string, thread: string | undefined): void => {
    if (thread) found.set(`${surface}\u0000${thread}`, { surface, thread });
  };
  add(task.where.surface, task.thread);
  add(task.where.surface, task.where.thread);
  if (task.status) add(task.status.surface, task.status.thread);
  return [...found.values()];
}

/**
 * Merge a patch into a task. updatedAt always moves forward, even when two updates land in the
 * same millisecond, so "changed since" comparisons never miss an update.
 */
export function mergeTask(prev: TaskRecord, patch: Partial<Omit<TaskRecord, 'id'>>, now: number): TaskRecord {
  const merged: TaskRecord = { ...prev, ...patch, id: prev.id };
  merged.updatedAt = Math.max(now, prev.updatedAt + 1);
  return merged;
}

export interface TaskFilter {
  channel?: string;
  surface?: string;
  active?: boolean;
  /** Only tasks created at or after this time (ms): a day's spending reads the day's tasks alone. */
  createdSince?: number;
  /** At most this many, the newest first. */
  limit?: number;
}

export function matchesFilter(task: TaskRecord, filter: TaskFilter): boolean {
  if (filter.channel !== undefined && task.where.channel !== filter.channel) return false;
  if (filter.surface !== undefined && task.where.surface !== filter.surface) return false;
  if (filter.active !== undefined && isActive(task.state) !== filter.active) return false;
  if (filter.createdSince !== undefined && task.createdAt < filter.createdSince) return false;
  return true;
}

/** Newest first; ties broken by id so both stores list in the same order. */
export function newestFirst(a: TaskRecord, b: TaskRecord): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Oldest first (the order a fan-out was dispatched in); ties broken by id. */
export function oldestFirst(a: TaskRecord, b: TaskRecord): number {
  return -newestFirst(a, b);
}

/**
 * A task retention may remove: finished before `before` (ms) and its final state shown. A task
 * whose final status edit has not landed yet stays: the next start edits its message again from
 * the record. One stored by a build that kept no finish time counts from its last update. A task
 * ends after it began, so only tasks created before `before` need be looked at (the stores' index).
 */
export function retiredBefore(task: TaskRecord, before: number): boolean {
  return task.createdAt < before && isFinal(task.state) && task.finalEditPending !== true && (task.finishedAt ?? task.updatedAt) < before;
}
