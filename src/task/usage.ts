import { z } from 'zod';

const Count = z.number().int().nonnegative();

/**
 * What a worker's CLI said it used: tokens always, a cost in US dollars only when the CLI itself
 * reports one (claude does; codex, gemini and Cursor's agent give tokens or nothing).
 * `inputTokens` counts every token sent, cached ones included; `cachedTokens` is the cached part.
 */
export const Usage = z.object({
  inputTokens: Count,
  outputTokens: Count,
  cachedTokens: Count.optional(),
  costUsd: z.number().nonnegative().optional(),
  /** The cost was worked out from the config's `models.<id>.price`, not reported by the CLI. */
  estimated: z.boolean().optional(),
  turns: Count.optional(),
});
export type Usage = z.infer<typeof Usage>;

/** Two reports added up (the cost only when both have one: a partial sum would read as the whole). */
export function addUsage(a: Usage, b: Usage): Usage {
  const sum: Usage = { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
  if (a.cachedTokens !== undefined || b.cachedTokens !== undefined) sum.cachedTokens = (a.cachedTokens ?? 0) + (b.cachedTokens ?? 0);
  if (a.costUsd !== undefined && b.costUsd !== undefined) {
    sum.costUsd = a.costUsd + b.costUsd;
    if (a.estimated || b.estimated) sum.estimated = true;
  }
  if (a.turns !== undefined || b.turns !== undefined) sum.turns = (a.turns ?? 0) + (b.turns ?? 0);
  return sum;
}

export function totalTokens(usage: Usage): number {
  return usage.inputTokens + usage.outputTokens;
}

export function sameUsage(a: Usage | undefined, b: Usage | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
