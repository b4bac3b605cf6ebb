import { afterEach, describe, expect, it } from 'vitest';
import type { Inbound } from '../../src/chat/inbound.js';
import { startDiscordRig, type DiscordRig, type FakeMessage } from '../fakes/discord-server.js';

const rigs: DiscordRig[] = [];
async function rig(opts: Parameters<typeof startDiscordRig>[0] = {}): Promise<DiscordRig> {
  const r = await startDiscordRig(opts);
  rigs.push(r);
  return r;
}

afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});

const callbacks = (r: DiscordRig, id: string): unknown[] =>
  r.fake.callsTo('POST', new RegExp(`^/interactions/${id}/[^/]+/callback$`)).map((c) => c.body);

function customIds(message: FakeMessage | undefined): string[] {
  return ((message?.components ?? []) as { components: { custom_id: string }[] }[]).flatMap((row) => row.components.map((c) => c.custom_id));
}

/** The values of a message's select options, as the platform would send back one picked. */
function optionValues(message: FakeMessage | undefined): string[] {
  const rows = (message?.components ?? []) as { components: { options?: { value: string }[] }[] }[];
  return rows.flatMap((row) => row.components.flatMap((c) => (c.options ?? []).map((o) => o.value)));
}

async function confirmPrompt(r: DiscordRig): Promise<{ message: FakeMessage; thread: string }> {
  const ref = await r.surface.post(
    { channel: r.fake.general.id, startThread: true },
    {
      text: "I'll dispatch this using **opus** (your default). Sound good?",
      buttons: [
        { action: { type: 'confirm', prompt: 'p-7' }, label: 'Dispatch with opus', style: 'primary' },
        { action: { type: 'cancel-prompt', prompt: 'p-7' }, label: 'Cancel' },
      ],
      select: {
        placeholder: 'Another model or alias',
        options: [
          { label: 'sonnet', action: { type: 'pick-model', prompt: 'p-7', model: 'sonnet' } },
          { label: 'gpt-5.3', action: { type: 'pick-model', prompt: 'p-7', model: 'gpt-5.3' } },
        ],
      },
    },
  );
  const message = r.fake.messages.get(ref.id);
  if (!message) throw new Error('prompt not posted');
  return { message, thread: ref.thread ?? '' };
}

describe('discord interactions', () => {
  it('turns a button press into an action with its value, acknowledged with deferUpdate', async () => {
    const r = await rig();
    const { message } = await confirmPrompt(r);
    const press = r.fake.component({ message, customId: customIds(message)[0] ?? '', user: r.fake.bob });
    await r.inbound.atLeast(1);
    expect(r.inbound.seen[0]).toEqual({
      kind: 'action',
      who: { id: r.fake.bob.id, name: 'bob', groups: [] },
      where: { surface: 'discord', channel: r.fake.general.id, message: message.id },
      action: { type: 'confirm', prompt: 'p-7' },
      trigger: press.id,
      deliveryId: press.id,
    });
    expect(callbacks(r, press.id)).toEqual([{ type: 6 }]);
  });

  it('turns a select pick into an action carrying the picked value', async () => {
    const r = await rig();
    const { message } = await confirmPrompt(r);
    const pick = r.fake.component({ message, customId: customIds(message)[2] ?? '', values: [optionValues(message)[1] ?? ''] });
    await r.inbound.atLeast(1);
    expect(r.inbound.seen[0]).toMatchObject({ kind: 'action', action: { type: 'pick-model', prompt: 'p-7', model: 'gpt-5.3' }, trigger: pick.id });
    expect(callbacks(r, pick.id)).toEqual([{ type: 6 }]);
  });

  it('answers an ephemeral reply to the presser as a private follow-up of the press', async () => {
    const r = await rig({
      onInbound: async (inbound, surface) => {
        if (inbound.kind === 'action') await surface.ephemeral({ channel: inbound.where.channel }, inbound.who.id, { text: 'Only alice can answer this.' });
      },
    });
    const { message } = await confirmPrompt(r);
    const press = r.fake.component({ message, customId: customIds(message)[0] ?? '', user: r.fake.bob });
    await r.inbound.atLeast(1);
    const followUps = r.fake.callsTo('POST', new RegExp(`^/webhooks/${r.fake.appId}/${press.token}$`));
    expect(followUps.map((c) => [c.body.content, c.body.flags])).toEqual([['Only alice can answer this.', 64]]);
    expect(r.fake.callsTo('POST', /^\/channels\/\d+\/messages$/)).toHaveLength(1);
  });

  it('opens a modal for an input: button and reads the submitted answer as an input request', async () => {
    const opened: boolean[] = [];
    const r = await rig({
      onInbound: async (inbound, surface) => {
        if (inbound.kind === 'action' && inbound.action.type === 'answer' && inbound.trigger) {
          opened.push(await surface.openInput(inbound.trigger, { action: inbound.action, title: 'Answer the worker', label: 'Which staging db?', multiline: true }));
        }
      },
    });
    const request = r.fake.userMessage({ channel: r.fake.general, content: `<@${r.fake.bot.id}> fix login` });
    const ref = await r.surface.post(
      { channel: r.fake.general.id, startThread: true, fromMessage: String(request.id) },
      { text: 'Which staging db?', mention: r.fake.alice.id, buttons: [{ action: { type: 'answer', task: 'fix-login', seq: '001' }, label: 'Answer', opensInput: true }] },
    );
    await r.inbound.atLeast(1);
    const question = r.fake.messages.get(ref.id);
    if (!question) throw new Error('question not posted');
    const press = r.fake.component({ message: question, customId: customIds(question)[0] ?? '' });
    await r.inbound.atLeast(2);
    expect(opened).toEqual([true]);
    const [modal] = callbacks(r, press.id) as { type: number; data: { custom_id: string; title: string; components: { components: { custom_id: string; style: number; label: string }[] }[] } }[];
    expect(modal?.type).toBe(9);
    expect(modal?.data.title).toBe('Answer the worker');
    expect(modal?.data.components[0]?.components[0]).toMatchObject({ custom_id: 'value', style: 2, label: 'Which staging db?' });
    const submit = r.fake.modalSubmit({ message: question, customId: modal?.data.custom_id ?? '', fields: { value: 'use staging-2' } });
    await r.inbound.atLeast(3);
    expect(r.inbound.seen[2]).toEqual({
      kind: 'input',
      who: { id: r.fake.alice.id, name: 'alice', groups: [r.fake.dispatchersRole] },
      where: { surface: 'discord', channel: r.fake.general.id, thread: ref.thread, message: question.id },
      action: { type: 'answer', task: 'fix-login', seq: '001' },
      value: 'use staging-2',
      deliveryId: submit.id,
    });
    expect(callbacks(r, submit.id)).toEqual([{ type: 6 }]);
  });

  it('defers an input: press the dispatcher did not answer with a modal, and then refuses the modal', async () => {
    const r = await rig({ modalHoldMs: 20 });
    const ref = await r.surface.post({ channel: r.fake.general.id }, { text: 'Edit the alias prompt?', buttons: [{ action: { type: 'alias-prompt', alias: 'reviewer' }, label: 'Edit prompt', opensInput: true }] });
    const message = r.fake.messages.get(ref.id);
    if (!message) throw new Error('not posted');
    const press = r.fake.component({ message, customId: customIds(message)[0] ?? '' });
    await r.fake.until(() => callbacks(r, press.id).length > 0);
    expect(callbacks(r, press.id)).toEqual([{ type: 6 }]);
    expect(await r.surface.openInput(press.id, { action: { type: 'alias-prompt', alias: 'reviewer' }, title: 'Alias prompt', label: 'Prompt' })).toBe(false);
  });

  it('refuses a modal for an ordinary press, which was already acknowledged', async () => {
    const r = await rig();
    const { message } = await confirmPrompt(r);
    const press = r.fake.component({ message, customId: customIds(message)[1] ?? '' });
    await r.inbound.atLeast(1);
    expect(await r.surface.openInput(press.id, { action: { type: 'alias-prompt', alias: 'x' }, title: 'x', label: 'x' })).toBe(false);
    expect(callbacks(r, press.id)).toEqual([{ type: 6 }]);
  });

  it('a post nobody asked for (a channel notice) goes to the channel, never as the answer to a /dispatch waiting there', async () => {
    const r = await rig();
    const command = r.fake.slashCommand({ text: 'deploy prod' });
    await r.inbound.atLeast(1);
    const ref = await r.surface.post({ channel: r.fake.general.id, unprompted: true }, { text: 'Status updates here are behind.' });
    expect(r.fake.callsTo('POST', new RegExp(`^/webhooks/${r.fake.appId}/${command.token}`))).toEqual([]);
    expect(r.fake.callsTo('PATCH', new RegExp(`^/webhooks/${r.fake.appId}/${command.token}`))).toEqual([]);
    expect(r.fake.messages.get(ref.id)).toMatchObject({ channel_id: r.fake.general.id, content: 'Status updates here are behind.' });
  });

  it('an ephemeral answer to a /dispatch replaces the public "thinking…" with a private reply', async () => {
    const r = await rig({
      onInbound: async (inbound: Inbound, surface) => {
        if (inbound.kind === 'message') await surface.ephemeral({ channel: inbound.where.channel }, inbound.who.id, { text: 'You may not dispatch here.' });
      },
    });
    const command = r.fake.slashCommand({ text: 'deploy prod' });
    await r.inbound.atLeast(1);
    expect(r.fake.callsTo('DELETE', /@original$/).map((c) => c.path)).toEqual([`/webhooks/${r.fake.appId}/${command.token}/messages/@original`]);
    const followUps = r.fake.callsTo('POST', new RegExp(`^/webhooks/${r.fake.appId}/${command.token}$`));
    expect(followUps.map((c) => [c.body.content, c.body.flags])).toEqual([['You may not dispatch here.', 64]]);
  });
});
