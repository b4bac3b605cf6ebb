import { ConfigError } from '../errors/index.js';
import type { YAMLError } from 'yaml';
import type { core } from 'zod';

type Issue = core.$ZodIssue;
type Path = readonly PropertyKey[];

/** Dotted key path as the user reads it in the file (`aliases.sec.model`); undefined for the root. */
export function keyOf(path: Path): string | undefined {
  return path.length === 0 ? undefined : path.map(String).join('.');
}

export function configError(path: Path, detail: string, file?: string): ConfigError {
  const key = keyOf(path);
  return new ConfigError(key ? `${key}: ${detail}` : detail, key, file);
}

const KIND: Record<string, string> = {
  object: 'a mapping (key: value lines)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  record: 'a mapping (key: value lines)',
};

/** The value as the user wrote it, short enough for a chat line. */
export function show(input: unknown): string {
  if (input === null || input === undefined) return 'nothing';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  const text = JSON.stringify(input) ?? String(input);
  return text.length > 60 ? `${text.slice(0, 57)}…"` : text;
}

/** The keys a mapping at a path may hold, for "unknown key" messages. */
export type KnownKeys = (path: Path) => readonly string[];

/** zod issues → one ConfigError each, naming the key; unions report their closest branch. */
export function issuesToErrors(issues: readonly Issue[], knownKeys: KnownKeys, file?: string): ConfigError[] {
  return issues.flatMap((issue) => issueToErrors(issue, [], knownKeys, file));
}

function issueToErrors(issue: Issue, prefix: Path, knownKeys: KnownKeys, file?: string): ConfigError[] {
  const path = [...prefix, ...issue.path];
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return [configError(path, 'is required', file)];
      if (path.length === 0) {
        return [configError(path, `the config must be ${KIND.object} such as "default: opus", got ${show(issue.input)}`, file)];
      }
      return [configError(path, `expected ${KIND[issue.expected] ?? issue.expected}, got ${show(issue.input)}`, file)];
    case 'unrecognized_keys': {
      const known = knownKeys(path);
      return issue.keys.map((key) => configError([...path, key], known.length ? `unknown key (known keys: ${known.join(', ')})` : 'unknown key', file));
    }
    case 'invalid_key':
      return [configError(path, `${show(issue.input)} is not a valid name: ${issue.issues[0]?.message ?? 'invalid'}`, file)];
    case 'invalid_union':
      return unionErrors(issue.errors, path, knownKeys, file);
    default:
      return [configError(path, issue.message, file)];
  }
}

/** Prefer the branch that got furthest into the value; when none did, say what would be accepted. */
function unionErrors(branches: Issue[][], path: Path, knownKeys: KnownKeys, file?: string): ConfigError[] {
  const depth = (b: Issue[]) => Math.max(0, ...b.map((i) => i.path.length));
  const deepest = [...branches].sort((a, b) => depth(b) - depth(a))[0];
  if (deepest && depth(deepest) > 0) return deepest.flatMap((i) => issueToErrors(i, path, knownKeys, file));
  // A branch of the right shape whose only fault is a key it does not know: name that key.
  const unknown = branches.find((b) => b.length > 0 && b.every((i) => i.code === 'unrecognized_keys'));
  if (unknown) return unknown.flatMap((i) => issueToErrors(i, path, knownKeys, file));
  const custom = branches.flat().find((i) => i.code === 'custom');
  if (custom) return [configError(path, custom.message, file)];
  const expected = branches.flat().flatMap((i) => (i.code === 'invalid_type' ? [KIND[i.expected] ?? i.expected] : []));
  const input = branches.flat()[0]?.input;
  // The schema's only number-or-string union is a duration; say so rather than "a number or a string".
  if (expected.length === 2 && expected.includes(KIND.number ?? '') && expected.includes(KIND.string ?? '')) {
    return [configError(path, `expected a duration such as 90s, 30m or 2h, got ${show(input)}`, file)];
  }
  if (expected.length > 0) return [configError(path, `expected ${expected.join(' or ')}, got ${show(input)}`, file)];
  return [configError(path, 'is not a valid value', file)];
}

/** YAML syntax errors, with line and column, and the key they sit under when one can be told. */
export function yamlErrorToConfigError(error: YAMLError, text: string, file?: string): ConfigError {
  const pos = error.linePos?.[0];
  const summary = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
  const where = pos ? `line ${pos.line}, column ${pos.col}` : 'somewhere';
  const path = pos ? enclosingKeys(text, pos.line, pos.col) : [];
  const key = keyOf(path);
  const detail = `YAML syntax error at ${where}: ${summary}`;
  return new ConfigError(key ? `${key}: ${detail}` : detail, key, file);
}

/**
 * The chain of block-mapping keys above a line, found by indentation (good enough for a hint).
 * An error reported at the very start of a key is about what came before it (an unclosed
 * bracket is noticed on the next line), so the search starts one line up.
 */
export function enclosingKeys(text: string, line: number, col = 0): string[] {
  const all = text.split(/\r?\n/, line);
  const atKeyStart = line > 1 && col > 0 && /^ *$/.test((all[line - 1] ?? '').slice(0, col - 1));
  const lines = atKeyStart ? all.slice(0, -1) : all;
  const keys: string[] = [];
  let limit = Number.POSITIVE_INFINITY;
  for (let i = lines.length - 1; i >= 0 && limit > 0; i -= 1) {
    const match = /^( *)(?:"([^"]*)"|'([^']*)'|([^\s#'"\-[{][^:#]*?))\s*:(?:\s|$)/.exec(lines[i] ?? '');
    if (!match) continue;
    const indent = match[1]?.length ?? 0;
    if (indent >= limit) continue;
    keys.unshift((match[2] ?? match[3] ?? match[4] ?? '').trim());
    limit = indent;
  }
  return keys;
}
