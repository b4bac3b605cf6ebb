import { describe, expect, it } from 'vitest';
import { ConfigFile, type ConfigFileInput } from '../../src/config/schema.js';
import { parseIntent, type TaskDraft } from '../../src/intent/index.js';
import { backendForModel, decideDiscovery, nearNames, resolve, workerCommand, type Resolution } from '../../src/resolve/index.js';

/** A config shaped like the Dispatch models page: Claude models, a Gemini model behind an alias, two role aliases. */
const seed: ConfigFileInput = {
  default: 'opus',
  models: { opus: { backend: 'claude' }, sonnet: { backend: 'claude' }, haiku: {}, 'gemini-2.5-flash': {}, 'gpt-5.3': {} },
  aliases: {
    gemini: { model: 'gemini-2.5-flash' },
    'security-reviewer': { model: 'opus', prompt: 'You are a security-focused reviewer.' },
    'perf-reviewer': { model: 'sonnet', prompt: 'You are a performance optimization expert.' },
  },
};
const config = ConfigFile.parse(seed);
const allClis = new Set(['claude', 'agent', 'codex', 'gemini']);
const env = { PATH: '/usr/bin' };

function draftFor(text: string): TaskDraft {
  const intent = parseIntent(text, { models: Object.keys(config.models), aliases: Object.keys(config.aliases) });
  if (intent.kind !== 'tasks') throw new Error(`not a task: ${text}`);
  return intent.tasks[0] as TaskDraft;
}

/** Chat line → model → backend → argv, the way the dispatcher chains them. */
function dispatchOf(text: string) {
  const resolution = resolve(draftFor(text), { config });
  if (resolution.kind !== 'model') throw new Error(`not resolved: ${JSON.stringify(resolution)}`);
  const command = workerCommand(resolution.model, config, allClis, env);
  return { model: resolution.model, rolePrompt: resolution.rolePrompt, backend: command.backend, argv: command.argv };
}

const CLAUDE = ['claude', '-p', '--dangerously-skip-permissions', '--output-format', 'stream-json', '--verbose'];

describe('the Dispatch models page examples, from chat line to argv', () => {
  it('use opus to review this PR for edge cases', () => {
    expect(dispatchOf('use opus to review this PR for edge cases')).toEqual({ model: 'opus', rolePrompt: '', backend: 'claude', argv: [...CLAUDE, '--model', 'opus'] });
  });

  it('use sonnet to find better design patterns', () => {
    expect(dispatchOf('use sonnet to find better design patterns')).toMatchObject({ model: 'sonnet', backend: 'claude', argv: [...CLAUDE, '--model', 'sonnet'] });
  });

  it('have opus review and sonnet test the auth module → sonnet', () => {
    expect(dispatchOf('have opus review and sonnet test the auth module')).toMatchObject({ model: 'sonnet', backend: 'claude' });
  });

  it('the separate dispatches the page suggests instead', () => {
    expect(dispatchOf('use opus to review the auth module').model).toBe('opus');
    expect(dispatchOf('use sonnet to test the auth module').model).toBe('sonnet');
  });

  it('have security-reviewer check my latest changes → opus with the alias prompt', () => {
    expect(dispatchOf('have security-reviewer check my latest changes')).toEqual({
      model: 'opus',
      rolePrompt: 'You are a security-focused reviewer.',
      backend: 'claude',
      argv: [...CLAUDE, '--model', 'opus'],
    });
  });

  it('use gemini → the gemini CLI, prompt as the value of -p', () => {
    const command = workerCommand('gemini-2.5-flash', config, allClis, env);
    expect(dispatchOf('generate OpenAPI specs for every endpoint. use gemini')).toMatchObject({ model: 'gemini-2.5-flash', backend: 'gemini' });
    expect(command.argv).toEqual(['gemini', '-p', '{prompt}', '--yolo', '--skip-trust', '-m', 'gemini-2.5-flash']);
    expect(command.promptAsLastArg).toBe(false);
  });

  it('do a security review → confirm the default first', () => {
    expect(resolve(draftFor('do a security review'), { config, userDefault: 'opus' })).toEqual({ kind: 'confirm', model: 'opus', source: 'user' });
  });

  it('use claude-4.7-sonnet / opus-5.0 → discovery', () => {
    expect(resolve(draftFor('use claude-4.7-sonnet to review this code'), { config })).toEqual({ kind: 'discover', name: 'claude-4.7-sonnet' });
    expect(resolve(draftFor('use opus-5.0 to review this architecture'), { config })).toEqual({ kind: 'discover', name: 'opus-5.0' });
  });

  it('the mapping table: Claude names go to claude with the family alias or the full id', () => {
    const flag = (model: string) => workerCommand(model, config, allClis, env).argv.slice(-2);
    expect(backendForModel('claude-opus-4-6', config, allClis)).toBe('claude');
    expect(flag('opus')).toEqual(['--model', 'opus']);
    expect(flag('haiku')).toEqual(['--model', 'haiku']);
    expect(flag('sonnet-4.6')).toEqual(['--model', 'sonnet']);
    expect(flag('opus-4.5-thinking')).toEqual(['--model', 'opus']);
    expect(flag('opus-4.6')).toEqual(['--model', 'opus']);
    expect(flag('opus-5.0')).toEqual(['--model', 'opus']);
    expect(flag('sonnet-4.5-thinking')).toEqual(['--model', 'sonnet']);
    expect(flag('claude-4.7-sonnet')).toEqual(['--model', 'sonnet']);
    expect(flag('claude-opus-4-6')).toEqual(['--model', 'claude-opus-4-6']);
    expect(flag('claude-sonnet-4-5-20250929')).toEqual(['--model', 'claude-sonnet-4-5-20250929']);
  });
});

describe('the pre-launch sweep, resolved', () => {
  it('runs opus, sonnet, sonnet, gemini, sonnet on claude, claude, claude, gemini, claude', () => {
    const text = `sweep:\n1) security audit, use opus\n2) performance - load test. sonnet in a worktree\n3) frontend audit. dispatch sonnet\n4) generate OpenAPI specs. use gemini\n5) error handling audit. sonnet, worktree`;
    const intent = parseIntent(text, { models: Object.keys(config.models), aliases: Object.keys(config.aliases) });
    if (intent.kind !== 'tasks') throw new Error('not tasks');
    const resolved = intent.tasks.map((t) => resolve(t, { config })).map((r) => (r.kind === 'model' ? r.model : r.kind));
    expect(resolved).toEqual(['opus', 'sonnet', 'sonnet', 'gemini-2.5-flash', 'sonnet']);
    expect(resolved.map((m) => backendForModel(m, config, allClis))).toEqual(['claude', 'claude', 'claude', 'gemini', 'claude']);
  });
});

describe('resolve', () => {
  const ask = (ctx: Partial<Parameters<typeof resolve>[1]>, c = config): Resolution => resolve({}, { config: c, ...ctx });

  it('picks the user default, then the channel default, then the config default', () => {
    const withChannel = ConfigFile.parse({ ...seed, channels: { C1: { default: 'haiku' } } });
    expect(ask({ userDefault: 'sonnet', channel: 'C1' }, withChannel)).toEqual({ kind: 'confirm', model: 'sonnet', source: 'user' });
    expect(ask({ channel: 'C1' }, withChannel)).toEqual({ kind: 'confirm', model: 'haiku', source: 'channel' });
    expect(ask({ channel: 'C2' }, withChannel)).toEqual({ kind: 'confirm', model: 'opus', source: 'config' });
  });

  it('skips a user default that is no longer configured', () => {
    expect(ask({ userDefault: 'gpt-9' })).toEqual({ kind: 'confirm', model: 'opus', source: 'config' });
  });

  it('asks which model when there is no default anywhere', () => {
    const none = ConfigFile.parse({ models: { opus: {} }, aliases: { fast: { model: 'opus' } } });
    expect(ask({}, none)).toEqual({ kind: 'ask', choices: ['opus', 'fast'] });
  });

  it('follows alias chains, gathering their prompts, and refuses cycles', () => {
    const chained = ConfigFile.parse({
      models: { opus: {} },
      aliases: { base: { model: 'opus', prompt: 'Be careful.' }, strict: { model: 'base', prompt: 'Be strict.' }, a: { model: 'b' }, b: { model: 'a' } },
    });
    expect(resolve({ model: 'strict' }, { config: chained })).toEqual({ kind: 'model', model: 'opus', alias: 'strict', rolePrompt: 'Be strict.\n\nBe careful.' });
    const cycle = resolve({ model: 'a' }, { config: chained });
    expect(cycle.kind).toBe('error');
    if (cycle.kind === 'error') expect(cycle.message).toContain('a → b → a');
  });

  it('resolves a picked name through its aliases, and names a cycle as an error', () => {
    expect(resolve({ model: 'security-reviewer' }, { config })).toEqual({ kind: 'model', model: 'opus', alias: 'security-reviewer', rolePrompt: 'You are a security-focused reviewer.' });
    expect(resolve({ model: 'sonnet' }, { config })).toEqual({ kind: 'model', model: 'sonnet', rolePrompt: '' });
    const cyclic = ConfigFile.parse({ aliases: { a: { model: 'b' }, b: { model: 'a' } } });
    expect(resolve({ model: 'a' }, { config: cyclic })).toMatchObject({ kind: 'error', message: expect.stringMatching(/cycle/) });
  });

  it('takes a bare family word to the one configured model of that family, and asks which when there are several', () => {
    const one = ConfigFile.parse({ models: { opus: {}, 'gemini-2.5-flash': {} } });
    expect(resolve({ unknownModel: 'gemini' }, { config: one })).toMatchObject({ kind: 'model', model: 'gemini-2.5-flash' });
    const three = ConfigFile.parse({ models: { 'gemini-2.5-flash': {}, 'gemini-2.5-pro': {}, 'gemini-3-flash': {} } });
    expect(resolve({ unknownModel: 'gemini' }, { config: three })).toEqual({ kind: 'ask', family: 'gemini', choices: ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-3-flash'] });
    expect(resolve({ unknownModel: 'gemini' }, { config: ConfigFile.parse({ models: { opus: {} } }) })).toEqual({ kind: 'discover', name: 'gemini' });
  });

  it('takes an alias named like its own model to that model', () => {
    const same = ConfigFile.parse({ models: { opus: {} }, aliases: { opus: { model: 'opus', prompt: 'Think first.' } } });
    expect(resolve({ model: 'OPUS' }, { config: same })).toEqual({ kind: 'model', model: 'opus', alias: 'opus', rolePrompt: 'Think first.' });
  });

  it('reads legacy agents as aliases with inline commands', () => {
    const legacy = ConfigFile.parse({ default: 'fast', agents: { fast: { command: 'claude -p --dangerously-skip-permissions --model haiku' } } });
    const resolution = resolve({ model: 'fast' }, { config: legacy });
    expect(resolution).toMatchObject({ kind: 'model', model: 'fast', command: 'claude -p --dangerously-skip-permissions --model haiku' });
    const command = workerCommand('fast', legacy, allClis, env, { command: 'claude -p --dangerously-skip-permissions --model haiku' });
    expect(command.backend).toBe('claude');
    expect(command.argv).toEqual(['claude', '-p', '--dangerously-skip-permissions', '--model', 'haiku']);
  });
});

describe('backendForModel', () => {
  const none = new Set<string>();
  it('prefers each family CLI and falls back to cursor', () => {
    expect(backendForModel('sonnet', ConfigFile.parse({}), allClis)).toBe('claude');
    expect(backendForModel('sonnet', ConfigFile.parse({}), none)).toBe('cursor');
    expect(backendForModel('gpt-5.3', config, allClis)).toBe('codex');
    expect(backendForModel('o4-mini', config, allClis)).toBe('codex');
    expect(backendForModel('gpt-5.3', config, new Set(['agent']))).toBe('cursor');
    expect(backendForModel('gemini-2.5-flash', config, allClis)).toBe('gemini');
    expect(backendForModel('gemini-2.5-flash', config, new Set(['agent']))).toBe('cursor');
    expect(backendForModel('composer-1', config, allClis)).toBe('cursor');
  });

  it('lets an explicit backend win', () => {
    const pinned = ConfigFile.parse({ models: { 'gpt-5.3': { backend: 'cursor' }, opus: { backend: 'mycli' } }, backends: { mycli: { command: 'mycli run --fast' } } });
    expect(backendForModel('gpt-5.3', pinned, allClis)).toBe('cursor');
    expect(workerCommand('opus', pinned, allClis, env)).toMatchObject({ backend: 'mycli', argv: ['mycli', 'run', '--fast'], promptAsLastArg: true });
  });

  it('names the missing command of an unknown backend', () => {
    const broken = ConfigFile.parse({ models: { opus: { backend: 'nope' } } });
    expect(() => workerCommand('opus', broken, allClis, env)).toThrow(/backends\.nope\.command/);
  });
});

describe('decideDiscovery: every source at once', () => {
  const listed = [{ id: 'claude-4.7-sonnet', name: 'Claude 4.7 Sonnet' }, { id: 'gemini-3-pro', name: 'Gemini 3 Pro' }, { id: 'gemini-3-flash', name: 'Gemini 3 Flash' }];
  const noAgent = new Set(['claude', 'codex', 'gemini']);

  it('takes an id agent models lists as it spells it, added at once', () => {
    expect(decideDiscovery('Claude-4.7-Sonnet', config, { clis: allClis, listed })).toEqual({ kind: 'found', id: 'claude-4.7-sonnet', backend: 'claude', via: 'agent models', trial: false });
  });

  it('finds by family rule what agent models leaves out, on trial, with that CLI', () => {
    expect(decideDiscovery('sonnet-4.6', config, { clis: allClis, listed })).toEqual({ kind: 'found', id: 'sonnet-4.6', backend: 'claude', via: 'the claude CLI', trial: true });
    expect(decideDiscovery('gpt-5.4', config, { clis: noAgent, listed: [] })).toMatchObject({ kind: 'found', backend: 'codex', via: 'the codex CLI', trial: true });
    expect(decideDiscovery('o3-pro', config, { clis: noAgent, listed: [] })).toMatchObject({ kind: 'found', backend: 'codex', trial: true });
    expect(decideDiscovery('gemini-9', config, { clis: noAgent, listed: [] })).toMatchObject({ kind: 'found', backend: 'gemini', via: 'the gemini CLI', trial: true });
    expect(decideDiscovery('gpt-5.4', config, { clis: new Set(['claude']), listed: [] })).toMatchObject({ kind: 'unavailable' });
  });

  it('asks "did you mean" for a slip of the keyboard, but not for another version', () => {
    expect(decideDiscovery('gpt-5.33', config, { clis: noAgent, listed: [] })).toEqual({ kind: 'typo', name: 'gpt-5.33', suggestions: ['gpt-5.3'] });
    expect(decideDiscovery('sonet', config, { clis: noAgent, listed: [] })).toEqual({ kind: 'typo', name: 'sonet', suggestions: ['sonnet'] });
    expect(decideDiscovery('gemini-2.5-flsh', config, { clis: noAgent, listed: [] })).toMatchObject({ kind: 'typo', suggestions: ['gemini-2.5-flash'] });
    expect(decideDiscovery('opus-4.7', config, { clis: noAgent, listed: [{ id: 'opus-4.6', name: 'Opus 4.6' }] })).toMatchObject({ kind: 'found', via: 'the claude CLI' });
    expect(nearNames('gpt-5.2', ['gpt-5.3'])).toEqual([]);
    expect(nearNames('gtp-5.3', ['gpt-5.3', 'opus'])).toEqual(['gpt-5.3']);
  });

  it('asks which when a bare family word matches several listed models', () => {
    const none = ConfigFile.parse({ models: { opus: {} } });
    expect(decideDiscovery('gemini', none, { clis: allClis, listed })).toEqual({ kind: 'ask', family: 'gemini', choices: ['gemini-3-pro', 'gemini-3-flash'] });
  });

  it('lists the configured and the listed models when nothing knows the name', () => {
    expect(decideDiscovery('nova-3-pro', config, { clis: allClis, listed })).toEqual({
      kind: 'unavailable',
      name: 'nova-3-pro',
      available: ['opus', 'sonnet', 'haiku', 'gemini-2.5-flash', 'gpt-5.3', 'gemini', 'security-reviewer', 'perf-reviewer', 'claude-4.7-sonnet', 'gemini-3-pro', 'gemini-3-flash'],
    });
  });
});
