import type { TaskEvent } from './events.js';
import type { TaskProgress } from './progress.js';
import { isFinal } from './state.js';
import { addUsage } from './usage.js';

/**
 * A change to a task: what its runner reported, or `resumed` when an answer to a blocked task
 * sends a successor worker (the dispatcher's own doing).
 */
export type TaskChange = TaskEvent | { type: 'resumed'; taskId: string };

/**
 * The one place a task's state moves. Returns the fields to change (empty: nothing changes).
 * A finished task stays finished: a late event (a plan read just before the worker exited, a
 * repeated report after a restart) never brings it back to life.
 */
export function transition(task: Pick<TaskProgress, 'state' | 'usage' | 'usageBefore'>, change: TaskChange, now: number): Partial<TaskProgress> {
  if (isFinal(task.state)) return {};
  switch (change.type) {
    case 'started':
      return { state: 'running', pid: change.pid, dir: change.dir, ...(change.branch ? { branch: change.branch } : {}), ...(change.runner ? { runner: change.runner } : {}) };
    case 'model':
      return { reportedModel: change.model };
    case 'activity':
      return { activity: change.text };
    case 'stall':
      return { stalledFor: change.stalled ? change.idleMs : undefined };
    case 'usage':
      // A worker reports its own running total; a successor's adds to what the earlier ones used.
      return { usage: task.usageBefore ? addUsage(task.usageBefore, change.usage) : change.usage };
    case 'plan':
      return { plan: change.items, planTotal: change.total, planDone: change.done };
    case 'question':
      return { state: 'waiting' };
    case 'answered':
      // Only a waiting worker goes back to running; a blocked task waits for its successor.
      return task.state === 'waiting' ? { state: 'running' } : {};
    case 'gave-up':
      return { state: 'blocked' };
    case 'resumed':
      // The worker that gave up has reported all it used: that is where its successor's count starts.
      if (task.state !== 'blocked') return {};
      return task.usage ? { state: 'queued', usageBefore: task.usage } : { state: 'queued' };
    case 'note':
      return {};
    case 'finished':
      return {
        state: change.state,
        finishedAt: now,
        ...(change.summary ? { summary: change.summary } : {}),
        ...(change.logTail ? { logTail: change.logTail } : {}),
        ...(change.worktree ? { worktree: change.worktree } : {}),
        ...(change.failure ? { failure: change.failure } : {}),
      };
  }
}
