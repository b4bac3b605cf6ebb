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

export function planProgress(plan: readonly PlanItem[]): { done: number; total: number } {
  return { done: plan.filter((item) => item.mark === 'done').length, total: plan.length };
}

export function samePlan(a: readonly PlanItem[], b: readonly PlanItem[]): boolean {
  return a.length === b.length && a.every((item, i) => item.mark === b[i]?.mark && item.text === b[i]?.text && item.note === b[i]?.note);
}
