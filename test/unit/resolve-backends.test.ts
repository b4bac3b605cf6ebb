import { describe, expect, it } from 'vitest';
import { ConfigFile } from '../../src/config/schema.js';
import { secretNames, claudeBackend, codexBackend, cursorBackend, geminiBackend, genericBackend, workerCommand } from '../../src/resolve/index.js';

const clis = new Set(['claude', 'agent', 'codex', 'gemini']);

describe('built-in commands (today\'s flags)', () => {
  it('claude asks for stream-json and passes the family alias', () => {
    expect(claudeBackend.command('opus', undefined, undefined)).toMatchObject({
      argv: ['claude', '-p', '--dangerously-skip-permissions', '--output-format', 'stream-json', '--verbose', '--model', 'opus'],
      promptAsLastArg: true,
      output: 'stream-json',
    });
  });

  it('claude passes no --model for a name it would reject', () => {
    expect(claudeBackend.command('my-house-model', undefined, undefined).argv).not.toContain('--model');
  });

  it('cursor runs agent in the task directory', () => {
    expect(cursorBackend.command('claude-4.7-sonnet', undefined, undefined)).toMatchObject({
      argv: ['agent', '-p', '--force', '--workspace', '{dir}', '--model', 'claude-4.7-sonnet'],
      promptAsLastArg: true,
    });
  });

  it('codex uses the sandbox flag today\'s CLI accepts', () => {
    expect(codexBackend.command('gpt-5.3', undefined, undefined).argv).toEqual([
      'codex', 'exec', '--json', '-s', 'workspace-write', '-C', '{dir}', '-m', 'gpt-5.3', '--skip-git-repo-check',
    ]);
  });

  it('gemini takes the prompt as the value of -p', () => {
    expect(geminiBackend.command('gemini-2.5-pro', undefined, undefined)).toMatchObject({
      argv: ['gemini', '-p', '{prompt}', '--yolo', '--skip-trust', '-m', 'gemini-2.5-pro'],
      promptAsLastArg: false,
    });
  });

  it('every backend removes claude\'s session variables', () => {
    for (const backend of [claudeBackend, cursorBackend, codexBackend, geminiBackend]) {
      expect(backend.command('x', undefined, undefined).unset).toEqual(expect.arrayContaining(['CLAUDE_CODE_ENTRYPOINT', 'CLAUDECODE']));
    }
  });
});

describe('user commands from the config', () => {
  it('the seed claude command means the built-in one, or exactly itself with model_flag: false', () => {
    const seed = 'claude -p --dangerously-skip-permissions';
    expect(claudeBackend.command('opus', seed, undefined)).toMatchObject({ output: 'stream-json', argv: expect.arrayContaining(['--model', 'opus']) });
    expect(claudeBackend.command('opus', seed, false)).toMatchObject({ argv: ['claude', '-p', '--dangerously-skip-permissions'], output: 'text' });
  });

  it('a different claude command runs as written, in plain text, with the model flag added', () => {
    expect(claudeBackend.command('sonnet', 'claude -p --dangerously-skip-permissions --max-turns 5', undefined)).toMatchObject({
      argv: ['claude', '-p', '--dangerously-skip-permissions', '--max-turns', '5', '--model', 'sonnet'],
      output: 'text',
    });
    expect(claudeBackend.command('sonnet', 'claude -p --model haiku', undefined).argv).toEqual(['claude', '-p', '--model', 'haiku']);
  });

  it('codex --full-auto is translated to the sandbox flag', () => {
    expect(codexBackend.command('gpt-5.3', 'codex exec --full-auto -C $(pwd)', undefined).argv).toEqual([
      'codex', 'exec', '-s', 'workspace-write', '-C', '{dir}', '-m', 'gpt-5.3',
    ]);
    expect(codexBackend.command('gpt-5.3', 'codex exec --full-auto --sandbox read-only', false).argv).toEqual(['codex', 'exec', '--sandbox', 'read-only']);
  });

  it('a gemini command gets the prompt after a bare -p and keeps yolo in untrusted folders', () => {
    expect(geminiBackend.command('gemini-2.5-pro', 'gemini -y -p', undefined)).toMatchObject({
      argv: ['gemini', '-y', '-p', '{prompt}', '--skip-trust', '-m', 'gemini-2.5-pro'],
      promptAsLastArg: false,
    });
  });

  it('any other backend runs its command with the prompt last, {model} filled in', () => {
    expect(genericBackend('aider', 'aider --yes --model {model} --message').command('gpt-5.3', 'aider --yes --model {model} --message', undefined)).toMatchObject({
      backend: 'aider',
      argv: ['aider', '--yes', '--model', 'gpt-5.3', '--message'],
      promptAsLastArg: true,
    });
  });

  it('refuses shell syntax in a configured command', () => {
    expect(() => cursorBackend.command('m', 'agent -p | tee log', undefined)).toThrow(/shell syntax/);
  });
});

describe('the worker env', () => {
  const env = {
    PATH: '/usr/bin',
    HOME: '/home/bot',
    SLACK_BOT_TOKEN: 'xoxb',
    SLACK_SIGNING_SECRET: 's',
    SLACK_APP_TOKEN: 'xapp',
    DISCORD_TOKEN: 'd',
    REDIS_URL: 'redis://:pw@host',
    REDIS_PASSWORD: 'pw',
    DISPATCH_ADMIN_TOKEN: 't',
    DISPATCH_WEBHOOK_SECRET: 'w',
    DISPATCH_HOME: '/home/bot/.dispatch',
    ANTHROPIC_API_KEY: 'a',
    OPENAI_API_KEY: 'o',
    GEMINI_API_KEY: 'g',
    CURSOR_API_KEY: 'c',
    CLAUDECODE: '1',
  };

  it('drops the bot\'s own secrets and keeps the workers\' keys', () => {
    const names = secretNames(env);
    expect(names).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'DISCORD_TOKEN', 'REDIS_URL', 'REDIS_PASSWORD', 'DISPATCH_ADMIN_TOKEN', 'DISPATCH_WEBHOOK_SECRET']));
    for (const kept of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'CURSOR_API_KEY', 'PATH', 'HOME', 'DISPATCH_HOME']) expect(names).not.toContain(kept);
  });

  it("drops what looks like any credential of the host, unless it is a CLI's key or the operator lets it through", () => {
    const host = { GH_TOKEN: 't', NPM_TOKEN: 't', AWS_SECRET_ACCESS_KEY: 's', AWS_ACCESS_KEY_ID: 'i', DB_PASSWORD: 'p', STRIPE_APIKEY: 'k', SSH_KEY: 'k', CLAUDE_CODE_OAUTH_TOKEN: 'o', KEYBOARD: 'us', MONKEY_MODE: '1', TURKEY: 'x', LANG: 'C' };
    expect(secretNames(host)).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'DB_PASSWORD', 'GH_TOKEN', 'NPM_TOKEN', 'SSH_KEY', 'STRIPE_APIKEY']);
    expect(secretNames({ ...host, DISPATCH_WORKER_ENV: 'AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY' })).toEqual(['DB_PASSWORD', 'GH_TOKEN', 'NPM_TOKEN', 'SSH_KEY', 'STRIPE_APIKEY']);
  });

  it('puts them in every worker command\'s unset list', () => {
    const command = workerCommand('opus', ConfigFile.parse({}), clis, env);
    const left = Object.keys(env).filter((k) => !command.unset.includes(k));
    expect(left.sort()).toEqual(['ANTHROPIC_API_KEY', 'CURSOR_API_KEY', 'DISPATCH_HOME', 'GEMINI_API_KEY', 'HOME', 'OPENAI_API_KEY', 'PATH']);
  });
});

describe('reading claude stream-json', () => {
  const line = (event: unknown) => claudeBackend.readLine(JSON.stringify(event));

  it('reports the real model from the init event', () => {
    expect(line({ type: 'system', subtype: 'init', model: 'claude-opus-4-6', apiKeySource: 'none' })).toEqual({ model: 'claude-opus-4-6' });
  });

  it('turns tool calls and text into a short activity line', () => {
    expect(line({ type: 'assistant', message: { content: [{ type: 'tool_use', name: 'Bash', input: { command: 'npm test' } }] } })).toEqual({ activity: 'Bash: npm test' });
    const long = line({ type: 'assistant', message: { content: [{ type: 'text', text: 'x'.repeat(500) }] } });
    expect(long.activity?.length).toBeLessThanOrEqual(100);
  });

  it('reads the result and the not-logged-in error', () => {
    expect(line({ type: 'result', subtype: 'success', is_error: false, result: 'All done.' })).toEqual({ result: 'All done.' });
    expect(line({ type: 'result', subtype: 'success', is_error: true, result: 'Not logged in · Please run /login' })).toEqual({ error: 'Not logged in · Please run /login' });
  });

  it('ignores plain text and broken JSON', () => {
    for (const text of ['hello', '{"type":', '{}', '[1,2]', '']) expect(claudeBackend.readLine(text)).toEqual({});
  });
});

describe('recognising a CLI\'s own failure', () => {
  it('claude not logged in → auth', () => {
    expect(claudeBackend.classifyFailure(1, '{"type":"result","is_error":true,"result":"Not logged in · Please run /login"}')).toMatchObject({ cli: 'claude', reason: 'auth' });
  });

  it('gemini exit 41 → auth, with its own words', () => {
    const failure = geminiBackend.classifyFailure(41, 'Please set an Auth method in your settings.json or specify GEMINI_API_KEY');
    expect(failure).toMatchObject({ cli: 'gemini', reason: 'auth' });
    expect(failure?.detail).toContain('Please set an Auth method');
  });

  it('codex unexpected argument → flags', () => {
    expect(codexBackend.classifyFailure(2, "error: unexpected argument '--full-auto' found")).toMatchObject({ cli: 'codex', reason: 'flags' });
  });

  it('a CLI that is not installed → missing', () => {
    expect(cursorBackend.classifyFailure(null, 'Error: spawn agent ENOENT')).toMatchObject({ cli: 'agent', reason: 'missing' });
    expect(geminiBackend.classifyFailure(127, 'gemini: command not found')).toMatchObject({ cli: 'gemini', reason: 'missing' });
  });

  it('a successful run or an unrelated failure is not blamed on the CLI', () => {
    expect(claudeBackend.classifyFailure(0, 'Not logged in')).toBeUndefined();
    expect(codexBackend.classifyFailure(1, 'tests failed: 3 of 40')).toBeUndefined();
  });
});
