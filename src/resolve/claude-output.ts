import { z } from 'zod';
import type { OutputSignal } from './backend.js';
import { AnthropicUsage, fromAnthropic } from './usage-output.js';

/**
 * claude `--output-format stream-json --verbose`: one JSON event per line. We read the init
 * event for the real model id, assistant turns for a short activity line, and the result.
 */
export const Init = z.object({ type: z.literal('system'), subtype: z.literal('init'), model: z.string().min(1) });
export const ContentBlock = z.union([
  z.object({ type: z.literal('tool_use'), name: z.string(), input: z.record(z.string(), z.unknown()).optional() }),
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.string() }),
]);
export const Assistant = z.object({
  type: z.literal('assistant'),
  message: z.object({ id: z.string().optional(), content: z.array(ContentBlock), usage: AnthropicUsage.optional() }),
});
export const Result = z.object({
  type: z.literal('result'),
  subtype: z.string().optional(),
  is_error: z.boolean().optional(),
  result: z.string().optional(),
  total_cost_usd: z.number().nonnegative().optional(),
  num_turns: z.number().int().nonnegative().optional(),
  usage: AnthropicUsage.optional(),
});

const ACTIVITY_CHARS = 100;
/** The input field that best says what a tool call is doing. */
export const TOOL_DETAIL = ['command', 'description', 'file_path', 'path', 'pattern', 'url', 'query', 'prompt'];

export function readClaudeLine(line: string): OutputSignal {
  const event = parseJson(line);
  if (event === undefined) return {};
  // Each event is checked against the one schema its type names: a schema that fails builds its
  // error at some cost, and a worker prints a line for every step.
  const type = typeof event === 'object' && event !== null && 'type' in event ? event.type : undefined;
  const init = type === 'system' ? Init.safeParse(event) : undefined;
  if (init?.success) return { model: init.data.model };
  const result = type === 'result' ? Result.safeParse(event) : undefined;
  if (result?.success) {
    const { result: said, subtype, is_error, usage, total_cost_usd, num_turns } = result.data;
    const text = said ?? subtype ?? 'unknown error';
    const used = usage ? { usage: fromAnthropic(usage, { costUsd: total_cost_usd, turns: num_turns }) } : {};
    return is_error ? { error: text, ...used } : { result: text, ...used };
  }
  const assistant = type === 'assistant' ? Assistant.safeParse(event) : undefined;
  if (assistant?.success) {
    const { id, content, usage } = assistant.data.message;
    const activity = content.map(activityOf).filter(Boolean).at(-1);
    return { ...(activity ? { activity } : {}), ...(id && usage ? { usageStep: { id, usage: fromAnthropic(usage) } } : {}) };
  }
  return {};
}

function activityOf(block: z.infer<typeof ContentBlock>): string {
  if ('name' in block) {
    const key = TOOL_DETAIL.find((k) => typeof block.input?.[k] === 'string');
    const detail = key ? String(block.input?.[key]) : '';
    return short(detail ? `${block.name}: ${detail}` : block.name);
  }
  if ('text' in block) return short(block.text);
  return '';
}

/** One line of at most 100 characters, for a status message. */
export function short(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > ACTIVITY_CHARS ? `${line.slice(0, ACTIVITY_CHARS - 1)}…` : line;
}

export function parseJson(line: string): unknown {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
