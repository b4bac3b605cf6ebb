import { z } from 'zod';
import { Assistant, ContentBlock, Init, Result, TOOL_DETAIL, parseJson } from './claude-output.js';
import { Failed, Item } from './codex-output.js';
import { GeminiInit, GeminiMessage, GeminiToolUse, toolText } from './gemini-output.js';
import { GeminiResult } from './usage-output.js';

/** A CLI's error printed as one JSON object (gemini writes `{"error":{"message":…}}` to stderr). */
const ErrorObject = z.object({ error: z.object({ message: z.string() }) });
/** claude's tool results (what a tool printed, far too long to skim) and its other system events. */
const ClaudeQuiet = z.object({ type: z.enum(['user', 'system']) });
/** codex bookkeeping: threads and turns starting, tokens used. */
const CodexQuiet = z.object({ type: z.enum(['thread.started', 'turn.started', 'turn.completed', 'item.started']) });

/**
 * A worker's log as a person reads it: the JSON events claude (`stream-json`), codex (`--json`)
 * and gemini print become their text, one line each; plain lines stay as they are; bookkeeping
 * events are left out. Failure messages and `logs <id>` show this, never raw JSON.
 */
export function logText(log: string): string {
  return log
    .split('\n')
    .flatMap((line) => {
      const event = parseJson(line);
      if (event === undefined) return [line];
      const text = eventText(event);
      return text === undefined ? [line] : text === '' ? [] : text.split('\n');
    })
    .join('\n');
}

/** The text of one JSON event; '' to leave it out; undefined when it is no event we know. */
function eventText(event: unknown): string | undefined {
  const result = Result.safeParse(event);
  if (result.success) {
    const text = result.data.result ?? result.data.subtype ?? '';
    return result.data.is_error ? `error: ${text}` : text;
  }
  const assistant = Assistant.safeParse(event);
  if (assistant.success) return assistant.data.message.content.map(blockText).filter(Boolean).join('\n');
  const init = Init.safeParse(event);
  if (init.success) return `(${init.data.model})`;
  if (ClaudeQuiet.safeParse(event).success || CodexQuiet.safeParse(event).success) return '';
  const failed = Failed.safeParse(event);
  if (failed.success) return `error: ${failed.data.error?.message ?? failed.data.message ?? 'failed'}`;
  const item = Item.safeParse(event);
  if (item.success) return item.data.item.command ? `$ ${item.data.item.command}` : (item.data.item.text ?? '');
  const gemini = geminiText(event);
  if (gemini !== undefined) return gemini;
  const error = ErrorObject.safeParse(event);
  if (error.success) return `error: ${error.data.error.message}`;
  return undefined;
}

function blockText(block: z.infer<typeof ContentBlock>): string {
  if ('name' in block) {
    const key = TOOL_DETAIL.find((k) => typeof block.input?.[k] === 'string');
    return `→ ${block.name}${key ? `: ${String(block.input?.[key])}` : ''}`;
  }
  return 'text' in block ? block.text.trim() : '';
}

/** gemini `stream-json`: its prompt echo and closing stats are bookkeeping; text and tools are read. */
function geminiText(event: unknown): string | undefined {
  const message = GeminiMessage.safeParse(event);
  if (message.success) return message.data.role === 'user' ? '' : message.data.content.trim();
  const tool = GeminiToolUse.safeParse(event);
  if (tool.success) return `→ ${toolText(tool.data)}`;
  const init = GeminiInit.safeParse(event);
  if (init.success) return `(${init.data.model})`;
  return GeminiResult.safeParse(event).success ? '' : undefined;
}
