import type { Button, Reply } from '../chat/reply.js';
import { canPublish, forgeButtons } from './forge-buttons.js';
import type { TaskRecord } from '../store/records.js';
import { isFinal, planProgress, type TaskState } from '../task/index.js';
import { logText } from '../resolve/index.js';
import { dollars, usageLine, usageReport, workLine } from './cost.js';

const STATE_LABEL: Record<TaskState, string> = {
  queued: 'queued',
  running: 'running',
  waiting: 'waiting for your answer',
  blocked: 'blocked: answer to resume',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  timed_out: 'timed out',
  interrupted: 'interrupted',
};

const STATE_ICON: Record<TaskState, string> = {
  queued: '◌',
  running: '●',
  waiting: '?',
  blocked: '?',
  done: '✓',
  failed: '✗',
  cancelled: '■',
  timed_out: '⧗',
  interrupted: '!',
};

export function stateLabel(state: TaskState): string {
  return STATE_LABEL[state];
}


/** `4m 05s`, `1h 02m`, `12s`: what a person reads at a glance. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** `10 min`, `1 h 30 min`, `45 s`: how long a worker has been silent. */
export function idleText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

export function modelLabel(task: TaskRecord): string {
  const asked = task.spec.model;
  const real = task.reportedModel;
  return real && real !== asked ? `${asked} (${real})` : asked;
}

/** The per-task status message, edited in place as the task moves. */
export function renderStatus(task: TaskRecord, now: number): Reply {
  const fields = [
    { label: 'Model', value: modelLabel(task) },
    { label: 'Backend', value: task.spec.backend },
    { label: 'Where', value: task.branch ? `worktree, branch ${task.branch}` : task.spec.worktree ? 'worktree' : task.spec.repo.name },
    { label: 'Elapsed', value: formatElapsed((task.finishedAt ?? now) - task.createdAt) },
  ];
  if (task.usage) fields.push({ label: 'Usage', value: usageLine(task.usage) });
  const work = workLine(task);
  if (work) fields.push({ label: 'Whole work', value: work });
  const pr = task.forge?.pullRequest;
  if (pr) fields.push({ label: 'Pull request', value: `#${pr.number} ${pr.url}` });
  else if (task.forge?.pushed && task.worktree) fields.push({ label: 'Pushed', value: `${task.worktree.branch} → origin` });
  const lines = [`${STATE_ICON[task.state]} **${task.id}**: ${task.budgetStop ? budgetLabel(task) : stateLabel(task.state)}`];
  if (task.activity && !isFinal(task.state)) lines.push(`_${task.activity}_`);
  if (task.stalledFor !== undefined && !isFinal(task.state)) lines.push(`_no progress for ${idleText(task.stalledFor)}_`);
  const reply: Reply = { title: task.id, text: lines.join('\n'), fields };
  if (task.plan.length > 0) {
    reply.checklist = task.plan;
    reply.progress = planProgress(task.plan, { total: task.planTotal, done: task.planDone });
    if (reply.progress.total > task.plan.length) {
      reply.text += `\n(plan truncated: ${reply.progress.total.toLocaleString('en')} items; the first ${task.plan.length} are shown)`;
    }
  }
  if (!isFinal(task.state)) {
    reply.buttons = [
      { action: { type: 'cancel-task', task: task.id }, label: 'Cancel', style: 'danger' },
      { action: { type: 'logs', task: task.id }, label: 'Logs' },
    ];
  } else {
    const retry: Button[] = task.state === 'done' ? [] : [
      { action: { type: 'retry', task: task.id }, label: 'Retry' },
      { action: { type: 'logs', task: task.id }, label: 'Logs' },
    ];
    const buttons = [...forgeButtons(task), ...retry];
    if (buttons.length > 0) reply.buttons = buttons;
  }
  return reply;
}

/**
 * `stopped at $2.03 (limit $2.00)`: a task stopped over its budget, at what it had cost when it
 * was stopped (what its worker spent while stopping shows in its usage and finish report).
 */
function budgetLabel(task: TaskRecord): string {
  const stop = task.budgetStop;
  if (!stop) return stateLabel(task.state);
  return `${isFinal(task.state) ? 'stopped' : 'stopping'} at ${dollars(stop.spentUsd)} (limit ${dollars(stop.limitUsd)})`;
}

/** The finish report posted in the thread when a task ends. */
export function renderFinish(task: TaskRecord): Reply {
  const head: Record<string, string> = {
    done: `**${task.id}** is done.`,
    failed: `**${task.id}** failed${task.failure ? ` (${task.failure.cli}: ${task.failure.reason})` : ''}.`,
    cancelled: `**${task.id}** was cancelled.`,
    timed_out: `**${task.id}** timed out and was stopped.`,
    interrupted: `**${task.id}** was interrupted (the bot or its runner went away).`,
  };
  const lines = [head[task.state] ?? `**${task.id}**: ${stateLabel(task.state)}`];
  if (task.summary) lines.push('', task.summary);
  if (task.usage) lines.push('', `_${usageReport(task.usage)}_`);
  const work = workLine(task);
  if (work) lines.push(`_${work}, the task it continues._`);
  if (canPublish(task) && !task.forge?.autoPr && !task.forge?.continues) lines.push('', `_To open a pull request: *Open PR* on the status message, or say \`open a PR for ${task.id}\`._`);
  const reply: Reply = { text: lines.join('\n') };
  if (task.worktree) {
    reply.fields = [
      { label: 'Branch', value: task.worktree.branch },
      { label: 'Commits', value: String(task.worktree.commits) },
    ];
    if (task.worktree.diffstat.trim()) reply.code = task.worktree.diffstat.trim();
  }
  if (task.state !== 'done' && task.logTail) reply.code = logText(task.logTail);
  return reply;
}

/** One line of `status`: state, progress, model, age. */
export function renderStatusLine(task: TaskRecord, now: number): string {
  const { done, total } = planProgress(task.plan, { total: task.planTotal, done: task.planDone });
  const progress = total > 0 ? ` ${done}/${total}` : '';
  const cost = task.usage?.costUsd === undefined ? '' : ` · ${task.usage.estimated ? '~' : ''}${dollars(task.usage.costUsd)}`;
  return `${STATE_ICON[task.state]} ${task.id}: ${stateLabel(task.state)}${progress} · ${modelLabel(task)}${cost} · ${formatElapsed(now - task.createdAt)} ago`;
}
