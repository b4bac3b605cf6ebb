import { UserError } from '../errors/index.js';
import type { Config } from '../config/schema.js';
import type { Reply } from '../chat/reply.js';
import type { TaskRecord } from '../store/records.js';
import { isFinal } from '../task/index.js';
import { dayStart, dollars } from './cost.js';
import type { DispatcherDeps } from './deps.js';

/** `$2`, `$2.50`: a limit as people write it. */
export function limitText(usd: number): string {
  return Number.isInteger(usd) ? `$${usd}` : dollars(usd);
}

/** What a *Continue* adds to a stopped task's budget: the configured per-task limit (or what it had). */
export function continueStep(config: Config, task: TaskRecord): number {
  return config.limits.max_cost_usd ?? task.budgetStop?.limitUsd ?? task.budgetUsd ?? 1;
}

/**
 * A task whose cost has passed its budget is stopped the way a timeout stops it (its worker's
 * whole process tree); the record keeps what it cost at that moment for the thread to show.
 * Returns the updated record once it was stopped, undefined when it is within its budget.
 */
export async function enforceBudget(deps: DispatcherDeps, task: TaskRecord): Promise<TaskRecord | undefined> {
  const limit = task.budgetUsd;
  const spent = task.usage?.costUsd;
  if (limit === undefined || spent === undefined || spent <= limit || task.budgetStop || isFinal(task.state)) return undefined;
  const stopped = await deps.store.updateTask(task.id, { budgetStop: { spentUsd: spent, limitUsd: limit } });
  await deps.queue.cancel(task.id);
  return stopped;
}

/** The finish report of a task stopped over budget: what it cost, and a *Continue* for its requester. */
export function budgetFinish(config: Config, task: TaskRecord, reply: Reply): void {
  const stop = task.budgetStop;
  if (!stop) return;
  const final = task.usage?.costUsd ?? stop.spentUsd;
  // A worker may spend a little more while it stops: the final total is said, not hidden.
  const after = dollars(final) === dollars(stop.spentUsd) ? '' : ` Its worker had spent ${dollars(final)} in all by the time it stopped.`;
  const more = continueStep(config, task);
  reply.text = reply.text.replace(/^\*\*[^*]+\*\* was cancelled\./, `**${task.id}** was stopped at ${dollars(stop.spentUsd)} (limit ${dollars(stop.limitUsd)}).${after}`);
  reply.buttons = [...(reply.buttons ?? []), { action: { type: 'continue-task', task: task.id }, label: `Continue with +${limitText(more)}`, style: 'primary' }];
}

/** What `requester` has spent today across every task of theirs. */
export async function spentTodayBy(deps: DispatcherDeps, requester: string, now: number): Promise<number> {
  const tasks = await deps.store.listTasks({ createdSince: dayStart(now) });
  return tasks.filter((t) => t.spec.requester === requester).reduce((sum, t) => sum + (t.usage?.costUsd ?? 0), 0);
}

/** A request from someone past their daily budget is answered before anything starts. */
export async function requireDailyBudget(deps: DispatcherDeps, config: Config, requester: string, now: number): Promise<void> {
  const limit = config.limits.max_cost_usd_per_day;
  if (limit === undefined) return;
  const spent = await spentTodayBy(deps, requester, now);
  if (spent >= limit) {
    throw new UserError(`Your tasks have cost ${dollars(spent)} today, over the daily budget of ${limitText(limit)} (\`limits.max_cost_usd_per_day\`). Nothing was started; the budget starts again at midnight UTC.`);
  }
}
