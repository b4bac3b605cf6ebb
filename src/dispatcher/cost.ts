import type { Config, ModelPrice } from '../config/schema.js';
import type { TaskRecord } from '../store/records.js';
import { addUsage, totalTokens, type Usage } from '../task/index.js';

const PER_MILLION = 1_000_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The usage with a cost: the CLI's own when it gave one, else worked out from `models.<id>.price`. */
export function priced(usage: Usage, price: ModelPrice | undefined): Usage {
  if (usage.costUsd !== undefined || !price) return usage;
  const cached = usage.cachedTokens ?? 0;
  const cost = ((usage.inputTokens - cached) * price.input + cached * (price.cached_input ?? price.input) + usage.outputTokens * price.output) / PER_MILLION;
  return { ...usage, costUsd: cost, estimated: true };
}

export function priceOf(config: Config, model: string): ModelPrice | undefined {
  return Object.hasOwn(config.models, model) ? config.models[model]?.price : undefined;
}

/** `$0.42`, `$12.03`; a fraction of a cent still shows as spent. */
export function dollars(usd: number): string {
  if (usd > 0 && usd < 0.01) return '<$0.01';
  return `$${usd.toFixed(2)}`;
}

/** `12.4k tokens · $0.42` (`~$0.42` when estimated from a price); tokens alone without a cost. */
export function usageLine(usage: Usage): string {
  const tokens = `${compact(totalTokens(usage))} tokens`;
  if (usage.costUsd === undefined) return tokens;
  return `${tokens} · ${usage.estimated ? '~' : ''}${dollars(usage.costUsd)}`;
}

function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** The finish report's line: every token in and out, and the cost where one is known. */
export function usageReport(usage: Usage): string {
  const parts = [`${usage.inputTokens.toLocaleString('en')} tokens in`, `${usage.outputTokens.toLocaleString('en')} out`];
  if (usage.cachedTokens) parts[0] += ` (${usage.cachedTokens.toLocaleString('en')} cached)`;
  const turns = usage.turns ? ` in ${usage.turns} turn${usage.turns === 1 ? '' : 's'}` : '';
  const cost = usage.costUsd === undefined ? '' : `, ${usage.estimated ? 'about ' : ''}${dollars(usage.costUsd)}`;
  return `Used ${parts.join(', ')}${cost}${turns}.`;
}

/** Midnight UTC of `now`'s day: daily totals and budgets count from here. */
export function dayStart(now: number): number {
  return now - (now % DAY_MS);
}

/** What the tasks created today cost (tasks without a known cost add nothing). */
export function spentToday(tasks: readonly TaskRecord[], now: number): number {
  const since = dayStart(now);
  return tasks.filter((t) => t.createdAt >= since).reduce((sum, t) => sum + (t.usage?.costUsd ?? 0), 0);
}

/** What the whole work cost: this task's workers and, for a *Continue*, the task(s) it continues. */
export function workSoFar(task: Pick<TaskRecord, 'usage' | 'earlier'>): Usage | undefined {
  if (!task.earlier) return task.usage;
  return task.usage ? addUsage(task.earlier.usage, task.usage) : task.earlier.usage;
}

/** `24.8k tokens · $4.08 in all with **big-index**`, for a task that continues another; undefined otherwise. */
export function workLine(task: Pick<TaskRecord, 'usage' | 'earlier'>): string | undefined {
  const all = workSoFar(task);
  return task.earlier && all ? `${usageLine(all)} in all with **${task.earlier.task}**` : undefined;
}
