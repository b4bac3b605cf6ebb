import { afterEach, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../fakes/discord-server.js';
import { DiscordApp, RIG_CONFIG } from '../support/discord-rig-app.js';

/**
 * The buttons on a task's messages, end to end on Discord: Answer (a modal), Cancel and Logs on
 * the status embed; the requester's presses act, another member's are refused privately.
 */

let rig: DiscordApp | undefined;
afterEach(async () => {
  const closing = rig;
  rig = undefined;
  await closing?.close();
  expect(closing?.logs ?? []).toEqual([]);
});

interface Component {
  custom_id: string;
  label?: string;
}

function button(message: FakeMessage | undefined, label: string): string {
  const all = ((message?.components ?? []) as { components: Component[] }[]).flatMap((r) => r.components);
  const found = all.find((c) => c.label === label);
  if (!found) throw new Error(`no "${label}" button on: ${DiscordApp.text(message)}`);
  return found.custom_id;
}

/** Admins are the members with the server's "dispatchers" role (alice has it, bob does not). */
const ADMINS_BY_ROLE = `${RIG_CONFIG}access:\n  dispatch: ['*']\n  admin: ['role:900000000000000050']\n`;

const callbacks = (r: DiscordApp, interactionId: string): Record<string, unknown>[] =>
  r.fake.callsTo('POST', new RegExp(`^/interactions/${interactionId}/[^/]+/callback$`)).map((c) => c.body);

describe('discord e2e: answering a question with the Answer button', () => {
  it("refuses another member's press privately; the requester's press opens a modal whose answer lets the worker finish", async () => {
    rig = await DiscordApp.start();
    const r = rig;
    const { fake } = r;
    const thread = String(r.mention('use sonnet to set up the cache fake:items=2 fake:ask=Redis or Memcached?').id);
    const question = await r.until('the question', () => r.findBotMessage(thread, /asks:\nRedis or Memcached\?/));
    const answer = button(question, 'Answer');
    const task = await r.task();

    const bobPress = fake.component({ message: question, customId: answer, user: fake.bob });
    await r.until("bob's press handled", () => r.wasHandled(bobPress.id));
    expect(callbacks(r, bobPress.id)).toEqual([
      { type: 4, data: expect.objectContaining({ content: `Only <@${fake.alice.id}> can answer **${task.id}**'s questions.`, flags: 64 }) },
    ]);

    const press = fake.component({ message: question, customId: answer });
    await r.until("alice's press handled", () => r.wasHandled(press.id));
    const [modal] = callbacks(r, press.id) as { type: number; data: { custom_id: string; title: string; components: { components: { custom_id: string; label: string }[] }[] } }[];
    expect(modal?.type).toBe(9);
    expect(modal?.data.title).toBe(`Answer ${task.id}`.slice(0, 24));
    expect(modal?.data.components[0]?.components[0]?.label).toBe('Your answer');

    const submit = fake.modalSubmit({ message: question, customId: modal?.data.custom_id ?? '', fields: { [modal?.data.components[0]?.components[0]?.custom_id ?? '']: 'Redis, with a 5 minute TTL' } });
    await r.until('the answer acknowledged', () => r.findBotMessage(thread, /^Answer sent\. Worker is continuing\.$/));
    expect(callbacks(r, submit.id).map((c) => c.type)).toEqual([6]);
    const finish = await r.until('the finish report', () => r.findBotMessage(thread, new RegExp(`\\*\\*${task.id}\\*\\* is done\\.`)));
    expect(DiscordApp.text(finish)).toContain('Redis, with a 5 minute TTL');
    expect(r.agentRuns()).toHaveLength(1);
  });
});

describe('discord e2e: Cancel and Logs on the status embed', () => {
  it('shows the log to anyone, refuses a cancel by a member who is neither requester nor admin, and cancels for the requester', async () => {
    rig = await DiscordApp.start({ config: ADMINS_BY_ROLE });
    const r = rig;
    const { fake } = r;
    expect(fake.dispatchersRole).toBe('900000000000000050');
    const thread = String(r.mention('use opus to migrate the billing tables fake:items=3 fake:await-note').id);
    const task = await r.until('the task with its card', async () => (await r.tasks()).find((t) => t.status));
    const status = await r.until('the worker at 1/3', () => {
      const m = r.statusMessage(thread, task.id);
      return m && DiscordApp.text(m).includes('1/3') ? m : undefined;
    });

    const logs = fake.component({ message: status, customId: button(status, 'Logs'), user: fake.bob });
    await r.until('the logs press handled', () => r.wasHandled(logs.id));
    const tail = r.findBotMessage(thread, new RegExp(`Last 40 lines of \\*\\*${task.id}\\*\\*'s log:`));
    expect(tail?.content).toContain('Done: Step 1 of');

    const bobCancel = fake.component({ message: status, customId: button(status, 'Cancel'), user: fake.bob });
    await r.until("bob's cancel handled", () => r.wasHandled(bobCancel.id));
    const toBob = fake.callsTo('POST', new RegExp(`^/webhooks/${fake.appId}/${bobCancel.token}$`));
    expect(toBob.map((c) => [c.body.content, c.body.flags])).toEqual([[`Only <@${fake.alice.id}> (who dispatched **${task.id}**) or an admin can do that.`, 64]]);
    expect((await r.task()).state).toBe('running');

    const cancel = fake.component({ message: status, customId: button(status, 'Cancel') });
    await r.until('the cancel said', () => r.findBotMessage(thread, new RegExp(`^Cancelling \\*\\*${task.id}\\*\\*…$`)));
    await r.until('the finish report', () => r.findBotMessage(thread, new RegExp(`\\*\\*${task.id}\\*\\* was cancelled\\.`)));
    await r.until('the status edited to cancelled', () => /: cancelled/.test(DiscordApp.text(fake.messages.get(status.id))));
    // The press is handled once its reply is out: wait for that rather than assume it.
    await r.until('the cancel press handled', () => r.wasHandled(cancel.id));
    expect((await r.task()).state).toBe('cancelled');
    // Retry and Logs replace Cancel once the task has ended.
    expect(() => button(fake.messages.get(status.id), 'Retry')).not.toThrow();
    expect(() => button(fake.messages.get(status.id), 'Cancel')).toThrow();
    expect(r.agentRuns()).toHaveLength(1);
  });
});
