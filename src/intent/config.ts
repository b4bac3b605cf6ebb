import { aliasPrompt } from './alias-prompt.js';
import { isModelLike, isModelShaped } from './models.js';
import { commandForm } from './text.js';
import type { ConfigRequest } from './types.js';

/**
 * Config requests. When every clause of the text is one, the text is a config request; when only
 * some are ("add gpt-5.3 to my config and review the auth module"), it reads both ways and the
 * requester is asked; when none is, it is not one at all: "review the config loader for bugs" is
 * a task, whatever words it shares.
 */
const MAX_CONFIG_TEXT = 400;
const N = '([a-z0-9][a-z0-9_.:/-]{0,79})';
const LEAD = '(?:(?:please|pls|can you|could you|now)\\s+)?';
const THE = '(?:(?:the|a|an|my|our)\\s+)?';
const CONFIG = '(?:(?:my|the|our)\\s+)?(?:dispatch\\s+)?(?:config|configuration|config file|models|model list)';
const MODEL = `${THE}(?:model\\s+)?${N}(?:\\s+model)?`;
/** "to", "=", ":" or nothing between a default and its model ("set default opus"). */
const TO = '(?:\\s+to\\s+|\\s*[=:]\\s*|\\s+)';

interface Names {
  lookup: Map<string, string>;
  aliases: Set<string>;
}
type Build = (m: string[], name: (raw: string | undefined) => string | undefined, names: Names) => ConfigRequest | undefined;

const re = (body: string) => new RegExp(`^${LEAD}${body}$`);

const RULES: [RegExp, Build][] = [
  [re(`(?:create|add|make|define|set up|new)\\s+${THE}(?:new\\s+)?${N}\\s+alias\\s+(?:using|with|for|on|to|that uses|pointing to|for model|=|->)\\s+${MODEL}`), createAlias],
  [re(`(?:create|add|make|define|set up|new)\\s+${THE}(?:new\\s+)?alias\\s+(?:called\\s+|named\\s+)?${N}\\s+(?:using|with|for|on|to|that uses|pointing to|=|->)\\s+${MODEL}`), createAlias],
  [re(`alias\\s+${N}\\s+(?:to|=|->|as)\\s+${MODEL}`), createAlias],
  [re(`(?:remove|delete|drop)\\s+(?:the\\s+)?${N}\\s+alias`), (m, name) => some(name(m[1]), (alias) => ({ op: 'remove-alias', alias }))],
  [re(`(?:remove|delete|drop)\\s+(?:the\\s+)?alias\\s+${N}`), (m, name) => some(name(m[1]), (alias) => ({ op: 'remove-alias', alias }))],
  [re(`add\\s+${MODEL}\\s+(?:to|into|in)\\s+${CONFIG}`), (m, name) => some(name(m[1]), (model) => ({ op: 'add-model', model }))],
  [re(`add\\s+(?:the\\s+|a\\s+)?model\\s+${N}`), (m, name) => some(name(m[1]), (model) => ({ op: 'add-model', model }))],
  [re(`add\\s+${N}`), (m, name, names) => (unknownModelLike(m[1], names) ? some(name(m[1]), (model) => ({ op: 'add-model', model })) : undefined)],
  [re(`(?:remove|delete|drop)\\s+${MODEL}\\s+from\\s+${CONFIG}`), removeName],
  [re(`(?:remove|delete|drop)\\s+${MODEL}`), (m, name, names) => (namesAModel(m[1], names) ? removeName(m, name, names) : undefined)],
  [re(`(?:switch|change|set|update)\\s+my\\s+default(?:\\s+model)?${TO}${N}`), myDefault],
  [re(`(?:make|set|use)\\s+${N}\\s+(?:as\\s+)?my\\s+(?:own\\s+)?default(?:\\s+model)?`), myDefault],
  [re(`my\\s+(?:own\\s+)?default(?:\\s+model)?\\s*(?:is|=|:|should be|will be)\\s*${N}`), myDefault],
  [re(`(?:switch|change|set|update)\\s+(?:the\\s+)?(?:config\\s+)?default(?:\\s+model)?${TO}${N}`), setDefault],
  [re(`(?:switch|change|set)\\s+(?:the\\s+)?model${TO}${MODEL}`), (m, name, names) => (namesAModel(m[1], names) ? setDefault(m, name) : undefined)],
  [re(`(?:switch|change|move|go)\\s+(?:over\\s+)?to\\s+${MODEL}`), (m, name, names) => (namesAModel(m[1], names) ? setDefault(m, name) : undefined)],
  [re(`use\\s+${MODEL}\\s+(?:by\\s+default|as\\s+(?:the\\s+)?default|from\\s+now\\s+on|going\\s+forward|for\\s+everything)`), (m, name, names) => (namesAModel(m[1], names) ? setDefault(m, name) : undefined)],
  [re(`(?:make|set|use)\\s+${N}\\s+(?:as\\s+|by\\s+)?(?:the\\s+)?(?:config\\s+)?default(?:\\s+model)?`), setDefault],
  [re(`(?:the\\s+)?default(?:\\s+model)?\\s*(?:is|=|:|should be|to)\\s*${N}`), setDefault],
  [re(`migrate(?:\\s+(?:my|the|our))?(?:\\s+(?:dispatch\\s+)?(?:config|configuration|config file|legacy config|agents))?(?:\\s+to the new format)?`), () => ({ op: 'migrate' })],
];

function some<T, R>(value: T | undefined, f: (v: T) => R): R | undefined {
  return value === undefined ? undefined : f(value);
}

/** Words a name pattern can catch that name nothing ("set default to" with the name left out). */
const NOT_NAMES = new Set(['to', 'the', 'a', 'an', 'model', 'default', 'as', 'my', 'our']);

function createAlias(m: string[], name: (raw: string | undefined) => string | undefined): ConfigRequest | undefined {
  const alias = PRONOUNS.has(m[1] ?? '') ? undefined : name(m[1]);
  const model = name(m[2]);
  if (!alias || !model) return undefined;
  return { op: 'create-alias', alias, model, prompt: aliasPrompt(alias) };
}

function removeName(m: string[], name: (raw: string | undefined) => string | undefined, names: Names): ConfigRequest | undefined {
  const target = name(m[1]);
  if (!target) return undefined;
  return names.aliases.has(target.toLowerCase()) ? { op: 'remove-alias', alias: target } : { op: 'remove-model', model: target };
}

/** A configured name, or one that reads like a model id. */
function namesAModel(raw: string | undefined, names: Names): boolean {
  return raw !== undefined && (names.lookup.has(raw) || isModelLike(raw) || isModelShaped(raw));
}

function unknownModelLike(raw: string | undefined, names: Names): boolean {
  return raw !== undefined && !names.lookup.has(raw) && (isModelLike(raw) || isModelShaped(raw));
}

function myDefault(m: string[], name: (raw: string | undefined) => string | undefined): ConfigRequest | undefined {
  if (NOT_NAMES.has(m[1] ?? '')) return undefined;
  return some(name(m[1]), (model) => ({ op: 'set-my-default', model }));
}

function setDefault(m: string[], name: (raw: string | undefined) => string | undefined): ConfigRequest | undefined {
  if (NOT_NAMES.has(m[1] ?? '')) return undefined;
  return some(name(m[1]), (model) => ({ op: 'set-default', model }));
}

const SEPARATOR = '\\s*(?:[;\\n]|,\\s*(?:and\\s+)?(?:then\\s+)?|\\s+and\\s+(?:then\\s+)?|\\.\\s+)\\s*';
/** Clauses with their separators kept (odd indexes), so the text of some clauses can be put back together. */
const CLAUSES = new RegExp(`(${SEPARATOR})`);
const PRONOUNS = new Set(['it', 'that', 'this', 'them']);

/**
 * An alias's prompt said in the sentence: "… with prompt: be strict about auth", ", prompt: …",
 * "… and the instructions …". Everything after the cue is the prompt, commas and all.
 */
const PROMPT_CUE = /(?:,|\b(?:with|and|using))\s*(?:the\s+|a\s+|this\s+)?(?:role\s+)?(?:prompt|instructions?)(?:\s*[:=]\s*|\s+)/i;
const QUOTES = /^["'`]([\s\S]*)["'`]$/;

/** Short config sentences that leave out what they need: answered with how to say it, never a task. */
const INCOMPLETE: [RegExp, string][] = [
  [
    /^(?:please\s+)?(?:create|add|make|define|new|set up)\s+(?:an?\s+)?(?:new\s+)?(?:[a-z0-9][a-z0-9_.:/-]{0,79}\s+)?alias(?:\s+(?:called|named)\s+[a-z0-9][a-z0-9_.:/-]{0,79})?$/,
    'An alias needs a model: say `create a security-reviewer alias using opus` (add `with prompt: …` to give its role prompt).',
  ],
  [/^(?:please\s+)?(?:switch|change|set|update)\s+(?:the\s+|my\s+)?(?:config\s+)?default(?:\s+model)?(?:\s+to)?$/, 'Which model? Say `switch default to sonnet` (or `make sonnet my default` for your own).'],
  [/^(?:please\s+)?(?:remove|delete|drop)\s+(?:the\s+|an?\s+)?alias$/, 'Which alias? Say `remove the security-reviewer alias`.'],
  [/^(?:please\s+)?add\s+(?:an?\s+)?(?:model|agent)$/, 'Which model? Say `add gpt-5.3 to my config`.'],
];

export type ConfigReading =
  | { kind: 'config'; requests: ConfigRequest[] }
  /** Some clauses are config requests and `rest` (the other clauses, as written) is not. */
  | { kind: 'mixed'; requests: ConfigRequest[]; rest: string }
  /** A config sentence that leaves out what it needs; `reason` says how to say it. */
  | { kind: 'incomplete'; reason: string };

/** What the text says about the config, or undefined when it says nothing about it. */
export function readConfig(text: string, lookup: Map<string, string>, aliases: string[]): ConfigReading | undefined {
  const cue = PROMPT_CUE.exec(text);
  const head = cue && /\balias\b/i.test(text.slice(0, cue.index)) ? text.slice(0, cue.index) : text;
  if (head.length > MAX_CONFIG_TEXT) return undefined;
  const prompt = head === text || !cue ? undefined : unquoted(text.slice(cue.index + cue[0].length));
  const form = commandForm(unemphasised(head));
  for (const [pattern, reason] of INCOMPLETE) if (pattern.test(form)) return { kind: 'incomplete', reason };
  const names: Names = { lookup, aliases: new Set(aliases.map((a) => a.toLowerCase())) };
  const read = readClauses(head, names);
  if (!read || read.requests.length === 0) return undefined;
  const requests = prompt === undefined ? read.requests : read.requests.map((r) => (r.op === 'create-alias' ? { ...r, prompt } : r));
  if (read.rest === '') return { kind: 'config', requests };
  // A prompt is only ever given to an alias being created; prose around it is not one.
  if (prompt !== undefined || !read.requests.every((r) => plausible(r, names))) return undefined;
  return { kind: 'mixed', requests, rest: read.rest };
}

/** The config requests among the clauses, and the other clauses put back together as written. */
function readClauses(text: string, names: Names): { requests: ConfigRequest[]; rest: string } | undefined {
  const original = new Map<string, string>();
  for (const word of text.split(/[\s,;]+/)) original.set(word.toLowerCase().replace(/[.:/-]+$/, ''), word.replace(/[.:/-]+$/, ''));
  const requests: ConfigRequest[] = [];
  let rest = '';
  let previous: string | undefined;
  const name = (raw: string | undefined): string | undefined => {
    if (raw === undefined) return undefined;
    const word = raw.replace(/[.:/-]+$/, '');
    if (PRONOUNS.has(word)) return previous;
    return names.lookup.get(word) ?? original.get(word) ?? word;
  };
  const pieces = text.split(CLAUSES);
  for (let i = 0; i < pieces.length; i += 2) {
    const clause = pieces[i] ?? '';
    const form = commandForm(unemphasised(clause));
    if (form === '') continue;
    const request = matchClause(form, name, names);
    if (request) {
      if ('model' in request) previous = request.model;
      requests.push(request);
    } else {
      rest += rest === '' ? clause : `${pieces[i - 1] ?? ' '}${clause}`;
    }
  }
  return { requests, rest: rest.trim() };
}

/**
 * In a text that is partly a task, a clause counts as a config request only when it names
 * something the config has or a model id: "… and remove the alias system" is prose.
 */
function plausible(request: ConfigRequest, names: Names): boolean {
  switch (request.op) {
    case 'migrate':
      return true;
    case 'remove-alias':
      return names.aliases.has(request.alias.toLowerCase());
    case 'create-alias':
    case 'set-default':
    case 'set-my-default':
    case 'add-model':
    case 'remove-model':
      return namesAModel(request.model.toLowerCase(), names);
  }
}

function unquoted(prompt: string): string {
  const trimmed = prompt.trim();
  return (QUOTES.exec(trimmed)?.[1] ?? trimmed).trim();
}

/** Markdown marks around words (`**opus**`, `_opus_`, `` `opus` ``) go; underscores inside a name stay. */
function unemphasised(clause: string): string {
  return clause.replace(/[`*"]/g, '').replace(/(^|[\s(])_+|_+(?=[\s).,;:!?]|$)/g, '$1');
}

function matchClause(form: string, name: (raw: string | undefined) => string | undefined, names: Names): ConfigRequest | undefined {
  for (const [pattern, build] of RULES) {
    const m = pattern.exec(form);
    if (m) {
      const request = build([...m].map((g) => g ?? ''), name, names);
      if (request) return request;
    }
  }
  return undefined;
}
