import { afterEach, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../src/store/records.js';
import { DiscordApp } from '../support/discord-rig-app.js';

/**
 * The bot end to end on Discord across a gateway reconnect and an adapter restart: a running task
 * is not lost, and a request Discord delivers again is not dispatched again.
 */

let rig: DiscordApp | undefined;
afterEach(async () => {
  const closing = rig;
  rig = undefined;
  await closing?.close();
  // The bot logged nothing: no failed post, edit, thread or delivery behind the user's back.
  expect(closing?.logs ?? []).toEqual([]);
});

/** A task whose worker holds at its second item until a note reaches its plan (a thread reply). */
async function dispatchHeldTask(r: DiscordApp, goal: string): Promise<{ request: Record<string, unknown>; thread: string; task: TaskRecord; statusId: string }> {
  const request = r.mention(`use opus to ${goal} fake:items=3 fake:await-note`);
  const thread = String(request.id);
  const task = await r.until('the task with its card', async () => (await r.tasks()).find((t) => t.status));
  const status = await r.until('the worker to hold at 1/3', () => {
    const m = r.statusMessage(thread, task.id);
    const text = DiscordApp.text(m);
    return m && /: running/.test(text) && text.includes('1/3') ? m : undefined;
  });
  return { request, thread, task, statusId: status.id };
}

/** The request was asked about twice, and the second time the store said it was not new. */
function redeliveryRefused(r: DiscordApp, messageId: string): boolean {
  const asked = r.deliveries.filter((d) => d.key === `discord:${messageId}`);
  return asked.length === 2 && asked[0]?.first === true && asked[1]?.first === false;
}

async function finishWithNote(r: DiscordApp, held: { thread: string; task: TaskRecord; statusId: string }): Promise<void> {
  r.say(held.thread, 'also check the cookie flags');
  await r.until('the note acknowledged', () => r.findBotMessage(held.thread, new RegExp(`Added your note to \\*\\*${held.task.id}\\*\\*'s plan`)));
  await r.until('the finish report', () => r.findBotMessage(held.thread, new RegExp(`\\*\\*${held.task.id}\\*\\* is done\\.`)));
  await r.until('the status edited to done 3/3', () => {
    const text = DiscordApp.text(r.fake.messages.get(held.statusId));
    return /: done/.test(text) && text.includes('3/3');
  });
}

describe('discord e2e: a gateway reconnect while a task runs', () => {
  it('resumes; the replayed request is not dispatched again, and the running task still finishes with its status edited in place', async () => {
    rig = await DiscordApp.start();
    const r = rig;
    const { fake } = r;
    const before = fake.sequence;
    const held = await dispatchHeldTask(r, 'harden the session handling');
    const requestId = String(held.request.id);

    // Resumable close; the RESUME replays everything since before the request, the request included.
    fake.dropConnection({ replayFrom: before });
    await r.until('the RESUME', () => fake.resumes.length === 1);
    expect(fake.identifies).toHaveLength(1);
    expect(fake.replayed).toContain('MESSAGE_CREATE');
    expect((await r.task()).state).toBe('running');

    // After the resume, a thread reply reaches the running task; it finishes. The gateway delivers
    // in order, so by the time that reply is handled the replayed request was seen and let go.
    await finishWithNote(r, held);
    expect(r.handled.filter((i) => i.deliveryId === requestId)).toHaveLength(1);
    // discord.js drops a replay of a message still in its cache; past that, the store refuses it.
    expect(r.deliveries.filter((d) => d.key === `discord:${requestId}` && d.first)).toHaveLength(1);
    expect(r.statusMessage(held.thread, held.task.id)?.id).toBe(held.statusId);
    expect(r.posts(held.thread).filter((c) => (c.body.embeds as { title?: string }[] | undefined)?.[0]?.title === held.task.id)).toHaveLength(1);
    expect(r.edits(held.thread, held.statusId).length).toBeGreaterThanOrEqual(2);

    // Dispatched once: one task, one worker, one thread, one dispatch line.
    expect(await r.tasks()).toHaveLength(1);
    expect(r.agentRuns()).toHaveLength(1);
    expect(fake.callsTo('POST', /\/threads$/)).toHaveLength(1);
    expect(r.botMessages(held.thread).filter((m) => /Dispatching \*\*/.test(m.content))).toHaveLength(1);
    expect((await r.task()).state).toBe('done');
  });
});

describe('discord e2e: an adapter restart', () => {
  it('a new client against the same store refuses a redelivered request; the running task finishes through it', async () => {
    rig = await DiscordApp.start();
    const r = rig;
    const { fake } = r;
    const held = await dispatchHeldTask(r, 'audit the request logging');
    const requestId = String(held.request.id);

    await r.restartAdapter();
    expect(fake.identifies).toHaveLength(2);
    fake.redeliver('MESSAGE_CREATE', held.request);
    await r.until('the redelivered request refused', () => redeliveryRefused(r, requestId));
    await r.until('the redelivered request handled', () => r.wasHandled(requestId));
    expect(r.handled.filter((i) => i.deliveryId === requestId)).toHaveLength(1);

    // The new client knows the task's thread: a reply there reaches the task, which finishes.
    await finishWithNote(r, held);
    expect(await r.tasks()).toHaveLength(1);
    expect(r.agentRuns()).toHaveLength(1);
    expect(fake.callsTo('POST', /\/threads$/)).toHaveLength(1);
    expect((await r.task()).state).toBe('done');
  });
});

describe('discord e2e: a bot restart', () => {
  it('re-adopts the running worker, refuses the redelivered request from the durable store, and finishes the task in place', async () => {
    rig = await DiscordApp.start();
    const r = rig;
    const { fake } = r;
    const held = await dispatchHeldTask(r, 'rotate the signing keys');
    const requestId = String(held.request.id);
    const [worker] = r.agentRuns();

    await r.restartBot();
    fake.redeliver('MESSAGE_CREATE', held.request);
    await r.until('the redelivered request refused', () => redeliveryRefused(r, requestId));
    expect((await r.task()).state).toBe('running');

    await finishWithNote(r, held);
    expect(r.posts(held.thread).filter((c) => (c.body.embeds as { title?: string }[] | undefined)?.[0]?.title === held.task.id)).toHaveLength(1);
    // The same worker process finished it: no second run, no second task.
    expect(r.agentRuns()).toEqual([worker]);
    expect(await r.tasks()).toHaveLength(1);
    expect((await r.task()).state).toBe('done');
  });
});

describe('discord e2e: a bot restart while a worker waits for an answer', () => {
  it('asks the question again in the thread, and a thread reply answers the re-adopted worker', async () => {
    rig = await DiscordApp.start();
    const r = rig;
    const { fake } = r;
    const thread = String(r.mention('use sonnet to set up the queue fake:items=2 fake:ask=Kafka or SQS?').id);
    const asked = (): number => r.botMessages(thread).filter((m) => /asks:\nKafka or SQS\?/.test(m.content)).length;
    await r.until('the question', () => asked() === 1);
    const task = await r.task();
    await r.until('the status at waiting', () => /waiting for your answer/.test(DiscordApp.text(r.statusMessage(thread, task.id))));

    await r.restartBot();
    // Asked again at the bottom of the thread, mentioning the requester.
    await r.until('the question asked again', () => asked() === 2);
    expect(r.botMessages(thread).filter((m) => /asks:/.test(m.content)).every((m) => m.content.startsWith(`<@${fake.alice.id}>`))).toBe(true);

    r.say(thread, 'SQS');
    await r.until('the answer acknowledged', () => r.findBotMessage(thread, /^Answer sent\. Worker is continuing\.$/));
    const finish = await r.until('the finish report', () => r.findBotMessage(thread, new RegExp(`\\*\\*${task.id}\\*\\* is done\\.`)));
    expect(DiscordApp.text(finish)).toContain('Answer to 001: SQS');
    await r.until('the status edited to done', () => /: done/.test(DiscordApp.text(r.statusMessage(thread, task.id))));
    expect(r.agentRuns()).toHaveLength(1);
  });
});

describe('discord e2e: a bot restart between a /dispatch prompt and its press', () => {
  it('the press still dispatches once, in a thread from the bot\'s own post', async () => {
    rig = await DiscordApp.start();
    const r = rig;
    const { fake } = r;
    fake.slashCommand({ text: 'do a threat model fake:items=1' });
    const prompt = await r.until('the prompt', () => [...fake.messages.values()].find((m) => /Sound good\?/.test(m.content)));
    const confirm = (prompt.components as { components: { custom_id: string; label: string }[] }[])[0]?.components.find((c) => c.label === 'Dispatch with opus')?.custom_id ?? '';

    await r.restartBot();
    const press = fake.component({ message: prompt, customId: confirm });
    await r.until('the press handled', () => r.wasHandled(press.id));
    await r.until('the prompt edited', () => /Dispatching with \*\*opus\*\*/.test(fake.messages.get(prompt.id)?.content ?? ''));
    const task = await r.task();
    const head = r.findBotMessage(fake.general.id, new RegExp(`^Dispatching \\*\\*${task.id}\\*\\*`));
    expect(task.thread).toBe(head?.id);
    await r.until('the finish report', () => r.findBotMessage(task.thread ?? '', new RegExp(`\\*\\*${task.id}\\*\\* is done\\.`)));
    expect(r.agentRuns()).toHaveLength(1);
  });
});
