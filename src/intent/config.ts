import { aliasPrompt } from './alias-prompt.js';
import { isModelLike } from './models.js';
import { commandForm } from './text.js';
import type { ConfigRequest } from './types.js';

/**
 * SPEC §2.4 config requests. Every clause of the text must be one, or the text is not a config
 * request at all: "review the config loader for bugs" is a task, whatever words it shares.
 */
const MAX_CONFIG_TEXT = 400;
const N = '([a-z0-9][a-z0-9_.:/-]{0,79})';
const LEAD = '(?:(?:please|pls|can you|could you|now)\\s+)?';
const THE = '(?:(?:the|a|an|my|our)\\s+)?';
const CONFIG = '(?:(?:my|the|our)\\s+)?(?:dispatch\\s+)?(?:config|configuration|config file|models|model list)';
const MODEL = `${THE}(?:model\\s+)?${N}(?:\\s+model)?`;

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
  [re(`(?:switch|change|set|update)\\s+my\\s+default(?:\\s+model)?\\s+(?:to|=|:)\\s*${N}`), myDefault],
  [re(`(?:make|set|use)\\s+${N}\\s+(?:as\\s+)?my\\s+(?:own\\s+)?default(?:\\s+model)?`), myDefault],
  [re(`my\\s+(?:own\\s+)?default(?:\\s+model)?\\s*(?:is|=|:|should be|will be)\\s*${N}`), myDefault],
  [re(`(?:switch|change|set|update)\\s+(?:the\\s+)?(?:config\\s+)?default(?:\\s+model)?\\s+(?:to|=|:)\\s*${N}`), setDefault],
  [re(`(?:make|set|use)\\s+${N}\\s+(?:as\\s+|by\\s+)?(?:the\\s+)?(?:config\\s+)?default(?:\\s+model)?`), setDefault],
  [re(`(?:the\\s+)?default(?:\\s+model)?\\s*(?:is|=|:|should be|to)\\s*${N}`), setDefault],
  [re(`migrate(?:\\s+(?:my|the|our))?(?:\\s+(?:dispatch\\s+)?(?:config|configuration|config file|legacy config|agents))?(?:\\s+to the new format)?`), () => ({ op: 'migrate' })],
];

function some<T, R>(value: T | undefined, f: (v: T) => R): R | undefined {
  return value === undefined ? undefined : f(value);
}

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

function namesAModel(raw: string | undefined, names: Names): boolean {
  return raw !== undefined && (names.lookup.has(raw) || isModelLike(raw));
}

function unknownModelLike(raw: string | undefined, names: Names): boolean {
  return raw !== undefined && !names.lookup.has(raw) && isModelLike(raw);
}

function myDefault(m: string[], name: (raw: string | undefined) => string | undefined): ConfigRequest | undefined {
  return some(name(m[1]), (model) => ({ op: 'set-my-default', model }));
}

function setDefault(m: string[], name: (raw: string | undefined) => string | undefined): ConfigRequest | undefined {
  return some(name(m[1]), (model) => ({ op: 'set-default', model }));
}

const CLAUSES = /\s*(?:[;\n]|,\s*(?:and\s+)?(?:then\s+)?|\s+and\s+(?:then\s+)?|\.\s+)\s*/;
const PRONOUNS = new Set(['it', 'that', 'this', 'them']);

/** The config requests the text makes, or undefined when it is not (only) a config request. */
export function parseConfigRequests(text: string, lookup: Map<string, string>, aliases: string[]): ConfigRequest[] | undefined {
  if (text.length > MAX_CONFIG_TEXT) return undefined;
  const names: Names = { lookup, aliases: new Set(aliases.map((a) => a.toLowerCase())) };
  const original = new Map<string, string>();
  for (const word of text.split(/[\s,;]+/)) original.set(word.toLowerCase().replace(/[.:/-]+$/, ''), word.replace(/[.:/-]+$/, ''));
  const requests: ConfigRequest[] = [];
  let previous: string | undefined;
  const name = (raw: string | undefined): string | undefined => {
    if (raw === undefined) return undefined;
    const word = raw.replace(/[.:/-]+$/, '');
    if (PRONOUNS.has(word)) return previous;
    return lookup.get(word) ?? original.get(word) ?? word;
  };
  for (const clause of text.split(CLAUSES)) {
    const form = commandForm(unemphasised(clause));
    if (form === '') continue;
    const request = matchClause(form, name, names);
    if (!request) return undefined;
    if ('model' in request) previous = request.model;
    requests.push(request);
  }
  return requests.length > 0 ? requests : undefined;
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
