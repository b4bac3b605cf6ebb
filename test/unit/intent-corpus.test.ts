import { describe, expect, it } from 'vitest';
import { ConfigFile } from '../../src/config/schema.js';
import { parseIntent, type Intent, type TaskRequest } from '../../src/intent/index.js';
import { resolve } from '../../src/resolve/index.js';
import { PHRASINGS } from '../support/phrasings.js';

/** The config every phrasing is read against (see test/support/phrasings.ts). */
const CONFIG = ConfigFile.parse({
  default: 'opus',
  models: {
    opus: { backend: 'claude' },
    sonnet: { backend: 'claude' },
    haiku: { backend: 'claude' },
    'gemini-2.5-flash': {},
    'gemini-2.5-pro': {},
    'gemini-3-flash': {},
    'gpt-5.3': {},
    'composer-1.5': { backend: 'cursor' },
  },
  aliases: {
    'security-reviewer': { model: 'opus', prompt: 'You are a security-focused reviewer.' },
    'perf-reviewer': { model: 'sonnet', prompt: 'You are a performance optimization expert.' },
    harvey: { model: 'gpt-5.3' },
  },
});
const KNOWN = { models: Object.keys(CONFIG.models), aliases: Object.keys(CONFIG.aliases), repos: [] };

/** What the bot decides for a text, in the corpus's words: the parser, then the resolver for each task. */
export function decisionOf(text: string): string {
  const intent = parseIntent(text, KNOWN);
  switch (intent.kind) {
    case 'tasks':
      return tasksOf(intent);
    case 'config':
      return `config: ${configOf(intent.requests)}`;
    case 'unclear':
      return `unclear: ${configOf(intent.requests)} | ${tasksOf(intent.rest)}`;
    case 'help':
      return `help: ${intent.topic}`;
    case 'status':
      return intent.task ? `status: ${intent.task}` : 'status';
    case 'control':
      return `control: ${intent.action} ${intent.task}`;
    case 'access':
      return `access: ${intent.request.op}`;
    case 'forge':
      return `forge: ${intent.action}${intent.task ? ` ${intent.task}` : ''}`;
    case 'warm-up':
    case 'sweep':
    case 'invalid':
      return intent.kind;
  }
}

function tasksOf(request: TaskRequest): string {
  return request.tasks
    .map((draft) => {
      const r = resolve(draft, { config: CONFIG });
      const decided =
        r.kind === 'model'
          ? `run ${r.model}${r.alias ? ` as ${r.alias}` : ''}`
          : r.kind === 'confirm'
            ? `confirm ${r.model} (${r.source})`
            : r.kind === 'discover'
              ? `discover ${r.name}`
              : r.kind === 'ask'
                ? `ask ${r.family ?? '(no default)'}`
                : 'error';
      return `${decided}${draft.worktree ? ' +worktree' : ''}`;
    })
    .join(' / ');
}

function configOf(requests: Extract<Intent, { kind: 'config' }>['requests']): string {
  return requests
    .map((r) => {
      switch (r.op) {
        case 'create-alias':
          return `create-alias ${r.alias} ${r.model}${r.prompt && !r.prompt.startsWith('You are') ? ` "${r.prompt}"` : ''}`;
        case 'remove-alias':
          return `remove-alias ${r.alias}`;
        case 'migrate':
          return 'migrate';
        default:
          return `${r.op} ${r.model}`;
      }
    })
    .join('; ');
}

describe(`the phrasing corpus (${PHRASINGS.length} ways people ask)`, () => {
  it('has at least 60 phrasings, from the models page, the Dispatch docs, misread lines and chat', () => {
    expect(PHRASINGS.length).toBeGreaterThanOrEqual(60);
    for (const from of ['seed', 'docs', 'issue', 'chat'] as const) expect(PHRASINGS.some((p) => p.from === from), from).toBe(true);
  });

  it.each(PHRASINGS.map((p) => [p.text.split('\n')[0] as string, p] as const))('%s', (_first, phrasing) => {
    expect(decisionOf(phrasing.text)).toBe(phrasing.decision);
  });
});
