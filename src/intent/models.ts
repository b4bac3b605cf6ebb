import type { KnownNames } from './types.js';

/** A model or alias named in the text, in order of appearance. */
export interface Mention {
  /** The configured spelling when known, else the name as written. */
  name: string;
  known: boolean;
}

/** Model names are one token even when versioned: `sonnet-4.6`, `claude-4.7-sonnet`, `o4-mini`. */
const TOKEN = /[A-Za-z0-9][A-Za-z0-9_.:/-]*/g;
const MAX_NAME = 80;
const FAMILY = /opus|sonnet|haiku|claude|gpt|codex|gemini|grok|llama|mistral|deepseek|qwen|composer|kimi/;
const O_SERIES = /^o[1-9](?:-(?:mini|pro|preview|high|medium|low))*$/;
const FILE_NAME = /\.[a-z]{2,}$/;
/** Bare family words that name a model when handed work ("use gemini", "have opus …"). */
const BARE = new Set(['opus', 'sonnet', 'haiku', 'gemini']);
const CUES = new Set(['use', 'using', 'via', 'dispatch', 'have', 'let', 'ask']);

export function knownLookup(known: KnownNames): Map<string, string> {
  const map = new Map<string, string>();
  for (const name of [...known.models, ...known.aliases]) map.set(name.toLowerCase(), name);
  return map;
}

/** Every model/alias mention, known or model-like, in order. */
export function findMentions(text: string, lookup: Map<string, string>): Mention[] {
  const mentions: Mention[] = [];
  let previous = '';
  for (const match of text.matchAll(TOKEN)) {
    const token = trimTrailing(match[0], '.:/-');
    const lower = token.toLowerCase();
    if (token.length > 0 && token.length <= MAX_NAME) {
      const canonical = lookup.get(lower);
      const mention = canonical !== undefined ? { name: canonical, known: true } : unknownMention(token, lower, previous, lookup);
      if (mention) mentions.push(mention);
    }
    previous = lower;
  }
  return mentions;
}

/** `token` without trailing `chars`, by a scan (a `[.:/-]+$` pattern rescans a long run from each start). */
function trimTrailing(token: string, chars: string): string {
  let end = token.length;
  while (end > 0 && chars.includes(token.charAt(end - 1))) end -= 1;
  return token.slice(0, end);
}

function unknownMention(token: string, lower: string, previous: string, lookup: Map<string, string>): Mention | undefined {
  if (!isModelLike(lower, previous)) return undefined;
  const family = BARE.has(lower) ? onlyModelOfFamily(lower, lookup) : undefined;
  return family ? { name: family, known: true } : { name: token, known: false };
}

/** "use gemini" when the config has exactly one Gemini model (`gemini-2.5-flash`): that one. */
function onlyModelOfFamily(family: string, lookup: Map<string, string>): string | undefined {
  const members = [...new Set(lookup.values())].filter((name) => name.toLowerCase().split(/[-._]/).includes(family));
  return members.length === 1 ? members[0] : undefined;
}

/**
 * A name that reads like a model id although it is not configured. Bare "claude", "gpt" or
 * "codex" are ordinary words in prose ("ask claude", "the codex backend"): only versioned
 * names count, or a bare opus/sonnet/haiku/gemini right after a word that hands it work.
 */
export function isModelLike(lower: string, previousWord = ''): boolean {
  if (lower.includes('/') || FILE_NAME.test(lower)) return false;
  if (FAMILY.test(lower) && /\d/.test(lower)) return true;
  if (O_SERIES.test(lower)) return true;
  return BARE.has(lower) && CUES.has(previousWord);
}

/** The last mention decides (SPEC §3.2); the distinct names in order feed the split hint. */
export function modelChoice(mentions: Mention[]): { model?: string; unknownModel?: string; named: string[] } {
  const named: string[] = [];
  const seen = new Set<string>();
  for (const m of mentions) {
    const key = m.name.toLowerCase();
    if (!seen.has(key)) named.push(m.name);
    seen.add(key);
  }
  const last = mentions.at(-1);
  if (!last) return { named };
  return last.known ? { model: last.name, named } : { unknownModel: last.name, named };
}
