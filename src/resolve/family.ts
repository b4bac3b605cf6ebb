/** Which vendor family a model id belongs to: claude names go to claude, gpt/o-series/codex names to codex, gemini names to gemini. */
export type Family = 'claude' | 'openai' | 'gemini';

export function modelFamily(model: string): Family | undefined {
  const id = model.toLowerCase();
  if (/opus|sonnet|haiku|claude/.test(id)) return 'claude';
  if (/gpt|codex|(?:^|[^a-z0-9])o[1-9](?:$|[^0-9])|o4-mini/.test(id)) return 'openai';
  if (/gemini/.test(id)) return 'gemini';
  return undefined;
}

/** Bare family words that stand for a model of that family when handed the work ("use gemini"). */
export const FAMILY_WORDS: ReadonlySet<string> = new Set(['opus', 'sonnet', 'haiku', 'gemini']);

/** Claude's own full ids (`claude-opus-4-6`, `claude-sonnet-4-5-20250929`, `claude-3-5-haiku-20241022`). */
const CLAUDE_FULL_ID = /^claude-(?:(?:opus|sonnet|haiku)-\d+(?:-\d+)?|\d+(?:-\d+)?-(?:opus|sonnet|haiku))(?:-\d{8})?$/;
/** Names the claude CLI accepts as they are. */
export const CLAUDE_ALIASES: ReadonlySet<string> = new Set(['default', 'opus', 'sonnet', 'haiku', 'opusplan', 'sonnet[1m]', 'opus[1m]']);

/**
 * What to pass to `claude --model`: a real full id as written, else the family alias the CLI
 * resolves itself (`opus-4.5-thinking` → `opus`), else nothing rather than an id it would reject.
 */
export function claudeModelFlag(model: string): string | undefined {
  const id = model.toLowerCase();
  if (CLAUDE_FULL_ID.test(id) || CLAUDE_ALIASES.has(id)) return model;
  for (const family of ['opus', 'sonnet', 'haiku']) if (id.includes(family)) return family;
  return undefined;
}
