import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_CHARS, parseIntent, type Intent } from '../../src/intent/index.js';

const known = { models: ['opus', 'sonnet', 'opus-4.5-thinking'], aliases: ['security-reviewer'], repos: ['web'] };
const MB = 1024 * 1024;

/** Inputs that have hurt regex-heavy parsers: long runs, near-misses, nesting, markup. */
const hostile: Record<string, string> = {
  'one long token': 'a'.repeat(MB),
  'long dashes': `opus${'-'.repeat(MB)}`,
  'long digits and dots': `gpt-${'5.'.repeat(MB / 2)}`,
  'spaces then no end': `${' '.repeat(MB)}x`,
  'many list markers': '1) '.repeat(MB / 3),
  'numbered lines': Array.from({ length: 50_000 }, (_, i) => `${i + 1}) fix bug ${i} with opus`).join('\n'),
  'worktree near-misses': 'in a worktree '.repeat(MB / 14),
  'mention markup': '<@U123><@!1><#C1|x><!here>'.repeat(MB / 26),
  'unclosed markup': '<@'.repeat(MB / 2),
  'repo directives': 'repo='.repeat(MB / 5),
  'control characters': '\u0000\u0007\u001b[31m\u007f'.repeat(MB / 8),
  'markdown': '**_`~'.repeat(MB / 5),
  'unicode': '🙂é漢字\u202e'.repeat(MB / 8),
  'routing clauses': 'fix it'.concat(', worktree'.repeat(MB / 10)),
  'config near-miss': `create a ${'x-'.repeat(MB / 2)} alias using opus`,
};

function sane(intent: Intent): void {
  expect(['warm-up', 'help', 'status', 'control', 'config', 'unclear', 'forge', 'tasks', 'sweep', 'invalid']).toContain(intent.kind);
  if (intent.kind === 'tasks') {
    expect(intent.tasks.length).toBeGreaterThan(0);
    for (const t of intent.tasks) expect(t.id).toMatch(/^[a-z0-9][a-z0-9-]{0,62}$/);
  }
}

describe('hostile input', () => {
  it('refuses a 1 MB request with a clear reply instead of dispatching it', () => {
    const intent = parseIntent(`use opus to ${'review this '.repeat(MB / 12)}`, known);
    expect(intent.kind).toBe('invalid');
    if (intent.kind === 'invalid') expect(intent.reason).toMatch(/too long/);
  });

  it('accepts a request right at the limit', () => {
    const text = `use opus to ${'x'.repeat(MAX_REQUEST_CHARS - 20)}`;
    const intent = parseIntent(text, known);
    expect(intent.kind).toBe('tasks');
  });

  // With the size limit lifted, every stage runs over the full megabyte: a catastrophic
  // backtracking pattern would blow the test timeout rather than return.
  for (const [name, text] of Object.entries(hostile)) {
    it(`parses 1 MB of ${name} without throwing`, () => {
      sane(parseIntent(text, known, { maxChars: Infinity }));
      sane(parseIntent(text.slice(0, 20_000), known));
    });
  }

  it('reads a request through markup and control characters', () => {
    const intent = parseIntent('<@U0BOT> use **opus**\u0007 to fix <#C42|general> login\u0000 bugs, worktree', known);
    expect(intent).toMatchObject({ kind: 'tasks', tasks: [{ model: 'opus', worktree: true }] });
    if (intent.kind === 'tasks') expect(intent.tasks[0]?.goal).not.toMatch(/[\u0000-\u0008]/);
  });

  it('does not throw on a non-string at runtime', () => {
    expect(parseIntent(undefined as unknown as string, known)).toEqual({ kind: 'warm-up' });
  });
});
