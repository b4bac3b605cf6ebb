import { describe, expect, it } from 'vitest';
import { MAX_TASKS, parseIntent, type Intent, type KnownNames, type TaskDraft } from '../../src/intent/index.js';
import { PRE_LAUNCH } from '../support/phrasings.js';

const known = {
  models: ['opus', 'sonnet', 'haiku', 'gemini-2.5-flash', 'gpt-5.2', 'sonnet-4.6', 'claude-4.7-sonnet-x'],
  aliases: ['gemini', 'security-reviewer', 'perf-reviewer'],
  repos: ['web', 'billing-api'],
};

function tasks(text: string, names: KnownNames = known): Extract<Intent, { kind: 'tasks' }> {
  const intent = parseIntent(text, names);
  if (intent.kind !== 'tasks') throw new Error(`expected tasks, got ${JSON.stringify(intent)}`);
  return intent;
}

function only(text: string, names: KnownNames = known): TaskDraft {
  const intent = tasks(text, names);
  expect(intent.tasks).toHaveLength(1);
  return intent.tasks[0] as TaskDraft;
}

describe('the Dispatch models page pre-launch sweep', () => {
  const intent = tasks(PRE_LAUNCH);

  it('is five tasks with the page ids, models and worktrees', () => {
    expect(intent.tasks.map((t) => [t.id, t.model, t.worktree])).toEqual([
      ['security-audit', 'opus', true],
      ['perf-audit', 'sonnet', true],
      ['frontend-audit', 'sonnet', false],
      ['api-docs', 'gemini', false],
      ['error-handling', 'sonnet', true],
    ]);
  });

  it('shares the intro and the closing paragraph as context', () => {
    expect(intent.context).toContain('we launch Thursday, need a full pre-launch sweep:');
    expect(intent.context).toContain('ask me if anything is unclear. security is highest priority');
    expect(intent.context).toContain('anything critical immediately');
    expect(intent.context).not.toContain('stripe');
  });

  it('keeps each goal whole across wrapped lines, without the routing words', () => {
    const security = intent.tasks[0] as TaskDraft;
    expect(security.goal).toBe('security audit the auth flow (JWT, sessions, password reset) and the stripe payment integration.');
    expect(intent.tasks[4]?.goal).toContain('inconsistent error response formats across all API routes');
    expect(intent.tasks.every((t) => !/worktree|use opus|dispatch sonnet/.test(t.goal))).toBe(true);
  });

  it('has no split hint (a list is already split)', () => {
    expect(intent.splitHint).toBeUndefined();
  });
});

describe('numbered lists', () => {
  it('accepts 1. and (1) markers, and items without blank lines between them', () => {
    const dots = tasks('please:\n1. fix the login bug with opus\n2. write tests for billing using haiku');
    expect(dots.tasks.map((t) => t.model)).toEqual(['opus', 'haiku']);
    expect(dots.context).toBe('please:');
    const parens = tasks('(1) review the parser\n(2) review the parser again');
    expect(parens.tasks).toHaveLength(2);
  });

  it('makes ids unique within one request', () => {
    const intent = tasks('1) review the parser\n2) review the parser\n3) review the parser');
    expect(intent.tasks.map((t) => t.id)).toEqual(['parser-review', 'parser-review-2', 'parser-review-3']);
  });

  it('gives list-wide directives and models from the context to items that name none', () => {
    const intent = tasks('use haiku for all of these, each in its own worktree:\n1) fix typos in README\n2) fix typos in docs with sonnet');
    expect(intent.tasks.map((t) => [t.model, t.worktree])).toEqual([
      ['haiku', true],
      ['sonnet', true],
    ]);
  });

  it('refuses a list longer than one request may start', () => {
    const text = Array.from({ length: MAX_TASKS + 1 }, (_, i) => `${i + 1}) fix bug ${i}`).join('\n');
    const intent = parseIntent(text, known);
    expect(intent.kind).toBe('invalid');
    if (intent.kind === 'invalid') expect(intent.reason).toContain(String(MAX_TASKS));
    expect(tasks(text.split('\n').slice(0, MAX_TASKS).join('\n')).tasks).toHaveLength(MAX_TASKS);
  });

  it('is not a list with a single item', () => {
    const intent = tasks('1) fix the login bug');
    expect(intent.tasks).toHaveLength(1);
    expect(intent.context).toBe('');
  });
});

describe('model mentions', () => {
  it('uses the one model named, in its configured spelling', () => {
    expect(only('use opus to review this PR for edge cases').model).toBe('opus');
    expect(only('use Sonnet to find better design patterns').model).toBe('sonnet');
    expect(only('use **SONNET-4.6** please').model).toBe('sonnet-4.6');
  });

  it('lets the last named model win, and says how to split a prose request', () => {
    const intent = tasks('have opus review and sonnet test the auth module');
    expect(intent.tasks).toHaveLength(1);
    expect(intent.tasks[0]?.model).toBe('sonnet');
    expect(intent.splitHint).toEqual(['opus', 'sonnet']);
  });

  it('gives no split hint when one model is named twice', () => {
    expect(tasks('use opus, and opus again').splitHint).toBeUndefined();
  });

  it('treats versioned names as one token', () => {
    expect(only('use sonnet-4.6 to fix it').model).toBe('sonnet-4.6');
    const thinking = only('use opus-4.5-thinking for this', { ...known, models: ['opus'] });
    expect(thinking.model).toBeUndefined();
    expect(thinking.unknownModel).toBe('opus-4.5-thinking');
    expect(only('use opus-4.5-thinking for this', { ...known, models: ['opus', 'opus-4.5-thinking'] }).model).toBe('opus-4.5-thinking');
  });

  it('marks an unconfigured model-like name for discovery when it is named last', () => {
    const draft = only('use claude-4.7-sonnet to review this code');
    expect(draft.unknownModel).toBe('claude-4.7-sonnet');
    expect(draft.model).toBeUndefined();
    expect(only('use opus-5.0 to review this architecture').unknownModel).toBe('opus-5.0');
    expect(only('try gpt-5.4 then o4-mini').unknownModel).toBe('o4-mini');
    expect(only('use gpt-5.4 first, no, use opus').model).toBe('opus');
  });

  it('does not take ordinary words or files for models', () => {
    for (const text of [
      'ask claude to tidy CLAUDE.md',
      'fix the codex backend argv',
      'document the gemini integration',
      'update src/gpt4/client.ts and gpt-4.ts',
      'bump utf-8 handling and http-2 support',
    ]) {
      const draft = only(text, { ...known, aliases: [] });
      expect([draft.model, draft.unknownModel]).toEqual([undefined, undefined]);
    }
  });

  it('reads a model-shaped name in a model position as a model, and words there as words', () => {
    const bare = { models: ['opus'], aliases: [] };
    for (const text of [
      'use nova-3-pro to review this code',
      'review this code using nova-3-pro',
      'review this code with nova-3-pro',
      'review this code via nova-3-pro, in a worktree',
      'dispatch nova-3-pro to review this code',
      'have nova-3-pro review this code',
      'ask nova-3-pro to review this code',
      'nova-3-pro: review this code',
      'use **nova-3-pro** to review this code',
    ]) {
      expect(only(text, bare).unknownModel, text).toBe('nova-3-pro');
    }
    for (const text of [
      'use the logs to find the bug',
      'have a look at the login page',
      'fix the retry loop with care',
      'fix the bug in nova-3-pro parsing code',
      'upgrade to nova-3-pro soon',
      'use python-3.12 to run the tests',
      'use utf-8 everywhere',
      'fix the crash with issue-123',
      'use node-18 for the build',
      'deploy it to us-east-1 with terraform',
    ]) {
      const draft = only(text, bare);
      expect([draft.model, draft.unknownModel], text).toEqual([undefined, undefined]);
    }
  });

  it('keeps a model-shaped name named as the model out of the task id', () => {
    expect(only('use nova-3-pro to review this code', { models: [], aliases: [] }).id).toBe('code-review');
  });

  it('reads a bare family word as a model when it is handed the work', () => {
    expect(only('use gemini to write docs', { models: ['opus'], aliases: [] }).unknownModel).toBe('gemini');
  });

  it('leaves a bare family word to the resolver, and a family word in prose a word', () => {
    const flash = { models: ['opus', 'gemini-2.5-flash'], aliases: [] };
    expect(only('generate OpenAPI specs. use gemini', flash).unknownModel).toBe('gemini');
    expect(only('document the gemini integration', flash).unknownModel).toBeUndefined();
  });

  it('resolves alias names like models', () => {
    expect(only('have security-reviewer check my latest changes').model).toBe('security-reviewer');
  });
});

describe('directives', () => {
  it('reads every worktree phrasing the spec lists, --worktree and a branch of its own', () => {
    for (const text of [
      'fix it in a worktree',
      'fix it, use a worktree',
      'fix it, worktree',
      'fix it, do it in a worktree',
      'fix it. sonnet in a worktree',
      'fix it. sonnet, worktree',
      'fix it --worktree',
      'fix it on a separate branch',
      'fix it in its own branch',
    ]) {
      expect(only(text).worktree).toBe(true);
    }
  });

  it('does not take talk about worktrees for the directive', () => {
    for (const text of ['fix the worktree cleanup bug', 'document how the worktree module works', 'fix it without a worktree', 'fix it --no-worktree', 'merge the separate branch into main']) {
      expect(only(text).worktree).toBe(false);
    }
  });

  it('takes a repo from "in <repo>" only for configured repos, and from repo=<name> always', () => {
    expect(only('fix the login bug in web').repo).toBe('web');
    expect(only('fix the login bug in Billing-API with opus').repo).toBe('billing-api');
    expect(only('fix the login bug in production').repo).toBeUndefined();
    expect(only('fix the login bug repo=mobile').repo).toBe('mobile');
  });
});

describe('task ids', () => {
  it('reads like the Dispatch models page', () => {
    expect(only('use opus-5.0 to review this architecture').id).toBe('architecture-review');
    expect(only('do a security review').id).toBe('security-review');
    expect(only('use opus to review this PR for edge cases').id).toBe('pr-review');
  });

  it('always fits the task id rules, whatever the words', () => {
    for (const text of ['-rf --force', '修复登录错误', '!!!', 'a'.repeat(500), 'Ünïcödé façade refactor', '--', 'use opus']) {
      const id = only(text).id;
      expect(id).toMatch(/^[a-z0-9][a-z0-9-]{0,62}$/);
      expect(id.split('-').length).toBeLessThanOrEqual(4);
    }
    expect(only('修复登录错误').id).toBe('task');
    expect(only('Ünïcödé façade refactor').id).toBe('unicode-facade');
  });
});
