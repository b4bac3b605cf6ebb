import { z } from 'zod';
import type { Usage } from '../task/index.js';

const Count = z.number().int().nonnegative();

/**
 * Anthropic's usage block (claude's assistant messages and its `result`): input counts only the
 * uncached part, so the cache reads and writes are added back to give every token sent.
 */
export const AnthropicUsage = z.object({
  input_tokens: Count,
  output_tokens: Count,
  cache_creation_input_tokens: Count.nullish(),
  cache_read_input_tokens: Count.nullish(),
});

export function fromAnthropic(u: z.infer<typeof AnthropicUsage>, extra: { costUsd?: number; turns?: number } = {}): Usage {
  const cached = u.cache_read_input_tokens ?? 0;
  const usage: Usage = { inputTokens: u.input_tokens + cached + (u.cache_creation_input_tokens ?? 0), outputTokens: u.output_tokens };
  if (cached > 0) usage.cachedTokens = cached;
  if (extra.costUsd !== undefined) usage.costUsd = extra.costUsd;
  if (extra.turns !== undefined) usage.turns = extra.turns;
  return usage;
}

/** codex `exec --json` `turn.completed`: the thread's tokens, cached input counted inside input. */
export const CodexTurnCompleted = z.object({
  type: z.literal('turn.completed'),
  usage: z.object({ input_tokens: Count, output_tokens: Count, cached_input_tokens: Count.optional() }),
});

export function fromCodex(u: z.infer<typeof CodexTurnCompleted>['usage']): Usage {
  const usage: Usage = { inputTokens: u.input_tokens, outputTokens: u.output_tokens };
  if (u.cached_input_tokens) usage.cachedTokens = u.cached_input_tokens;
  return usage;
}

/**
 * gemini `--output-format stream-json` ends with `{"type":"result","status":…,"stats":{…}}`: the
 * session's tokens summed over its models (no cost). Its `json` format nests per-model counts under
 * `stats.models.<id>.tokens` instead.
 */
export const GeminiResult = z.object({
  type: z.literal('result'),
  status: z.string(),
  stats: z.object({ input_tokens: Count, output_tokens: Count, cached: Count.optional(), tool_calls: Count.optional() }),
});

export function fromGemini(stats: z.infer<typeof GeminiResult>['stats']): Usage {
  const usage: Usage = { inputTokens: stats.input_tokens, outputTokens: stats.output_tokens };
  if (stats.cached) usage.cachedTokens = stats.cached;
  return usage;
}
