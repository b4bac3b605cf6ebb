import type { Config } from '../config/schema.js';
import { CLAUDE_ALIASES, FAMILY_WORDS, modelFamily, type Family } from './family.js';
import { backendForModel, choicesOf, type Clis } from './resolve.js';

/** What discovery has to go on: the CLIs on PATH and what `agent models` listed (empty without it). */
export interface Sources {
  clis: Clis;
  listed: { id: string; name: string }[];
}

export type Finding =
  /**
   * `id` is available on `backend`, found `via` a source. `trial`: found by a family rule alone,
   * so it joins the config only once its CLI has accepted it.
   */
  | { kind: 'found'; id: string; backend: string; via: string; trial: boolean }
  /** Close to names that exist (a typo): ask which, add nothing. */
  | { kind: 'typo'; name: string; suggestions: string[] }
  /** A bare family word several listed models share: ask which. */
  | { kind: 'ask'; family: string; choices: string[] }
  /** No source knows it; `available` is what the config and the sources do know. */
  | { kind: 'unavailable'; name: string; available: string[] };

const FAMILY_CLI: Record<Family, string> = { claude: 'claude', openai: 'codex', gemini: 'gemini' };

/**
 * Discovery of a name the config lacks, from every source at once: an exact id `agent models`
 * lists; then a name a small typo away from a configured or listed one ("did you mean …?");
 * then the family rules of the CLIs on PATH (names with opus/sonnet/haiku for claude, gpt-*,
 * o-series and *codex* for codex, gemini-* for gemini). Pure: the caller gathers `sources`.
 */
export function decideDiscovery(name: string, config: Config, sources: Sources): Finding {
  const lower = name.toLowerCase();
  const listed = sources.listed.find((m) => m.id.toLowerCase() === lower);
  if (listed) return found(listed.id, 'agent models', false, config, sources);
  if (FAMILY_WORDS.has(lower)) return bareFamily(lower, config, sources);
  const known = [...choicesOf(config), ...sources.listed.map((m) => m.id)];
  const suggestions = nearNames(name, known);
  if (suggestions.length > 0) return { kind: 'typo', name, suggestions };
  const family = modelFamily(name);
  const cli = family ? FAMILY_CLI[family] : undefined;
  if (cli && sources.clis.has(cli)) return found(name, `the ${cli} CLI`, true, config, sources);
  return { kind: 'unavailable', name, available: unique(known) };
}

function found(id: string, via: string, trial: boolean, config: Config, sources: Sources): Finding {
  return { kind: 'found', id, via, trial, backend: backendForModel(id, config, sources.clis) };
}

/** "use gemini" with no gemini configured: the listed models of that family, or claude's own alias. */
function bareFamily(word: string, config: Config, sources: Sources): Finding {
  const members = sources.listed.map((m) => m.id).filter((id) => id.toLowerCase().split(/[-._]/).includes(word));
  if (members.length === 1) return found(members[0] as string, 'agent models', false, config, sources);
  if (members.length > 1) return { kind: 'ask', family: word, choices: members };
  // The claude CLI takes opus, sonnet and haiku as its own names: nothing to try first.
  if (CLAUDE_ALIASES.has(word) && sources.clis.has('claude')) return found(word, 'the claude CLI', false, config, sources);
  return { kind: 'unavailable', name: word, available: unique([...choicesOf(config), ...sources.listed.map((m) => m.id)]) };
}

function unique(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => !seen.has(n.toLowerCase()) && seen.add(n.toLowerCase()));
}

/**
 * Names `name` is probably a typo of: at most one edit away (two for names of nine characters
 * or more), with the same version digits. A different number is a different version
 * (opus-4.7 is not a typo of opus-4.6); a doubled digit is a slip (gpt-5.33 → gpt-5.3).
 */
export function nearNames(name: string, candidates: string[]): string[] {
  const lower = name.toLowerCase();
  if (lower.length < 4) return [];
  const budget = lower.length >= 9 ? 2 : 1;
  const scored: [string, number][] = [];
  for (const candidate of unique(candidates)) {
    const other = candidate.toLowerCase();
    if (other === lower || digitsOf(other) !== digitsOf(lower)) continue;
    const distance = editDistance(lower, other, budget);
    if (distance <= budget) scored.push([candidate, distance]);
  }
  return scored.sort((a, b) => a[1] - b[1]).map(([candidate]) => candidate);
}

/** The digits of a name, a digit typed twice counted once. */
function digitsOf(name: string): string {
  return name.replace(/\D/g, '').replace(/(\d)\1+/g, '$1');
}

const MAX_COMPARED = 80;

/** Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`; anything above `budget` is budget + 1. */
function editDistance(a: string, b: string, budget: number): number {
  if (a.length > MAX_COMPARED || b.length > MAX_COMPARED || Math.abs(a.length - b.length) > budget) return budget + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (before[j - 2] as number) + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] as number;
}
