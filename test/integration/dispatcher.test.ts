import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock.js';
import { Stack } from '../support/stack.js';

const CONFIG = `# team config: comments must survive the bot's edits
default: opus
models:
  opus: { backend: claude }   # deep reasoning
  sonnet: { backend: claude }
  gemini-2.5-flash: { backend: gemini }
aliases:
  perf-reviewer:
    model: sonnet
    prompt: >
      You are a performance optimization expert. Focus on
      algorithmic complexity, database queries, and bundle size.
`;

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('dispatcher: a named model', () => {
  it('dispatches at once into a thread, edits one status message to done, and runs claude with the model flag', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('use opus to review this PR for edge cases fake:items=2');
    const head = await stack.waitFor(/Dispatching \*\*[a-z-]+\*\* using \*\*opus\*\*/);
    expect(head.target.startThread).toBe(true);
    const status = stack.surface.posts.find((p) => p.reply.title);
    expect(status?.target.thread).toBe(head.ref.thread);
    const id = status?.reply.title as string;
    const final = await stack.waitForStatus(id, /done/);
    expect(final.progress).toEqual({ done: 2, total: 2 });
    expect(final.checklist?.every((i) => i.mark === 'done')).toBe(true);
    // one status message, edited in place: no second status card for the task
    expect(stack.surface.posts.filter((p) => p.reply.title === id)).toHaveLength(1);
    const [run] = stack.agentRuns();
    expect(run?.argv.slice(0, 7)).toEqual(['-p', '--dangerously-skip-permissions', '--output-format', 'stream-json', '--verbose', '--model', 'opus']);
    expect(run?.cwd).toBe(stack.repo);
    expect(await stack.waitFor(new RegExp(`\\*\\*${id}\\*\\* is done`))).toBeDefined();
  });

  it('uses the last model named and says how to split the work', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('have opus review and sonnet test the auth module fake:items=1');
    const head = await stack.waitFor(/using \*\*sonnet\*\*/);
    expect(stack.surface.latest(head).text).toMatch(/ONE task using \*\*sonnet\*\*/);
    await stack.surface.until(() => stack?.agentRuns().length === 1);
    expect(stack.agentRuns()[0]?.argv).toContain('sonnet');
  });

  it('prepends an alias prompt to the worker instructions', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('have perf-reviewer check the checkout flow fake:items=1');
    await stack.surface.until(() => stack?.agentRuns().length === 1);
    const run = stack.agentRuns()[0];
    expect(run?.argv).toContain('sonnet');
    expect(run?.prompt.indexOf('performance optimization expert')).toBeGreaterThanOrEqual(0);
    expect(run?.prompt.indexOf('performance optimization expert')).toBeLessThan(run?.prompt.indexOf('checkout flow') ?? 0);
  });
});

describe('dispatcher: retry', () => {
  it('runs the task again under a new id in the same thread, with the same model and role prompt', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('have perf-reviewer check the checkout flow fake:items=1');
    const first = await stack.surface.until(() => stack?.surface.posts.find((p) => p.reply.title));
    const id = first.reply.title as string;
    await stack.waitForStatus(id, /done/);
    await stack.say(`retry ${id}`);
    await stack.waitForStatus(`${id}-2`, /done/);
    const [one, two] = stack.agentRuns();
    expect(two?.argv).toEqual(one?.argv.slice(0, -1).concat(two?.argv.at(-1) as string));
    expect(two?.prompt).toContain('performance optimization expert');
    expect(stack.surface.posts.find((p) => p.reply.title === `${id}-2`)?.target.thread).toBe(first.target.thread);
  });
});

describe('dispatcher: confirming the default', () => {
  it('asks, ignores another user, honours the requester once', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('do a security review fake:items=1');
    const prompt = await stack.waitFor(/I'll dispatch this using \*\*opus\*\* \(the config default\)/);
    expect(prompt.reply.buttons?.map((b) => b.label)).toEqual(['Dispatch with opus', 'Cancel']);
    expect(prompt.reply.select?.options.map((o) => o.label)).toContain('sonnet');

    await stack.press(prompt.reply, 'Dispatch with opus', 'mallory');
    expect(stack.surface.ephemerals.at(-1)).toMatchObject({ user: 'mallory', reply: { text: expect.stringMatching(/Only <@alice>/) } });
    await Promise.all([stack.press(prompt.reply, 'Dispatch with opus'), stack.press(prompt.reply, 'Dispatch with opus')]);
    await stack.surface.until(() => stack?.agentRuns().length === 1);
    expect(await stack.app.store.listTasks()).toHaveLength(1);
    await stack.press(prompt.reply, 'Dispatch with opus');
    expect(stack.surface.ephemerals.at(-1)?.reply.text).toMatch(/already answered or has expired/);
    expect(await stack.app.store.listTasks()).toHaveLength(1);
  });

  it('dispatches what was confirmed, even when the config changed while the prompt waited', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('have reviewer check the diff fake:items=1');
    const prompt = await stack.waitFor(/I'll dispatch this using \*\*opus\*\* \(the config default\)/);
    // The prompt holds the request as resolved, not its text: a "reviewer" alias made meanwhile changes nothing.
    await stack.say('create a reviewer alias using sonnet');
    await stack.waitFor(/Created alias reviewer → sonnet/);
    await stack.press(prompt.reply, 'Dispatch with opus');
    await stack.surface.until(() => stack?.agentRuns().length === 1);
    expect(stack.agentRuns()[0]?.argv).toEqual(expect.arrayContaining(['--model', 'opus']));
  });

  it('dispatches with a model picked from the menu', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('tidy the changelog fake:items=1');
    const prompt = await stack.waitFor(/Sound good\?/);
    await stack.press(prompt.reply, 'gemini-2.5-flash');
    await stack.surface.until(() => stack?.agentRuns().length === 1);
    expect(stack.agentRuns()[0]?.name).toBe('gemini');
  });

  it("uses the requester's own default", async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('make sonnet my default');
    await stack.waitFor(/Your own default is now sonnet/);
    await stack.say('do a security review');
    await stack.waitFor(/using \*\*sonnet\*\* \(your default\)/);
  });

  it("uses the channel's default before the config's, and the requester's own before both", async () => {
    stack = await Stack.start({ config: `${CONFIG}channels:\n  C1: { default: gemini-2.5-flash }\n` });
    await stack.say('tidy the changelog');
    await stack.waitFor(/using \*\*gemini-2\.5-flash\*\* \(the channel default\)/);
    await stack.say('make sonnet my default');
    await stack.say('tidy the readme');
    await stack.waitFor(/using \*\*sonnet\*\* \(your default\)/);
  });

  it('says a prompt expired instead of dispatching', async () => {
    const clock = new ManualClock();
    stack = await Stack.start({ config: `${CONFIG}limits:\n  confirm_timeout: 10m\n`, clock });
    await stack.say('do a security review');
    const prompt = await stack.waitFor(/Sound good\?/);
    // a minute before its deadline it still stands; at its deadline it says so, unpressed, and a late press dispatches nothing
    clock.advance(9 * 60_000);
    expect(stack.surface.latest(prompt).text).not.toMatch(/expired/);
    clock.advance(60_000);
    await stack.surface.until(() => /expired after 10 min/.test(stack?.surface.latest(prompt).text ?? ''));
    await stack.press(prompt.reply, 'Dispatch with opus');
    expect(stack.surface.ephemerals.at(-1)?.reply.text).toMatch(/already answered or has expired/);
    expect(await stack.app.store.listTasks()).toHaveLength(0);
    expect(stack.agentRuns()).toHaveLength(0);
  });
});

describe('dispatcher: config requests', () => {
  it('discovers an unknown model via agent models, adds it with comments intact, and dispatches', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('use claude-4.7-sonnet to review this code fake:items=1');
    await stack.waitFor(/Found claude-4.7-sonnet via agent models\. Added to config with claude backend\./);
    await stack.surface.until(() => stack?.agentRuns().length === 1);
    const text = stack.configText();
    expect(text).toContain('# team config: comments must survive');
    expect(text).toContain('# deep reasoning');
    expect(text).toMatch(/claude-4\.7-sonnet:[\s\S]*backend: claude/);
    // the claude CLI takes its own alias, never the Cursor-style id
    expect(stack.agentRuns()[0]?.argv).toEqual(expect.arrayContaining(['--model', 'sonnet']));
  });

  it('says a model no source knows is not available, listing the configured and the listed ones, and asks nothing', async () => {
    stack = await Stack.start({ config: CONFIG, env: { FAKE_AGENT_MODELS: 'opus-4.6 - Opus 4.6' } });
    await stack.say('use nova-3-pro to review this code');
    const reply = await stack.waitFor(/\*\*nova-3-pro\*\* is not available\. Available models: opus, sonnet, gemini-2\.5-flash, perf-reviewer, opus-4\.6\./);
    expect(reply.reply.buttons ?? []).toEqual([]);
    expect(stack.find(/Sound good\?/)).toBeUndefined();
    expect(await stack.app.store.listPending()).toEqual([]);
    expect(stack.agentRuns()).toHaveLength(0);
  });

  it('asks "did you mean" for a near-typo, adds nothing, and goes on with the pick', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('use gemini-2.5-flsh to write the docs fake:items=1');
    const prompt = await stack.waitFor(/\*\*gemini-2\.5-flsh\*\* is not in the config\. Did you mean \*\*gemini-2\.5-flash\*\*\?/);
    expect(prompt.reply.buttons?.map((b) => b.label)).toEqual(['gemini-2.5-flash', 'Cancel']);
    expect(stack.configText()).not.toContain('flsh');
    expect(stack.agentRuns()).toHaveLength(0);
    await stack.press(prompt.reply, 'gemini-2.5-flash');
    await stack.surface.until(() => stack?.agentRuns().length === 1);
    expect(stack.agentRuns()[0]).toMatchObject({ name: 'gemini', argv: expect.arrayContaining(['-m', 'gemini-2.5-flash']) });
    expect(stack.configText()).not.toContain('flsh');
  });

  it('adds a model found by a family rule alone once its CLI has taken it', async () => {
    stack = await Stack.start({ config: CONFIG, env: { FAKE_AGENT_MODELS: 'opus-4.6 - Opus 4.6' } });
    await stack.say('use gemini-3-pro-preview to write the docs fake:items=1');
    await stack.waitFor(/Found gemini-3-pro-preview via the gemini CLI\. It joins the config with the gemini backend once the gemini CLI has taken it\./);
    expect(stack.configText()).not.toContain('gemini-3-pro-preview');
    await stack.waitFor(/\*\*gemini-3-pro-preview\*\* works with the gemini CLI: added to config with gemini backend\./);
    expect(stack.configText()).toMatch(/gemini-3-pro-preview:[\s\S]*backend: gemini/);
    expect(stack.agentRuns()[0]).toMatchObject({ name: 'gemini', argv: expect.arrayContaining(['-m', 'gemini-3-pro-preview']) });
  });

  it('keeps a model found by a family rule out of the config when its CLI refuses it, and says so', async () => {
    stack = await Stack.start({ config: CONFIG, env: { FAKE_AGENT_MODELS: 'opus-4.6 - Opus 4.6', FAKE_AGENT_REJECT_MODELS: 'gemini-9' } });
    await stack.say('use gemini-9 to write the docs');
    await stack.waitFor(/Found gemini-9 via the gemini CLI/);
    await stack.waitFor(/the gemini CLI does not take \*\*gemini-9\*\* \(.*models\/gemini-9 is not found.*\): it was not added to the config\./);
    const offer = await stack.waitFor(/The \*\*gemini\*\* CLI does not take the model \*\*gemini-9\*\*/);
    expect(offer.reply.buttons?.map((b) => b.label)).toContain('Retry with gemini-2.5-flash');
    expect(stack.configText()).not.toContain('gemini-9');
  });

  it('asks which one when a bare family word names several configured models', async () => {
    const three = CONFIG.replace('  gemini-2.5-flash: { backend: gemini }', '  gemini-2.5-flash: { backend: gemini }\n  gemini-2.5-pro: {}\n  gemini-3-flash: {}');
    stack = await Stack.start({ config: three });
    await stack.say('ask gemini to write the docs fake:items=1');
    const prompt = await stack.waitFor(/Which \*\*gemini\*\*\? 3 are configured/);
    expect(prompt.reply.buttons?.map((b) => b.label)).toEqual(['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-3-flash', 'Cancel']);
    expect(stack.agentRuns()).toHaveLength(0);
    await stack.press(prompt.reply, 'gemini-2.5-pro');
    await stack.surface.until(() => stack?.agentRuns().length === 1);
    expect(stack.agentRuns()[0]?.argv).toEqual(expect.arrayContaining(['-m', 'gemini-2.5-pro']));
  });

  it('creates an alias and says exactly what changed, never dispatching', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('create a security-reviewer alias using opus');
    const reply = await stack.waitFor(/security-reviewer/);
    expect(reply.reply.buttons?.[0]?.label).toBe('Edit prompt');
    expect(stack.configText()).toMatch(/security-reviewer:\n\s+model: opus\n\s+prompt: >/);
    expect(stack.configText()).toContain('# deep reasoning');
    expect(await stack.app.store.listTasks()).toHaveLength(0);
  });

  it("edits an alias's prompt through the Edit prompt input, keeping the file's comments", async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('create a security-reviewer alias using opus');
    const created = await stack.waitFor(/security-reviewer/);
    await stack.press(created.reply, 'Edit prompt', 'alice', 'trigger-1');
    const input = stack.surface.inputs.at(-1);
    expect(input).toMatchObject({ trigger: 'trigger-1', request: { action: { type: 'alias-prompt', alias: 'security-reviewer' }, multiline: true } });
    expect(input?.request.initial).toContain('OWASP');
    await stack.app.dispatcher.handle({
      kind: 'input',
      who: stack.who(),
      where: stack.where(),
      action: input?.request.action ?? { type: 'alias-prompt', alias: 'missing' },
      value: 'You review for secrets in logs and unsafe deserialisation.',
    });
    await stack.waitFor(/security-reviewer/);
    expect(stack.configText()).toContain('secrets in logs and unsafe deserialisation');
    expect(stack.configText()).toContain('# deep reasoning');
    expect(stack.app.config.current().aliases['security-reviewer']?.prompt).toContain('secrets in logs');
  });

  it('switches the default and reports the old one', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('switch default to sonnet');
    await stack.waitFor(/sonnet/);
    expect(stack.configText()).toMatch(/^default: sonnet/m);
  });
});

describe('dispatcher: a text that reads as a config change and as a task', () => {
  const GUARDED = `${CONFIG}access:\n  admin: [boss]\n  dispatch: [alice, boss]\n`;

  it('asks which, changes and starts nothing before the answer, and checks the rights of the answer given', async () => {
    stack = await Stack.start({ config: GUARDED });
    await stack.say('switch to sonnet and fix the flaky checkout test fake:items=1');
    const prompt = await stack.waitFor(/That reads as a config change \(make sonnet the default\) and as a task/);
    expect(prompt.reply.buttons?.map((b) => b.label)).toEqual(['Change the config, then dispatch the task', 'Only change the config', 'Dispatch it all as one task', 'Cancel']);
    expect(stack.configText()).toBe(GUARDED);
    expect(stack.agentRuns()).toEqual([]);
    // alice may dispatch but not change the shared config: that answer is refused, the prompt stays
    await stack.press(prompt.reply, 'Only change the config');
    await stack.waitForEphemeral(/admin/);
    expect(stack.configText()).toBe(GUARDED);
    await stack.press(prompt.reply, 'Dispatch it all as one task');
    await stack.surface.until(() => stack?.agentRuns().length === 1);
    expect(stack.agentRuns()[0]?.argv).toEqual(expect.arrayContaining(['--model', 'sonnet']));
    expect(stack.agentRuns()[0]?.prompt).toContain('switch to sonnet and fix the flaky checkout test');
    expect(stack.configText()).toBe(GUARDED);
  });

  it('changes the config, then dispatches the rest with the model it named, for an admin', async () => {
    stack = await Stack.start({ config: GUARDED });
    await stack.say('switch to sonnet and fix the flaky checkout test fake:items=1', 'boss');
    const prompt = await stack.waitFor(/That reads as a config change/);
    await stack.press(prompt.reply, 'Change the config, then dispatch the task', 'boss');
    await stack.surface.until(() => stack?.agentRuns().length === 1);
    expect(stack.configText()).toMatch(/^default: sonnet/m);
    const [run] = stack.agentRuns();
    expect(run?.argv).toEqual(expect.arrayContaining(['--model', 'sonnet']));
    expect(run?.prompt).toContain('fix the flaky checkout test');
    expect(run?.prompt).not.toContain('switch to sonnet');
  });
});

describe('dispatcher: worker questions and notes', () => {
  it('posts a question mentioning the requester; a thread reply answers it and the same worker continues', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('use sonnet to set up the database fake:items=2 fake:ask=Which database should I use?');
    const question = await stack.waitFor(/asks:\nWhich database should I use\?/);
    expect(question.reply.mention).toBe('alice');
    const thread = question.target.thread as string;
    await stack.say('Postgres please', 'alice', { thread });
    await stack.waitFor(/Answer sent\. Worker is continuing\./);
    const id = stack.surface.posts.find((p) => p.reply.title)?.reply.title as string;
    await stack.waitForStatus(id, /done/);
    expect(stack.agentRuns()).toHaveLength(1);
    const done = await stack.waitFor(/is done/);
    expect(stack.surface.latest(done).text).toContain('Postgres please');
  });
});

describe('dispatcher: a fan-out thread with two questions open', () => {
  it('answers the task named at the start of the reply, and tells the requester to name it', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('two things:\n1) use sonnet to set up the database fake:items=2 fake:ask=Which database?\n2) use opus to add a cache layer fake:items=2 fake:ask=Which cache?');
    const db = await stack.waitFor(/asks:\nWhich database\?/);
    const cache = await stack.waitFor(/asks:\nWhich cache\?/);
    const cacheId = /\*\*([a-z0-9-]+)\*\* asks/.exec(cache.reply.text)?.[1] as string;
    expect(cache.reply.text).toContain(`starting with \`${cacheId}:\``);
    await stack.say(`${cacheId}: Redis`, 'alice', { thread: cache.target.thread as string });
    await stack.waitFor(new RegExp(`\\*\\*${cacheId}\\*\\* is done`));
    const done = stack.find(new RegExp(`\\*\\*${cacheId}\\*\\* is done`));
    expect(done && stack.surface.latest(done).text).toContain('Answer to 001: Redis');
    const dbId = /\*\*([a-z0-9-]+)\*\* asks/.exec(db.reply.text)?.[1] as string;
    expect((await stack.app.store.getTask(dbId))?.state).toBe('waiting');
  });
});

describe('dispatcher: hostile and odd input', () => {
  it('answers empty text with the warm-up summary', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('   ');
    const reply = await stack.waitFor(/Default model: \*\*opus\*\*/);
    expect(stack.surface.latest(reply).text).toMatch(/3 models/);
  });

  it('refuses 1 MB of text with a reply, and dispatches nothing', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say(`use opus to ${'a'.repeat(1024 * 1024)}`);
    await stack.waitForEphemeral(/the limit is/);
    expect(await stack.app.store.listTasks()).toHaveLength(0);
  });

  it('keeps shell metacharacters, markdown and mentions as plain prompt text', async () => {
    stack = await Stack.start({ config: CONFIG });
    const hostile = 'use opus to check `rm -rf /` $(touch pwned) ; echo hi > x && **bold** <@U999> ünïcödé 🚀 fake:items=1';
    await stack.say(hostile);
    await stack.surface.until(() => stack?.agentRuns().length === 1);
    expect(stack.agentRuns()[0]?.prompt).toContain('$(touch pwned) ; echo hi > x');
    expect(stack.agentRuns()[0]?.prompt).toContain('ünïcödé 🚀');
  });

  it.each([
    ['malformed YAML', 'default: opus\nmodels:\n  opus: { backend: claude\n', /YAML syntax error/],
    ['a wrong type', 'default: opus\nmodels:\n  opus: { backend: claude }\nlimits:\n  concurrency: lots\n', /limits\.concurrency/],
    ['an unknown backend', 'default: opus\nmodels:\n  opus: { backend: warp-drive }\n', /models\.opus\.backend/],
    ['an alias to a missing model', 'default: opus\nmodels:\n  opus: {}\naliases:\n  sec:\n    model: nope\n', /aliases\.sec\.model/],
    ['an alias cycle', 'default: opus\nmodels:\n  opus: {}\naliases:\n  a: { model: b }\n  b: { model: a }\n', /a → b → a|b → a → b/],
  ])('answers a config with %s by naming the problem, and keeps dispatching with the last good one', async (_what, broken, key) => {
    stack = await Stack.start({ config: CONFIG });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(stack.configFile, broken);
    await stack.say('');
    const reply = await stack.waitFor(/last good one stays in force/);
    expect(stack.surface.latest(reply).text).toMatch(key);
    expect(Object.keys(stack.app.config.current().models)).toEqual(['opus', 'sonnet', 'gemini-2.5-flash']);
    await stack.say('use sonnet to write docs fake:items=1');
    await stack.surface.until(() => stack?.agentRuns().length === 1);
    expect(stack.agentRuns()[0]?.argv).toEqual(expect.arrayContaining(['--model', 'sonnet']));
  });

  it('reports a broken config edit by key and keeps the last good config', async () => {
    stack = await Stack.start({ config: CONFIG });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(stack.configFile, CONFIG.replace('default: opus', 'default: opus\nlimits:\n  task_timeout: soon'));
    await stack.say('');
    const reply = await stack.waitFor(/last good one stays in force/);
    expect(stack.surface.latest(reply).text).toContain('limits.task_timeout');
    expect(stack.app.config.current().default).toBe('opus');
    await stack.say('use opus to write docs fake:items=1');
    await stack.surface.until(() => stack?.agentRuns().length === 1);
  });
});

describe('dispatcher: first run and failed starts', () => {
  it('without a config: detects the CLIs, writes a config, asks for the default, then goes on with the request', async () => {
    stack = await Stack.start();
    await stack.say('use the default to write the changelog fake:items=1');
    const prompt = await stack.waitFor(/First run: found .*claude/);
    // Every model written is in the picker (a menu: more than a few buttons' worth).
    const written = Object.keys(stack.app.config.current().models);
    expect(written.length).toBeGreaterThan(10);
    expect(prompt.reply.select?.options.map((o) => o.label)).toEqual(written);
    expect(stack.configText()).toMatch(/models:[\s\S]*opus:[\s\S]*backend: claude/);
    await stack.press(prompt.reply, 'sonnet');
    await stack.surface.until(() => stack?.agentRuns().some((r) => r.argv.includes('-p')));
    expect(stack.configText()).toMatch(/^default: sonnet/m);
    expect(stack.agentRuns().find((r) => r.argv.includes('-p'))?.argv).toEqual(expect.arrayContaining(['--model', 'sonnet']));
  });

  it('a CLI that is not logged in: says which CLI failed and offers the other models; a pick retries and can become the default', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('use opus to audit the payment flow fake:auth');
    const offer = await stack.waitFor(/The \*\*claude\*\* CLI is not logged in/);
    expect(offer.reply.mention).toBe('alice');
    // sonnet runs on the same logged-out claude: only another CLI's models are offered.
    expect(offer.reply.buttons?.map((b) => b.label)).toEqual(['Retry with gemini-2.5-flash']);
    await stack.press(offer.reply, 'Retry with gemini-2.5-flash');
    const makeDefault = await stack.waitFor(/Make it the config's default\?/);
    await stack.surface.until(() => stack?.agentRuns().some((r) => r.name === 'gemini'));
    await stack.press(makeDefault.reply, 'Make gemini-2.5-flash the default');
    await stack.waitFor(/Set default to gemini-2.5-flash \(was opus\)/);
    expect(stack.configText()).toMatch(/^default: gemini-2.5-flash/m);
  });

  it('never hands the bot’s own secrets to a worker', async () => {
    stack = await Stack.start({ config: CONFIG, env: { SLACK_BOT_TOKEN: 'xoxb-secret', DISCORD_TOKEN: 'discord-secret', REDIS_URL: 'redis://:pw@127.0.0.1', CLAUDECODE: '1' } });
    await stack.say('use opus to look around fake:items=1');
    await stack.surface.until(() => stack?.agentRuns().length === 1);
    expect(stack.agentRuns()[0]?.env).toMatchObject({ SLACK_BOT_TOKEN: false, DISCORD_TOKEN: false, REDIS_URL: false, CLAUDECODE: false });
  });

  it('ignores chatter in a thread it does not own, unless addressed', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.app.dispatcher.handle({ kind: 'message', who: stack.who(), where: stack.where({ thread: 'someone-elses' }), text: 'use opus to do things' });
    expect(stack.surface.posts).toHaveLength(0);
    await stack.say('status', 'alice', { thread: 'someone-elses' });
    await stack.waitFor(/No tasks in this channel yet/);
  });
});
