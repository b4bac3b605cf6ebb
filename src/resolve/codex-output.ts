import { z } from 'zod';
import { parseJson, short } from './claude-output.js';
import type { OutputSignal } from './backend.js';
import { CodexTurnCompleted, fromCodex } from './usage-output.js';

/** codex `exec --json`: JSONL events; commands and messages become the activity line. */
export const Item = z.object({
  type: z.enum(['item.started', 'item.completed']),
  item: z.object({ type: z.string(), text: z.string().optional(), command: z.string().optional() }),
});
export const Failed = z.object({ type: z.enum(['turn.failed', 'error']), error: z.object({ message: z.string() }).optional(), message: z.string().optional() });

export function readCodexLine(line: string): OutputSignal {
  const event = parseJson(line);
  if (event === undefined) return {};
  const failed = Failed.safeParse(event);
  if (failed.success) return { error: failed.data.error?.message ?? failed.data.message ?? 'codex failed' };
  const turn = CodexTurnCompleted.safeParse(event);
  if (turn.success) return { usage: fromCodex(turn.data.usage) };
  const item = Item.safeParse(event);
  if (!item.success) return {};
  const { type, text, command } = item.data.item;
  if (type === 'command_execution' && command) return { activity: short(`$ ${command}`) };
  if (type === 'agent_message' && text) return item.data.type === 'item.completed' ? { activity: short(text) } : {};
  return {};
}
