import { FAMILY_WORDS } from '../resolve/family.js';
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

/**
 * Model positions. After a CUE the name must end its clause or be followed by a LINK word
 * ("use X to …", "review it with X", "via X, in a worktree"); after a HAND word any word may
 * follow ("have X review", "ask X to", "let X handle").
 */
const CUE = new Set(['use', 'using', 'with', 'via', 'try', 'dispatch']);
const HAND = new Set(['have', 'ask', 'let']);
const LINK = new Set(['to', 'for', 'on', 'in', 'and', 'please', 'instead', 'now', 'then', 'here', 'this', 'it', 'as', 'model', 'so', 'with']);

/**
 * A model-shaped name: a run of two or more letters, a digit somewhere, pieces joined by `-`,
 * `.` or `_` (`nova-3-pro`, `qwen2.5-coder`, `grok-4`). A word without a digit never is one, so
 * "use the logs to…", "have a look", "with care" stay words.
 */
const SHAPED = /^[a-z]{2,}[a-z0-9]*(?:[-._][a-z0-9]+)*$/;
/**
 * Leading words of names that carry a number but are not models: versioned technologies
 * (utf-8, python-3.12, node-18, es2022, log4j), numbered things (issue-123, step-2) and cloud
 * regions (us-east-1).
 */
const NOT_MODELS = new Set(
  (
    'utf sha md base http https tls ssl ipv oauth es ecmascript python py node nodejs java jdk jre go golang ruby php perl lua ' +
    'vue react angular next nuxt svelte postgres postgresql pg mysql mariadb redis mongo mongodb sqlite ubuntu debian alpine ' +
    'centos fedora rhel windows win macos osx ios android html css cpp dotnet net rust swift kotlin scala arm amd intel webpack ' +
    'vite babel typescript ts js jest vitest mocha junit pytest gradle maven docker kube kubernetes helm terraform aws ec gcp ' +
    'azure log mp jpeg png av vp unicode ascii iso rfc cve ansi ieee pep ws wsl gnu gcc clang llvm bash zsh cuda aes rsa ed crc ' +
    'int uint float fp bf top owasp wcag latin ie chrome firefox safari numpy pandas tf rails django ' +
    'issue issues bug bugs ticket pr task step phase part page item version ver release sprint section chapter figure table ' +
    'line row col column case story epic milestone week day rev build run job server host port db shard replica region us eu ap ' +
    'sa ca me af gp'
  ).split(' '),
);

export function knownLookup(known: KnownNames): Map<string, string> {
  const map = new Map<string, string>();
  for (const name of [...known.models, ...known.aliases]) map.set(name.toLowerCase(), name);
  return map;
}

/** Every model/alias mention, known or model-like, in order. */
export function findMentions(text: string, lookup: Map<string, string>): Mention[] {
  const mentions: Mention[] = [];
  let previous = '';
  let first = true;
  for (const match of text.matchAll(TOKEN)) {
    const token = trimTrailing(match[0], '.:/-');
    const lower = token.toLowerCase();
    if (token.length > 0 && token.length <= MAX_NAME) {
      const canonical = lookup.get(lower);
      if (canonical !== undefined) mentions.push({ name: canonical, known: true });
      else if (namesModel(lower, previous, first, followerOf(text, match.index + token.length))) mentions.push({ name: token, known: false });
    }
    previous = lower;
    first = false;
  }
  return mentions;
}

/** `token` without trailing `chars`, by a scan (a `[.:/-]+$` pattern rescans a long run from each start). */
function trimTrailing(token: string, chars: string): string {
  let end = token.length;
  while (end > 0 && chars.includes(token.charAt(end - 1))) end -= 1;
  return token.slice(0, end);
}

/** What follows a name: the end of its clause, a colon, a link word, or another word. */
type Follower = 'end' | 'colon' | 'link' | 'word';
const LOOK_AHEAD = 24;
const TRANSPARENT = ' \t*_`"\'';
const CLAUSE_END = ',.;!?)]\n\u2013\u2014';

/** A bounded look at the text after `end` (a few characters, so the scan stays linear). */
function followerOf(text: string, end: number): Follower {
  let i = end;
  const stop = Math.min(text.length, end + LOOK_AHEAD);
  while (i < stop && TRANSPARENT.includes(text.charAt(i))) i += 1;
  if (i >= text.length) return 'end';
  const next = text.charAt(i);
  if (next === ':') return 'colon';
  if (CLAUSE_END.includes(next) || (next === '-' && i > end && text.charAt(i + 1) === ' ')) return 'end';
  const word = /^[A-Za-z]{1,12}/.exec(text.slice(i, stop))?.[0]?.toLowerCase() ?? '';
  return LINK.has(word) ? 'link' : 'word';
}

/** Does an unconfigured token name a model here? */
function namesModel(lower: string, previous: string, first: boolean, follower: Follower): boolean {
  if (isModelLike(lower)) return true;
  const inPosition = (CUE.has(previous) && follower !== 'word') || HAND.has(previous) || (first && follower === 'colon');
  return inPosition && (FAMILY_WORDS.has(lower) || isModelShaped(lower));
}

/**
 * A name that reads like a model id wherever it stands: a family name with a version
 * (`claude-4.7-sonnet`, `gpt-5.4`) or an o-series id. Bare "claude", "gpt" or "codex" are
 * ordinary words in prose ("ask claude", "the codex backend").
 */
export function isModelLike(lower: string): boolean {
  if (lower.includes('/') || FILE_NAME.test(lower)) return false;
  if (FAMILY.test(lower) && /\d/.test(lower)) return true;
  return O_SERIES.test(lower);
}

export function isModelShaped(lower: string): boolean {
  if (lower.length > MAX_NAME || !/\d/.test(lower) || !SHAPED.test(lower) || FILE_NAME.test(lower)) return false;
  const lead = /^[a-z]+/.exec(lower)?.[0] ?? '';
  return !NOT_MODELS.has(lead);
}

/** The last mention decides, for one task; the distinct names in order feed the split hint. */
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
