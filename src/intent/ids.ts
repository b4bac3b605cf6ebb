import { TaskId } from '../task/index.js';

/**
 * Task ids from a task's words: `<topic>-<kind>` ("security audit …" → security-audit,
 * "use opus-5.0 to review this architecture" → architecture-review), or a two-word topic alone
 * ("error handling audit" → error-handling). A list item's leading label ("performance - …") is
 * its topic; a label with no kind of work borrows the request's ("pre-launch sweep" → audit).
 */
const SCAN_CHARS = 300;

/** Word tables: lookups take any word a user typed, so no inherited key ("constructor") may answer. */
const table = (entries: Record<string, string>): Readonly<Record<string, string>> => Object.freeze(Object.assign(Object.create(null) as Record<string, string>, entries));

const SHORT = table({
  performance: 'perf', openapi: 'api', documentation: 'docs', authentication: 'auth', authorization: 'auth',
  configuration: 'config', database: 'db', accessibility: 'a11y', application: 'app', repository: 'repo',
  infrastructure: 'infra', dependencies: 'deps', architectural: 'architecture',
});
const KIND = table({
  audit: 'audit', audits: 'audit', auditing: 'audit', sweep: 'audit', review: 'review', reviews: 'review',
  reviewing: 'review', test: 'test', tests: 'test', testing: 'test', spec: 'docs', specs: 'docs', docs: 'docs',
  document: 'docs', fix: 'fix', fixes: 'fix', refactor: 'refactor', refactoring: 'refactor', migration: 'migration',
  migrate: 'migration', cleanup: 'cleanup',
});
const STOP = new Set(
  (
    'a an the this that these those my our your their its it to for of and or with in on at by from into about as ' +
    'use using have has do does did done please can could would should will you we i me us need needs let lets get ' +
    'make sure just also then full all any every each some new be is are was were what which who how when where why ' +
    'not no so up out over under via dispatch generate create write find check run add update look go see take give ' +
    'keep there here them they one more most much many well very really now etc worktree worktrees model ask separate branch own'
  ).split(' '),
);

/** Words of the text, lower case ASCII, names (models, aliases) left out, short forms applied. */
export function idWords(text: string, isName: (token: string) => boolean): string[] {
  const words: string[] = [];
  for (const raw of text.slice(0, SCAN_CHARS).split(/\s+/)) {
    const ascii = raw.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    const token = ascii.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
    if (token === '' || isName(token)) continue;
    for (const w of token.toLowerCase().split(/[^a-z0-9]+/)) if (w) words.push(SHORT[w] ?? w);
  }
  return words;
}

const isContent = (w: string) => !STOP.has(w) && KIND[w] === undefined;

export function kindOf(words: string[]): string | undefined {
  for (const w of words) if (KIND[w]) return KIND[w];
  return undefined;
}

/** The id for one task: `label` is a list item's leading label, `contextKind` the request's kind. */
export function taskIdFor(body: string[], label: string[] | undefined, contextKind: string | undefined): string {
  if (label && label.length > 0) {
    const k = label.findIndex((w) => KIND[w] !== undefined);
    const topic = (k >= 0 ? label.slice(0, k) : label).filter(isContent);
    const kind = k >= 0 ? KIND[label[k] as string] : (contextKind ?? kindOf(body));
    if (topic.length > 0) return finish(compose(topic, kind));
  }
  const k = body.findIndex((w) => KIND[w] !== undefined);
  if (k < 0) return finish(body.filter(isContent).slice(0, 3));
  const kind = KIND[body[k] as string];
  const before = runBackward(body, k - 1);
  if (before.length > 0) return finish(compose(before, kind));
  let start = k + 1;
  while (start < body.length && !isContent(body[start] as string)) start += 1;
  return finish(compose(runForward(body, start), kind));
}

function runBackward(words: string[], from: number): string[] {
  const run: string[] = [];
  for (let i = from; i >= 0 && run.length < 2 && isContent(words[i] as string); i -= 1) run.unshift(words[i] as string);
  return run;
}

function runForward(words: string[], from: number): string[] {
  const run: string[] = [];
  for (let i = from; i < words.length && run.length < 2 && isContent(words[i] as string); i += 1) run.push(words[i] as string);
  return run;
}

function compose(topic: string[], kind: string | undefined): string[] {
  if (topic.length >= 2 || kind === undefined) return topic.slice(-3);
  return [...topic, kind];
}

function finish(words: string[]): string {
  const id = words
    .map((w) => w.slice(0, 24))
    .join('-')
    .slice(0, 48)
    .replace(/-+$/, '');
  return TaskId.safeParse(id).success ? id : 'task';
}

/** Make ids unique within one request: `perf-audit`, `perf-audit-2`, … */
export function uniqueIds(ids: string[]): string[] {
  const taken = new Set<string>();
  return ids.map((base) => {
    let id = base;
    for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
    taken.add(id);
    return id;
  });
}

/** A list item's leading label: up to four words before " - " or ": " ("frontend audit - …"). */
export function leadingLabel(item: string): string | undefined {
  const m = /^([^\n:\-\u2013\u2014]{1,40}?)\s*(?:\s[-\u2013\u2014]\s|:\s)/.exec(item);
  const label = m?.[1]?.trim();
  return label && label.split(/\s+/).length <= 4 ? label : undefined;
}
