import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeMessage, RecordedCall } from '../fakes/discord-server.js';
import { DiscordApp } from '../support/discord-rig-app.js';

/**
 * The bot end to end on Discord, as a Discord user sees it: the real discord.js client against a
 * fake Discord on 127.0.0.1, the real dispatcher, runner and SQLite store, fake agent CLIs as workers.
 */

let rig: DiscordApp | undefined;
afterEach(async () => {
  const closing = rig;
  rig = undefined;
  await closing?.close();
  // The bot logged nothing: no failed post, edit, thread or delivery behind the user's back.
  expect(closing?.logs ?? []).toEqual([]);
});

interface Component {
  type: number;
  custom_id: string;
  label?: string;
  options?: { label: string; value: string }[];
}

const rowsOf = (m: FakeMessage | undefined): Component[][] => ((m?.components ?? []) as { components: Component[] }[]).map((r) => r.components);
const embedOf = (call: RecordedCall | undefined): { title?: string; description?: string; color?: number; fields?: { name: string; value: string }[] } =>
  ((call?.body.embeds as unknown[] | undefined)?.[0] ?? {}) as never;

describe('discord e2e: /dispatch is registered on start', () => {
  it('registers the command in the guild named by DISCORD_GUILD_ID, with its text option', async () => {
    rig = await DiscordApp.start();
    const { fake } = rig;
    const puts = fake.callsTo('PUT', /\/commands$/);
    expect(puts.map((c) => c.path)).toEqual([`/applications/${fake.appId}/guilds/${fake.guildId}/commands`]);
    const [command] = puts[0]?.body.items as { name: string; options: { name: string; type: number }[] }[];
    expect(command?.name).toBe('dispatch');
    expect(command?.options.map((o) => [o.name, o.type])).toEqual([['text', 3]]);
  });

  it('registers it globally when no guild is given', async () => {
    rig = await DiscordApp.start({ guild: false });
    expect(rig.fake.callsTo('PUT', /\/commands$/).map((c) => c.path)).toEqual([`/applications/${rig.fake.appId}/commands`]);
  });
});

describe('discord e2e: a mention naming a model', () => {
  it('starts a thread from the request, edits one status embed in place to done 3/3, reports the finish, runs --model opus', async () => {
    rig = await DiscordApp.start();
    const r = rig;
    const { fake } = r;
    const request = r.mention('use opus to review the auth module fake:items=3');
    const requestId = String(request.id);

    // The thread hangs from the user's own message (Discord gives it that message's id).
    await r.until('a thread from the request', () => fake.callsTo('POST', new RegExp(`^/channels/${fake.general.id}/messages/${requestId}/threads$`)).length === 1);
    const thread = fake.threadsOf(fake.general.id).find((t) => t.id === requestId);
    expect(thread?.owner_id).toBe(fake.bot.id);
    const task = await r.until('the task with its card', async () => (await r.tasks()).find((t) => t.status));
    expect(task.thread).toBe(requestId);
    const head = await r.until('the dispatch line', () => r.findBotMessage(requestId, /Dispatching \*\*[a-z-]+\*\* using \*\*opus\*\*/));
    expect(head.channel_id).toBe(requestId);

    const done = new RegExp(`\\*\\*${task.id}\\*\\*: done`);
    const status = await r.until('the status embed at done', () => {
      const m = r.statusMessage(requestId, task.id);
      return m && done.test(DiscordApp.text(m)) ? m : undefined;
    });
    await r.until('the finish report', () => r.findBotMessage(requestId, new RegExp(`\\*\\*${task.id}\\*\\* is done\\.`)));

    // One status card, posted once in the thread and then PATCHed in place (same message id).
    const cards = r.posts(requestId).filter((c) => embedOf(c).title === task.id);
    expect(cards).toHaveLength(1);
    const edits = r.edits(requestId, status.id);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.some((c) => /: running/.test(embedOf(c).description ?? ''))).toBe(true);
    const final = embedOf(edits.at(-1));
    expect(final.description).toMatch(done);
    expect(final.description).toContain('▓▓▓ 3/3');
    expect(final.description?.match(/✅/g)).toHaveLength(3);
    expect(final.fields?.find((f) => f.name === 'Model')?.value).toMatch(/^opus/);
    expect(final.fields?.find((f) => f.name === 'Backend')?.value).toBe('claude');
    // Cancel/Logs buttons while running, none once done.
    expect(rowsOf(fake.messages.get(status.id))).toEqual([]);
    expect(rowsOf({ ...status, components: (cards[0]?.body.components as unknown[]) ?? [] }).flat().map((c) => c.label)).toEqual(['Cancel', 'Logs']);
    // Nothing about the task was said in the channel itself.
    expect(r.posts(fake.general.id)).toHaveLength(0);

    const runs = r.agentRuns();
    expect(runs).toHaveLength(1);
    expect(runs[0]?.name).toBe('claude');
    expect(runs[0]?.argv[runs[0].argv.indexOf('--model') + 1]).toBe('opus');
    expect(runs[0]?.cwd).toBe(r.repo);
  });
});

describe('discord e2e: a mention that starts with /dispatch', () => {
  it('reads it as the slash command would: a config change, no task', async () => {
    rig = await DiscordApp.start();
    const r = rig;
    r.mention('/dispatch create a security-reviewer alias using opus');
    await r.until('the config change said', () => r.findBotMessage(r.fake.general.id, /Created alias security-reviewer → opus/));
    expect(readFileSync(r.configFile, 'utf8')).toMatch(/security-reviewer:\n\s+model: opus\n\s+prompt: >[\s\S]*OWASP/);
    expect(await r.tasks()).toEqual([]);
    expect(r.agentRuns()).toEqual([]);
  });
});

describe('discord e2e: /dispatch naming a model', () => {
  it('answers the command with the dispatch line, hangs the thread from that reply, and finishes there', async () => {
    rig = await DiscordApp.start();
    const r = rig;
    const { fake } = r;
    const command = fake.slashCommand({ text: 'use sonnet to write the release notes fake:items=2' });
    const original = new RegExp(`^/webhooks/${fake.appId}/${command.token}/messages/@original$`);
    await r.until('the command answered', () => fake.callsTo('PATCH', original).length >= 1);
    expect(fake.callsTo('POST', new RegExp(`^/interactions/${command.id}/`)).map((c) => c.body.type)).toEqual([5]);
    expect(fake.callsTo('PATCH', original)[0]?.body.content).toMatch(/^Dispatching \*\*[a-z-]+\*\* using \*\*sonnet\*\*/);
    // The task is stored once its status message is posted, just after that line.
    const task = await r.until('the task with its card', async () => (await r.tasks()).find((t) => t.status));
    const reply = [...fake.messages.values()].find((m) => m.channel_id === fake.general.id && /^Dispatching/.test(m.content));
    // The thread hangs from the command's reply (a command has no request message of its own).
    expect(task.thread).toBe(reply?.id);
    await r.until('the status at done 2/2', () => {
      const text = DiscordApp.text(r.statusMessage(task.thread ?? '', task.id));
      return /: done/.test(text) && text.includes('2/2');
    });
    await r.until('the finish report', () => r.findBotMessage(task.thread ?? '', new RegExp(`\\*\\*${task.id}\\*\\* is done\\.`)));
    expect(r.agentRuns().map((run) => run.argv[run.argv.indexOf('--model') + 1])).toEqual(['sonnet']);
    expect(r.posts(fake.general.id)).toHaveLength(0);
  });

  it('`/dispatch text:status` answers the command with the channel\'s tasks', async () => {
    rig = await DiscordApp.start();
    const r = rig;
    const { fake } = r;
    r.mention('use opus to fix the flaky login test fake:items=1');
    const task = await r.until('the task done', async () => (await r.tasks()).find((t) => t.state === 'done'));
    const command = fake.slashCommand({ text: 'status' });
    await r.until('the command handled', () => r.wasHandled(command.id));
    const answer = fake.callsTo('PATCH', new RegExp(`^/webhooks/${fake.appId}/${command.token}/messages/@original$`));
    expect(answer).toHaveLength(1);
    expect(answer[0]?.body.content).toContain('**0 running**, 1 finished in this channel.');
    expect(answer[0]?.body.content).toContain(`✓ ${task.id}: done 1/1`);
    // the line links to the task's status message in its thread
    expect(answer[0]?.body.content).toContain(`https://discord.com/channels/${fake.guildId}/${task.status?.thread}/${task.status?.id}`);
  });
});

const SWEEP = `we launch Thursday, need a pre-launch sweep:

1) security audit the auth flow (JWT, sessions, password reset). use opus, do it in a worktree

2) performance - find N+1 queries and check db indexes on the orders table. sonnet in a worktree

3) frontend audit - accessibility and bundle size. dispatch sonnet

ask me if anything is unclear.`;

describe('discord e2e: a multi-task /dispatch (the seed sweep)', () => {
  it('answers with the summary, one thread holds a status embed per task, each edited to done; worktrees where asked', async () => {
    rig = await DiscordApp.start();
    const r = rig;
    const { fake } = r;
    const command = fake.slashCommand({ text: SWEEP });
    // Tasks are stored and submitted first; their cards follow.
    const tasks = await r.until('three tasks with their cards', async () => {
      const all = await r.tasks();
      return all.length === 3 && all.every((t) => t.status) ? all : undefined;
    });
    const summary = fake.callsTo('PATCH', new RegExp(`^/webhooks/${fake.appId}/${command.token}/messages/@original$`));
    expect(summary).toHaveLength(1);
    expect(summary[0]?.body.content).toMatch(/^All 3 workers dispatched\. Here's the summary:/);
    const reply = [...fake.messages.values()].find((m) => m.channel_id === fake.general.id && /^All 3 workers/.test(m.content));
    const thread = reply?.id ?? '';
    expect(new Set(tasks.map((t) => t.thread))).toEqual(new Set([thread]));
    expect(Object.fromEntries(tasks.map((t) => [t.id, [t.spec.model, t.spec.worktree]]))).toEqual({
      'security-audit': ['opus', true],
      'perf-audit': ['sonnet', true],
      'frontend-audit': ['sonnet', false],
    });

    for (const task of tasks) {
      await r.until(`${task.id} at done 3/3`, () => {
        const text = DiscordApp.text(r.statusMessage(thread, task.id));
        return /: done/.test(text) && text.includes('3/3');
      });
      await r.until(`${task.id}'s finish report`, () => r.findBotMessage(thread, new RegExp(`\\*\\*${task.id}\\*\\* is done\\.`)));
    }
    // One status card per task, all in the one thread.
    const cards = r.posts(thread).map((c) => embedOf(c).title).filter(Boolean);
    expect(cards.sort()).toEqual(tasks.map((t) => t.id).sort());
    const runs = r.agentRuns();
    expect(runs.map((run) => run.argv[run.argv.indexOf('--model') + 1]).sort()).toEqual(['opus', 'sonnet', 'sonnet']);
    // Worktree tasks ran outside the repo checkout; the single worker ran in it.
    expect(runs.filter((run) => run.cwd === r.repo)).toHaveLength(1);
  });
});

describe('discord e2e: /dispatch with no model', () => {
  it('confirms with buttons and a select; ignores another member; a double press by the requester dispatches once', async () => {
    rig = await DiscordApp.start();
    const r = rig;
    const { fake } = r;
    const command = fake.slashCommand({ text: 'do a security review fake:items=1' });
    const original = `/webhooks/${fake.appId}/${command.token}/messages/@original`;

    // Deferred at once ("thinking…"), then the deferred reply becomes the confirm prompt.
    await r.until('the confirm prompt', () => fake.callsTo('PATCH', new RegExp(`^${original}$`)).length === 1);
    expect(fake.callsTo('POST', new RegExp(`^/interactions/${command.id}/`)).map((c) => c.body.type)).toEqual([5]);
    const prompt = [...fake.messages.values()].find((m) => /Sound good\?/.test(m.content));
    expect(prompt?.content).toMatch(/I'll dispatch this using \*\*opus\*\* \(the config default\)/);
    expect(prompt?.content).toContain(`Only <@${fake.alice.id}> can answer`);
    const [buttons = [], selects = []] = rowsOf(prompt);
    expect(buttons.map((b) => b.label)).toEqual(['Dispatch with opus', 'Cancel']);
    expect(selects.map((s) => s.type)).toEqual([3]);
    expect(selects[0]?.options?.map((o) => o.label)).toEqual(['sonnet', 'gemini-2.5-flash']);
    if (!prompt) throw new Error('no prompt');
    const confirm = buttons[0]?.custom_id ?? '';

    // Bob is not the requester: told privately, nothing dispatched, the prompt untouched.
    const bobPress = fake.component({ message: prompt, customId: confirm, user: fake.bob });
    await r.until("bob's press handled", () => r.wasHandled(bobPress.id));
    const toBob = fake.callsTo('POST', new RegExp(`^/webhooks/${fake.appId}/${bobPress.token}$`));
    expect(toBob.map((c) => [c.body.content, c.body.flags])).toEqual([[`Only <@${fake.alice.id}> can answer that prompt.`, 64]]);
    expect(await r.tasks()).toHaveLength(0);
    expect(fake.callsTo('PATCH', new RegExp(`^${original}$`))).toHaveLength(1);
    expect(fake.callsTo('POST', /^\/channels\/\d+\/messages$/)).toHaveLength(0);

    // Alice presses twice: both acknowledged, one task.
    const first = fake.component({ message: prompt, customId: confirm });
    const second = fake.component({ message: prompt, customId: confirm });
    await r.until('both presses handled', () => r.wasHandled(first.id) && r.wasHandled(second.id));
    for (const press of [first, second]) expect(fake.callsTo('POST', new RegExp(`^/interactions/${press.id}/`)).map((c) => c.body.type)).toEqual([6]);
    const task = await r.task();
    expect(task.spec.model).toBe('opus');
    expect(task.spec.requester).toBe(fake.alice.id);
    await r.until('the prompt to say it dispatched', () => /Dispatching with \*\*opus\*\* \(confirmed by/.test(fake.messages.get(prompt.id)?.content ?? ''));

    // The task has its thread (from the bot's dispatch line: a command has no request message) and finishes.
    const thread = task.thread ?? '';
    expect(fake.threadsOf(fake.general.id).map((t) => t.id)).toContain(thread);
    await r.until('the finish report', () => r.findBotMessage(thread, new RegExp(`\\*\\*${task.id}\\*\\* is done\\.`)));
    // Status edits are coalesced (one per second per message): the last one lands after the report.
    await r.until('the status at done', () => new RegExp(`\\*\\*${task.id}\\*\\*: done`).test(DiscordApp.text(r.statusMessage(thread, task.id))));
    expect(r.agentRuns()).toHaveLength(1);
    expect(await r.tasks()).toHaveLength(1);
  });
});

describe('discord e2e: a worker question', () => {
  it('is asked in the thread mentioning the requester; a thread reply answers it and the task finishes', async () => {
    rig = await DiscordApp.start();
    const r = rig;
    const { fake } = r;
    const request = r.mention('use sonnet to set up the database fake:items=2 fake:ask=Which database?');
    const thread = String(request.id);
    const question = await r.until('the question', () => r.findBotMessage(thread, /asks:\nWhich database\?/));
    expect(question.content.startsWith(`<@${fake.alice.id}>`)).toBe(true);
    const posted = r.posts(thread).find((c) => String(c.body.content).includes('Which database?'));
    expect(posted?.body.allowed_mentions).toMatchObject({ users: [fake.alice.id] });
    expect(rowsOf(question).flat().map((b) => b.label)).toEqual(['Answer']);
    const task = await r.task();
    await r.until('the status to show the wait', () => /waiting for your answer/.test(DiscordApp.text(r.statusMessage(thread, task.id))));

    const reply = r.say(thread, 'Postgres please');
    await r.until('the answer acknowledged', () => r.findBotMessage(thread, /^Answer sent\. Worker is continuing\.$/));
    // The acknowledgement is posted while the dispatcher is still handling the reply: wait for it to return.
    await r.until('the reply handled', () => r.wasHandled(String(reply.id)));
    const finish = await r.until('the finish report', () => r.findBotMessage(thread, new RegExp(`\\*\\*${task.id}\\*\\* is done\\.`)));
    expect(DiscordApp.text(finish)).toContain('Postgres please');
    await r.until('the status at done 2/2', () => {
      const text = DiscordApp.text(r.statusMessage(thread, task.id));
      return /: done/.test(text) && text.includes('2/2');
    });
    expect(r.agentRuns()).toHaveLength(1);
    expect((await r.task()).state).toBe('done');
  });
});

describe('discord e2e: status', () => {
  it("`@bot status` in a channel lists that channel's tasks and not another channel's", async () => {
    rig = await DiscordApp.start();
    const r = rig;
    const { fake } = r;
    r.mention('use opus to write the changelog fake:items=1');
    r.mention('use sonnet to tidy the api docs fake:items=1', { channel: r.other });
    const finished = await r.until('both tasks done', async () => {
      const tasks = await r.tasks();
      return tasks.length === 2 && tasks.every((t) => t.state === 'done') ? tasks : undefined;
    });
    const here = finished.find((t) => t.where.channel === fake.general.id);
    const there = finished.find((t) => t.where.channel === r.other.id);
    if (!here || !there) throw new Error('a task in each channel expected');

    const ask = r.mention('status');
    await r.until('the status answer', () => r.wasHandled(String(ask.id)));
    const answers = r.botMessages(fake.general.id);
    expect(answers).toHaveLength(1);
    const text = DiscordApp.text(answers[0]);
    expect(text).toContain('**0 running**, 1 finished in this channel.');
    expect(text).toMatch(new RegExp(`✓ ${here.id}: done 1/1 · opus`));
    expect(text).not.toContain(there.id);
  });
});
