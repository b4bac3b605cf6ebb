import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/chat/reply.js';
import { startDiscordRig, type DiscordRig, type FakeMessage } from '../fakes/discord-server.js';

const rigs: DiscordRig[] = [];
async function rig(): Promise<DiscordRig> {
  const r = await startDiscordRig();
  rigs.push(r);
  return r;
}

afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});

interface SeenEmbed {
  title?: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string }[];
}
interface SeenComponent {
  type: number;
  custom_id?: string;
  label?: string;
  style?: number;
  options?: { label: string; value: string }[];
  placeholder?: string;
}

const embedsOf = (m: FakeMessage | undefined): SeenEmbed[] => (m?.embeds ?? []) as SeenEmbed[];
const rowsOf = (m: FakeMessage | undefined): SeenComponent[][] =>
  ((m?.components ?? []) as { components: SeenComponent[] }[]).map((row) => row.components);

const status: Reply = {
  title: 'fix-login · running',
  text: 'Fixing the login redirect.',
  fields: [
    { label: 'Model', value: 'claude-opus-4-6' },
    { label: 'Backend', value: 'claude' },
    { label: 'Branch', value: 'dispatch/fix-login' },
    { label: 'Elapsed', value: '2m 10s' },
  ],
  checklist: [
    { text: 'Reproduce the redirect loop', mark: 'done' },
    { text: 'Patch the session check', mark: 'done' },
    { text: 'Which staging db?', mark: 'blocked', note: 'two are configured' },
    { text: 'Run the tests', mark: 'pending' },
  ],
  progress: { done: 2, total: 4 },
  buttons: [
    { action: { type: 'cancel-task', task: 'fix-login' }, label: 'Cancel', style: 'danger' },
    { action: { type: 'logs', task: 'fix-login' }, label: 'Logs' },
  ],
};

describe('discord egress', () => {
  it("starts the task's thread from the user's request message and posts in it", async () => {
    const { fake, surface } = await rig();
    const request = fake.userMessage({ channel: fake.general, content: `<@${fake.bot.id}> fix the login bug` });
    const ref = await surface.post({ channel: fake.general.id, startThread: true, fromMessage: String(request.id) }, status);
    const starts = fake.callsTo('POST', /\/threads$/);
    expect(starts.map((c) => [c.path, c.body.name])).toEqual([[`/channels/${fake.general.id}/messages/${String(request.id)}/threads`, 'fix-login · running']]);
    expect(ref).toEqual({ surface: 'discord', channel: fake.general.id, thread: String(request.id), id: expect.any(String) });
    expect(fake.botMessagesIn(ref.thread ?? '').map((m) => m.id)).toEqual([ref.id]);
    expect(fake.botMessagesIn(fake.general.id)).toEqual([]);
  });

  it("without a request message, starts the thread from the bot's own post", async () => {
    const { fake, surface } = await rig();
    const ref = await surface.post({ channel: fake.general.id, startThread: true }, { text: 'I\u2019ll dispatch this using **opus**. Sound good?' });
    expect(fake.botMessagesIn(fake.general.id).map((m) => m.id)).toEqual([ref.id]);
    expect(ref.thread).toBe(ref.id);
    expect(fake.threadsOf(fake.general.id).map((t) => t.name)).toEqual(['I\u2019ll dispatch this using opus. Sound good?']);
  });

  it('answers a direct message in the DM itself, where Discord has no threads', async () => {
    const { fake, surface, inbound } = await rig();
    const dm = { id: fake.id(), type: 1 as const };
    const sent = fake.userMessage({ channel: dm, author: fake.bob, content: 'fix the docs typo' });
    await inbound.atLeast(1);
    const ref = await surface.post({ channel: dm.id, startThread: true, fromMessage: String(sent.id) }, { text: 'Dispatched **fix-docs-typo**.' });
    expect(ref).toEqual({ surface: 'discord', channel: dm.id, id: expect.any(String) });
    expect(fake.botMessagesIn(dm.id).map((m) => m.content)).toEqual(['Dispatched **fix-docs-typo**.']);
    expect(fake.callsTo('POST', /\/threads$/)).toHaveLength(0);
  });

  it('edits a status message in place, in its thread or as a thread starter', async () => {
    const { fake, surface } = await rig();
    const request = fake.userMessage({ channel: fake.general, content: `<@${fake.bot.id}> fix it` });
    const inThread = await surface.post({ channel: fake.general.id, startThread: true, fromMessage: String(request.id) }, status);
    await surface.edit(inThread, { ...status, title: 'fix-login · done', progress: { done: 4, total: 4 } });
    const starter = await surface.post({ channel: fake.general.id, startThread: true }, { text: 'Pick a model' });
    await surface.edit(starter, { text: 'Dispatched with opus.' });
    expect(fake.callsTo('PATCH', /^\/channels\//).map((c) => c.path)).toEqual([
      `/channels/${inThread.thread ?? ''}/messages/${inThread.id}`,
      `/channels/${fake.general.id}/messages/${starter.id}`,
    ]);
    expect(embedsOf(fake.messages.get(inThread.id))[0]?.title).toBe('fix-login · done');
    expect(fake.messages.get(starter.id)?.content).toBe('Dispatched with opus.');
    expect(fake.botMessagesIn(inThread.thread ?? '')).toHaveLength(1);
  });

  it('shows a status card as a user sees it: checklist, progress bar, fields, Cancel and Logs buttons', async () => {
    const { fake, surface } = await rig();
    const ref = await surface.post({ channel: fake.general.id }, status);
    const message = fake.messages.get(ref.id);
    const [embed] = embedsOf(message);
    expect(embed?.title).toBe('fix-login · running');
    expect(embed?.description).toBe(
      [
        'Fixing the login redirect.',
        '',
        '✅ Reproduce the redirect loop\n✅ Patch the session check\n❓ Which staging db?\n   ↳ two are configured\n⬜ Run the tests',
        '',
        '▓▓░░ 2/4',
      ].join('\n'),
    );
    expect(embed?.fields?.map((f) => `${f.name}: ${f.value}`)).toEqual(['Model: claude-opus-4-6', 'Backend: claude', 'Branch: dispatch/fix-login', 'Elapsed: 2m 10s']);
    // A blocked item makes the card yellow: the task waits on someone.
    expect(embed?.color).toBe(0xfee75c);
    expect(rowsOf(message)).toEqual([
      [
        expect.objectContaining({ type: 2, label: 'Cancel', style: 4, custom_id: 'bcancel-task|fix-login' }),
        expect.objectContaining({ type: 2, label: 'Logs', style: 2, custom_id: 'blogs|fix-login' }),
      ],
    ]);
  });

  it('keeps a 5000-character reply: the message stays within limits and the full text is attached', async () => {
    const { fake, surface } = await rig();
    const long = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(40)}`).join('\n');
    expect(long.length).toBeGreaterThan(4096);
    const ref = await surface.post({ channel: fake.general.id }, { text: long });
    const [call] = fake.callsTo('POST', /^\/channels\/\d+\/messages$/);
    const content = String(call?.body.content ?? '');
    const description = embedsOf(fake.messages.get(ref.id))[0]?.description ?? '';
    expect(content.length).toBeLessThanOrEqual(2000);
    expect(description.length).toBeLessThanOrEqual(4096);
    expect(description).toContain('line 000');
    expect(call?.files.map((f) => f.name)).toEqual(['message.txt']);
    expect(call?.files[0]?.text).toBe(long);
  });

  it('puts a 3000-character reply in an embed rather than failing the 2000-character content limit', async () => {
    const { fake, surface } = await rig();
    const text = 'word '.repeat(600).trim();
    const ref = await surface.post({ channel: fake.general.id }, { text });
    expect(fake.messages.get(ref.id)?.content).toBe('');
    expect(embedsOf(fake.messages.get(ref.id))[0]?.description).toBe(text);
  });

  it('attaches long logs as a file and shows short code inline', async () => {
    const { fake, surface } = await rig();
    const log = 'E'.repeat(3000);
    await surface.post({ channel: fake.general.id }, { text: 'Logs for fix-login', code: log });
    await surface.post({ channel: fake.general.id }, { text: 'Tail', code: 'exit 1' });
    const [first, second] = fake.callsTo('POST', /^\/channels\/\d+\/messages$/);
    expect(first?.files).toEqual([expect.objectContaining({ name: 'output.txt', text: log })]);
    expect(String(second?.body.content)).toBe('Tail\n\n```\nexit 1\n```');
  });

  it('mentions the requester of a worker question and pings nobody else', async () => {
    const { fake, surface } = await rig();
    await surface.post({ channel: fake.general.id }, { text: 'Which staging db? @everyone', mention: fake.alice.id });
    const [call] = fake.callsTo('POST', /^\/channels\/\d+\/messages$/);
    expect(call?.body.content).toBe(`<@${fake.alice.id}> Which staging db? @everyone`);
    expect(call?.body.allowed_mentions).toEqual({ parse: [], users: [fake.alice.id] });
  });

  it('shows a select of more than 25 models as the first 24 and says how to pick another', async () => {
    const { fake, surface } = await rig();
    const options = Array.from({ length: 30 }, (_, i) => ({ label: `model-${i}`, action: { type: 'pick-model' as const, prompt: 'p1', model: `model-${i}` } }));
    const ref = await surface.post({ channel: fake.general.id }, {
      text: 'Pick a model',
      buttons: [{ action: { type: 'confirm', prompt: 'p1' }, label: 'Dispatch with opus', style: 'primary' }],
      select: { placeholder: 'Another model…', options },
    });
    const message = fake.messages.get(ref.id);
    const rows = rowsOf(message);
    expect(rows).toHaveLength(2);
    expect(rows[1]?.[0]?.options?.map((o) => o.label)).toEqual(options.slice(0, 24).map((o) => o.label));
    expect(message?.content).toContain('24 of 30');
  });

  it('splits many buttons into rows of five', async () => {
    const { fake, surface } = await rig();
    const buttons = Array.from({ length: 7 }, (_, i) => ({ action: { type: 'first-run' as const, prompt: 'p1', model: `m${i}` }, label: `m${i}` }));
    const ref = await surface.post({ channel: fake.general.id }, { text: 'Pick the default model', buttons });
    expect(rowsOf(fake.messages.get(ref.id)).map((row) => row.map((b) => b.label))).toEqual([
      ['m0', 'm1', 'm2', 'm3', 'm4'],
      ['m5', 'm6'],
    ]);
  });

  it('keeps a button whose action is too long for a custom id working through a short id', async () => {
    const { fake, surface, inbound } = await rig();
    const action = { type: 'recover' as const, task: `task-${'t'.repeat(55)}`, model: `model-${'m'.repeat(60)}` };
    const ref = await surface.post({ channel: fake.general.id }, { text: 'Retry?', buttons: [{ action, label: 'Yes' }] });
    const message = fake.messages.get(ref.id);
    const customId = rowsOf(message)[0]?.[0]?.custom_id ?? '';
    expect(customId.length).toBeLessThanOrEqual(100);
    if (!message) throw new Error('no message');
    fake.component({ message, customId });
    await inbound.atLeast(1);
    expect(inbound.seen[0]).toMatchObject({ kind: 'action', action });
  });

  it('without a live interaction, an ephemeral reply is a message naming the user', async () => {
    const { fake, surface } = await rig();
    await surface.ephemeral({ channel: fake.general.id }, fake.bob.id, { text: 'Only alice can answer this prompt.' });
    const [call] = fake.callsTo('POST', /^\/channels\/\d+\/messages$/);
    expect(call?.body.content).toBe(`<@${fake.bob.id}> Only alice can answer this prompt.`);
    expect(call?.body.allowed_mentions).toEqual({ parse: [], users: [fake.bob.id] });
  });
});
