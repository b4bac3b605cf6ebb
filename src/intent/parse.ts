import { parseAccess } from './access.js';
import { parseControl, parseStatus } from './commands.js';
import { readConfig } from './config.js';
import { forgeTasks, parseForgeCommand } from './forge.js';
import { goalWithoutDirectives, repoDirective, worktreeDirective } from './directives.js';
import { idWords, kindOf, leadingLabel, taskIdFor, uniqueIds } from './ids.js';
import { splitList } from './list.js';
import { parseHelp } from './help.js';
import { findMentions, isModelLike, knownLookup, modelChoice } from './models.js';
import { cleanText, withoutCommand, withoutInvisible } from './text.js';
import type { Intent, KnownNames, TaskDraft, TaskRequest } from './types.js';

/**
 * Longest request we turn into tasks. A worker gets its prompt as one argv string, and Linux caps
 * a single argument at 128 KiB; the protocol text and context need room too.
 */
export const MAX_REQUEST_CHARS = 24_000;

/** One request may fan out to this many workers; more is a paste accident, not a plan. */
export const MAX_TASKS = 20;

export interface ParseOptions {
  maxChars?: number;
}

/**
 * Markup (mentions, links) makes raw text longer than what it says; a raw text this many times
 * the limit is refused before any pattern reads it.
 */
const RAW_SLACK = 2;

/** What a chat line asks for, in routing order (warm-up, status, control, config, tasks). Pure; never throws on any text. */
export function parseIntent(text: string, known: KnownNames, options: ParseOptions = {}): Intent {
  const raw = typeof text === 'string' ? text : '';
  const max = options.maxChars ?? MAX_REQUEST_CHARS;
  // Size first: every later stage is linear, but only a bounded input keeps it cheap.
  if (raw.length > max * RAW_SLACK) return tooLong(raw.length, max);
  const clean = withoutCommand(cleanText(raw));
  if (clean === '') return { kind: 'warm-up' };
  if (clean.length > max) return tooLong(clean.length, max);
  const lookup = knownLookup(known);
  return (
    // Access sentences read the mention markup cleanText removes: it carries the ids.
    parseAccess(withoutCommand(withoutInvisible(raw))) ??
    parseHelp(clean) ??
    parseStatus(clean) ??
    parseControl(clean) ??
    parseForgeCommand(clean) ??
    configIntent(clean, lookup, known) ??
    forgeTasks(clean, (text) => tasksIntent(text, lookup, known.repos ?? []))
  );
}

function tooLong(length: number, max: number): Intent {
  return {
    kind: 'invalid',
    reason: `That request is too long (${length.toLocaleString('en-US')} characters; the limit is ${max.toLocaleString('en-US')}). Put the details in a file in the repo and point the task at it.`,
  };
}

function configIntent(text: string, lookup: Map<string, string>, known: KnownNames): Intent | undefined {
  const reading = readConfig(text, lookup, known.aliases);
  if (!reading) return undefined;
  if (reading.kind === 'incomplete') return { kind: 'invalid', reason: reading.reason };
  if (reading.kind === 'config') return { kind: 'config', requests: reading.requests };
  const rest = tasksIntent(reading.rest, lookup, known.repos ?? []);
  const whole = tasksIntent(text, lookup, known.repos ?? []);
  if (rest.kind !== 'tasks' || whole.kind !== 'tasks') return undefined;
  return { kind: 'unclear', requests: reading.requests, rest: requestOf(rest), whole: requestOf(whole) };
}

/** A tasks intent as the request it makes (what a prompt holds). */
export function requestOf({ context, tasks, splitHint, forge }: Extract<Intent, { kind: 'tasks' }>): TaskRequest {
  return { context, tasks, ...(splitHint ? { splitHint } : {}), ...(forge ? { forge } : {}) };
}

/** What the text around a list says for every item that does not say otherwise. */
interface Shared {
  choice: ReturnType<typeof modelChoice>;
  worktree?: boolean;
  repo?: string;
  kind?: string;
}

interface Names {
  lookup: Map<string, string>;
  repos: string[];
  /** Is this token a model name (configured, model-like, or named in a model position)? */
  isName: (token: string) => boolean;
}

function tasksIntent(text: string, lookup: Map<string, string>, repos: string[]): Intent {
  const names: Names = { lookup, repos, isName: (token) => lookup.has(token.toLowerCase()) || isModelLike(token.toLowerCase()) };
  const list = splitList(text);
  if (!list) {
    const { draft, named } = draftOf(text, undefined, { choice: { named: [] } }, names);
    return { kind: 'tasks', context: '', tasks: [draft], ...(named.length > 1 ? { splitHint: named } : {}) };
  }
  if (list.items.length > MAX_TASKS) {
    return { kind: 'invalid', reason: `That list has ${list.items.length} tasks; one request can start at most ${MAX_TASKS}. Split it into smaller requests.` };
  }
  const context = [list.intro, list.tail].filter(Boolean).join('\n\n');
  const shared: Shared = {
    choice: modelChoice(findMentions(context, lookup)),
    worktree: worktreeDirective(context),
    repo: repoDirective(context, repos),
    kind: kindOf(idWords(context, names.isName)),
  };
  const drafts = list.items.map((item) => draftOf(item, leadingLabel(item), shared, names).draft);
  const ids = uniqueIds(drafts.map((d) => d.id));
  return { kind: 'tasks', context, tasks: drafts.map((d, i) => ({ ...d, id: ids[i] as string })) };
}

/** One task: its own last-named model and directives, else what the shared text says. */
function draftOf(text: string, label: string | undefined, shared: Shared, names: Names): { draft: TaskDraft; named: string[] } {
  const mentions = findMentions(text, names.lookup);
  const own = modelChoice(mentions);
  const choice = own.model || own.unknownModel ? own : shared.choice;
  // Unconfigured names said in a model position are names too: they stay out of ids and goals.
  const said = new Set(mentions.map((m) => m.name.toLowerCase()));
  const isName = (token: string) => names.isName(token) || said.has(token.toLowerCase());
  const goal = goalWithoutDirectives(text, isName) || text;
  const labelWords = label ? idWords(label, isName) : undefined;
  const repo = repoDirective(text, names.repos) ?? shared.repo;
  const draft: TaskDraft = {
    id: taskIdFor(idWords(goal, isName), labelWords, shared.kind),
    goal,
    ...(choice.model ? { model: choice.model } : {}),
    ...(choice.unknownModel ? { unknownModel: choice.unknownModel } : {}),
    worktree: worktreeDirective(text) ?? shared.worktree ?? false,
    ...(repo ? { repo } : {}),
  };
  return { draft, named: own.named };
}
