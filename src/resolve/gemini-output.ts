import { z } from 'zod';
import { parseJson, short } from './claude-output.js';
import type { OutputSignal } from './backend.js';
import { GeminiResult, fromGemini } from './usage-output.js';

/**
 * gemini `--output-format stream-json`: JSONL events. `init` names the model, `tool_use` is the
 * activity line, `result` carries the session's tokens; assistant text arrives as many deltas.
 */
export const GeminiInit = z.object({ type: z.literal('init'), model: z.string().min(1) });
export const GeminiToolUse = z.object({ type: z.literal('tool_use'), tool_name: z.string(), parameters: z.record(z.string(), z.unknown()).optional() });
export const GeminiMessage = z.object({ type: z.literal('message'), role: z.string(), content: z.string(), delta: z.boolean().optional() });

const TOOL_DETAIL = ['command', 'file_path', 'absolute_path', 'path', 'pattern', 'query', 'description'];

export function readGeminiLine(line: string): OutputSignal {
  const event = parseJson(line);
  if (event === undefined) return {};
  const init = GeminiInit.safeParse(event);
  if (init.success) return { model: init.data.model };
  const tool = GeminiToolUse.safeParse(event);
  if (tool.success) return { activity: short(toolText(tool.data)) };
  const result = GeminiResult.safeParse(event);
  if (result.success) return { usage: fromGemini(result.data.stats), ...(result.data.status === 'error' ? { error: 'gemini reported an error' } : {}) };
  return {};
}

export function toolText(tool: z.infer<typeof GeminiToolUse>): string {
  const key = TOOL_DETAIL.find((k) => typeof tool.parameters?.[k] === 'string');
  return key ? `${tool.tool_name}: ${String(tool.parameters?.[key])}` : tool.tool_name;
}
