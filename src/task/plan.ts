import { z } from 'zod';

/** A checklist marker of plan.md: `[ ]` pending, `[x]` done, `[?]` blocked, `[!]` error. */
export const PlanMark = z.enum(['pending', 'done', 'blocked', 'error']);
export type PlanMark = z.infer<typeof PlanMark>;

export const PlanItem = z.object({
  text: z.string(),
  mark: PlanMark,
  /** For a blocked item, the explanation the worker wrote on the next line. */
  note: z.string().optional(),
});
export type PlanItem = z.infer<typeof PlanItem>;

/**
 * A worker's plan.md can be of any size; what the bot keeps and shows is bounded: the first
 * `PLAN_ITEMS_KEPT` items, each cut to `PLAN_ITEM_CHARS`, and counts of all of them.
 */
export const PLAN_ITEMS_KEPT = 100;
export const PLAN_ITEM_CHARS = 300;

/** How far the plan has come: its counts when it was longer than the items kept, else the items. */
export function planProgress(plan: readonly PlanItem[], counts?: { total?: number; done?: number }): { done: number; total: number } {
  if (counts?.total !== undefined && counts.total > plan.length) return { done: counts.done ?? 0, total: counts.total };
  return { done: plan.filter((item) => item.mark === 'done').length, total: plan.length };
}

export function samePlan(a: readonly PlanItem[], b: readonly PlanItem[]): boolean {
  return a.length === b.length && a.every((item, i) => item.mark === b[i]?.mark && item.text === b[i]?.text && item.note === b[i]?.note);
}
