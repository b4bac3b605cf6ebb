import { describe, expect, it } from 'vitest';
import { parseIntent, PERF_PROMPT, SECURITY_PROMPT, type ConfigRequest } from '../../src/intent/index.js';

const known = { models: ['opus', 'sonnet', 'haiku', 'gpt-5.2'], aliases: ['security-reviewer', 'perf-reviewer'], repos: ['web'] };
const parse = (text: string) => parseIntent(text, known);

function configOf(text: string): ConfigRequest[] {
  const intent = parse(text);
  if (intent.kind !== 'config') throw new Error(`expected config, got ${JSON.stringify(intent)}`);
  return intent.requests;
}

describe('warm-up', () => {
  it('is empty or blank text, or a bare bot mention', () => {
    for (const text of ['', '   ', '\n\t\n', '<@U0123ABC>', '<@!123456>  ', '\u200b']) expect(parse(text)).toEqual({ kind: 'warm-up' });
  });
});

describe('status', () => {
  it('answers the ways people ask', () => {
    for (const text of ['status', 'Status?', "how's it going?", 'How’s it going', "what's running", 'what is running?', 'show my tasks', 'any updates?', '<@U1> status']) {
      expect(parse(text)).toEqual({ kind: 'status' });
    }
  });

  it('names one task when asked about one', () => {
    expect(parse('status perf-audit')).toEqual({ kind: 'status', task: 'perf-audit' });
    expect(parse('status of #security-audit')).toEqual({ kind: 'status', task: 'security-audit' });
    expect(parse("how's api-docs going?")).toEqual({ kind: 'status', task: 'api-docs' });
  });

  it('asks across every channel and runner with "status all"', () => {
    for (const text of ['status all', 'Status all?', '/dispatch status all', 'status --all', 'status of all tasks', 'status everywhere', 'status across runners', '<@U1> status all']) {
      expect(parse(text), text).toEqual({ kind: 'status', all: true });
    }
    // A task whose id happens to be a word stays a task's status.
    expect(parse('status alloy')).toEqual({ kind: 'status', task: 'alloy' });
    expect(parse('show all tasks')).toEqual({ kind: 'status' });
  });

  it('does not swallow a task that mentions status', () => {
    expect(parse('add a status page to the admin dashboard with opus').kind).toBe('tasks');
  });
});

describe('task control', () => {
  it('cancels, retries and shows logs of a task', () => {
    expect(parse('cancel perf-audit')).toEqual({ kind: 'control', action: 'cancel', task: 'perf-audit' });
    expect(parse('retry #api-docs')).toEqual({ kind: 'control', action: 'retry', task: 'api-docs' });
    expect(parse('logs `security-audit`')).toEqual({ kind: 'control', action: 'logs', task: 'security-audit' });
    expect(parse('stop task error-handling')).toEqual({ kind: 'control', action: 'cancel', task: 'error-handling' });
  });

  it('cleans up a task worktree on request, but leaves "clean up <prose>" a task', () => {
    expect(parse('cleanup perf-audit')).toEqual({ kind: 'control', action: 'cleanup', task: 'perf-audit' });
    expect(parse('remove the worktree of perf-audit')).toEqual({ kind: 'control', action: 'cleanup', task: 'perf-audit' });
    expect(parse('clean up the auth module code').kind).toBe('tasks');
  });

  it('reads `cleanup` alone as a sweep of old finished tasks; "remove worktree" alone still asks which', () => {
    for (const text of ['cleanup', 'Clean up', '/dispatch cleanup', 'cleanup.']) expect(parse(text)).toEqual({ kind: 'sweep' });
    expect(parse('remove worktree').kind).toBe('invalid');
  });

  it('answers a clear reply when the task id is missing or not an id', () => {
    for (const text of ['cancel', 'retry', 'logs', 'cancel $$$', 'cancel all']) {
      const intent = parse(text);
      expect(intent.kind).toBe('invalid');
      if (intent.kind === 'invalid') expect(intent.reason).toMatch(/<task-id>/);
    }
  });

  it('leaves prose that starts with a control verb to be a task', () => {
    expect(parse('stop the server from crashing on boot').kind).toBe('tasks');
  });
});

describe('config requests', () => {
  it('creates an alias with the Dispatch models page prompt for security and perf names', () => {
    expect(configOf('create a security-reviewer alias using opus')).toEqual([
      { op: 'create-alias', alias: 'security-reviewer', model: 'opus', prompt: SECURITY_PROMPT },
    ]);
    expect(configOf('create a perf-reviewer alias using sonnet')).toEqual([
      { op: 'create-alias', alias: 'perf-reviewer', model: 'sonnet', prompt: PERF_PROMPT },
    ]);
  });

  it('writes a role prompt from any other alias name', () => {
    const [request] = configOf('create an alias called dependency-reviewer with haiku');
    expect(request).toMatchObject({ op: 'create-alias', alias: 'dependency-reviewer', model: 'haiku' });
    if (request?.op === 'create-alias') expect(request.prompt).toMatch(/dependency/);
  });

  it('adds, removes and defaults models, in the config or for the requester', () => {
    expect(configOf('add gpt-5.3 to my config')).toEqual([{ op: 'add-model', model: 'gpt-5.3' }]);
    expect(configOf('remove gpt-5.2')).toEqual([{ op: 'remove-model', model: 'gpt-5.2' }]);
    expect(configOf('switch default to Sonnet')).toEqual([{ op: 'set-default', model: 'sonnet' }]);
    expect(configOf('make sonnet the default')).toEqual([{ op: 'set-default', model: 'sonnet' }]);
    expect(configOf('make sonnet my default')).toEqual([{ op: 'set-my-default', model: 'sonnet' }]);
    expect(configOf('my default is haiku')).toEqual([{ op: 'set-my-default', model: 'haiku' }]);
    expect(configOf('delete the perf-reviewer alias')).toEqual([{ op: 'remove-alias', alias: 'perf-reviewer' }]);
    expect(configOf('remove security-reviewer')).toEqual([{ op: 'remove-alias', alias: 'security-reviewer' }]);
    expect(configOf('migrate my config')).toEqual([{ op: 'migrate' }]);
  });

  it('reads several changes in one line, "it" meaning the model just named', () => {
    expect(configOf('add gpt-5.3 to my config and make it the default')).toEqual([
      { op: 'add-model', model: 'gpt-5.3' },
      { op: 'set-default', model: 'gpt-5.3' },
    ]);
  });

  it('never takes a task for a config request', () => {
    for (const text of [
      'review the config loader for bugs',
      'remove the dead code in utils',
      'add tests for the parser',
      'migrate the database to postgres',
      'make the default branch protected',
      'create an alias system for shell commands',
      'fix the parser and remove the alias system',
    ]) {
      expect(parse(text).kind).toBe('tasks');
    }
  });

  it('reads a text that is partly a config change and partly a task as both, to be asked about', () => {
    const intent = parse('add gpt-5.3 to my config and review the auth module');
    expect(intent).toMatchObject({
      kind: 'unclear',
      requests: [{ op: 'add-model', model: 'gpt-5.3' }],
      rest: { tasks: [{ goal: 'review the auth module' }] },
      whole: { tasks: [{ goal: 'add gpt-5.3 to my config and review the auth module', unknownModel: 'gpt-5.3' }] },
    });
  });
});

describe('what people paste from Slack', () => {
  it('takes a leading /dispatch as the address, not the request', () => {
    expect(parse('/dispatch')).toEqual({ kind: 'warm-up' });
    expect(parse('dispatch')).toEqual({ kind: 'warm-up' });
    expect(parse('/dispatch status')).toEqual({ kind: 'status' });
    expect(configOf('/dispatch switch default to sonnet')).toEqual([{ op: 'set-default', model: 'sonnet' }]);
    expect(parse('<@U0BOT> /dispatch remove gpt-5.2')).toEqual({ kind: 'config', requests: [{ op: 'remove-model', model: 'gpt-5.2' }] });
    expect(parse('/DISPATCH   "use opus to review the PR"')).toMatchObject({ kind: 'tasks', tasks: [{ goal: 'use opus to review the PR', model: 'opus' }] });
    // "dispatch" handing a model the work is a request, not an address
    expect(parse('dispatch sonnet to review this')).toMatchObject({ kind: 'tasks', tasks: [{ model: 'sonnet' }] });
  });
});

describe('questions about the bot', () => {
  it('answers help, models and config questions, and leaves tasks that mention them tasks', () => {
    for (const text of ['help', '?', '??', 'Help!', 'what can you do?', 'how do I use this?', 'commands']) expect(parse(text), text).toEqual({ kind: 'help', topic: 'help' });
    for (const text of ['models', 'list models', 'List the models', 'which models are available?', 'show aliases', '`models`']) expect(parse(text), text).toEqual({ kind: 'help', topic: 'models' });
    for (const text of ['show config', 'show me the config', 'config', "what's in my config?"]) expect(parse(text), text).toEqual({ kind: 'help', topic: 'config' });
    for (const text of ['list the models in the ORM', 'help me fix the login bug', 'show the config loader to a new hire']) expect(parse(text).kind, text).toBe('tasks');
  });
});

describe('reworded config requests', () => {
  it('reads switch to, set default without "to", and change model to', () => {
    expect(configOf('switch to sonnet')).toEqual([{ op: 'set-default', model: 'sonnet' }]);
    expect(configOf('set default opus')).toEqual([{ op: 'set-default', model: 'opus' }]);
    expect(configOf('change model to haiku')).toEqual([{ op: 'set-default', model: 'haiku' }]);
    expect(configOf('use haiku by default')).toEqual([{ op: 'set-default', model: 'haiku' }]);
    expect(parse('switch to the new API client').kind).toBe('tasks');
    expect(parse('switch to postgres for the sessions table').kind).toBe('tasks');
  });

  it('takes the alias prompt from the sentence, and never makes one up from a name that says no role', () => {
    expect(configOf('create an alias called reviewer for opus with prompt be strict')).toEqual([{ op: 'create-alias', alias: 'reviewer', model: 'opus', prompt: 'be strict' }]);
    expect(configOf('create a strict alias using opus with prompt: "Be strict about auth, and say why."')).toEqual([
      { op: 'create-alias', alias: 'strict', model: 'opus', prompt: 'Be strict about auth, and say why.' },
    ]);
    const [reviewer] = configOf('create a reviewer alias using opus');
    expect(reviewer).toMatchObject({ op: 'create-alias', alias: 'reviewer' });
    if (reviewer?.op === 'create-alias') expect(reviewer.prompt).not.toMatch(/reviewer-focused/);
    expect(configOf('create a fast alias using haiku')).toEqual([{ op: 'create-alias', alias: 'fast', model: 'haiku', prompt: '' }]);
  });

  it('says how to finish a config sentence that leaves out what it needs, instead of dispatching it', () => {
    for (const text of ['create alias', 'add alias', 'create a reviewer alias', 'set default', 'switch default to', 'remove alias']) expect(parse(text).kind, text).toBe('invalid');
  });
});
