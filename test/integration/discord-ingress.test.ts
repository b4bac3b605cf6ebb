import { afterEach, describe, expect, it } from 'vitest';
import { discordFromEnv } from '../../adapters/discord/index.js';
import { FakeDiscord, memoryDeliveries, startDiscordRig, type DiscordRig } from '../fakes/discord-server.js';

const rigs: DiscordRig[] = [];
async function rig(opts: Parameters<typeof startDiscordRig>[0] = {}): Promise<DiscordRig> {
  const r = await startDiscordRig(opts);
  rigs.push(r);
  return r;
}

afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});

describe('discord ingress', () => {
  it('registers /dispatch in the guild when a guild id is given', async () => {
    const { fake, surface } = await rig();
    const puts = fake.callsTo('PUT', /^\/applications\/\d+\/guilds\/\d+\/commands$/);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.path).toBe(`/applications/${fake.appId}/guilds/${fake.guildId}/commands`);
    const [command] = puts[0]?.body.items as { name: string; options: { name: string; type: number; required?: boolean }[] }[];
    expect(command?.name).toBe('dispatch');
    expect(command?.options).toEqual([expect.objectContaining({ name: 'text', type: 3, required: false })]);
    expect(surface.botUserId).toBe(fake.bot.id);
    // Guilds | GuildMessages | DirectMessages | MessageContent
    expect(fake.identifies[0]).toMatchObject({ intents: 1 | 512 | 4096 | 32768 });
  });

  it('registers /dispatch globally without a guild id', async () => {
    const { fake } = await rig({ guild: false });
    expect(fake.callsTo('PUT', /^\/applications\/\d+\/commands$/)).toHaveLength(1);
    expect(fake.callsTo('PUT', /guilds/)).toHaveLength(0);
  });

  it('turns a mention into a request with the mention stripped, ignoring other chatter', async () => {
    const { fake, inbound } = await rig();
    fake.userMessage({ channel: fake.general, content: 'just chatting' });
    fake.userMessage({ channel: fake.general, author: { id: '900000000000000099', username: 'otherbot', bot: true }, content: `<@${fake.bot.id}> loop` });
    const sent = fake.userMessage({ channel: fake.general, content: `<@!${fake.bot.id}> fix the login bug  with opus` });
    await inbound.atLeast(1);
    expect(inbound.seen).toEqual([
      {
        kind: 'message',
        who: { id: fake.alice.id, name: 'alice', groups: [fake.dispatchersRole] },
        where: { surface: 'discord', channel: fake.general.id, message: sent.id },
        text: 'fix the login bug with opus',
        addressed: true,
        deliveryId: sent.id,
      },
    ]);
  });

  it("hears a mention of the bot's own role like a mention of the bot", async () => {
    const { fake, inbound } = await rig();
    fake.userMessage({ channel: fake.general, content: `<@&${fake.dispatchersRole}> standup in 5` });
    fake.userMessage({ channel: fake.general, content: `<@&${fake.botRole}> status` });
    await inbound.atLeast(1);
    expect(inbound.seen.map((i) => (i.kind === 'message' ? i.text : ''))).toEqual(['status']);
  });

  it("tells a /dispatch user when handling failed instead of leaving it thinking", async () => {
    const { fake } = await rig({
      onInbound: async () => {
        throw new Error('dispatcher crashed');
      },
    });
    const command = fake.slashCommand({ text: 'status' });
    await fake.until(() => fake.callsTo('PATCH', /@original$/).length > 0);
    const [edit] = fake.callsTo('PATCH', new RegExp(`/webhooks/${fake.appId}/${command.token}/messages/@original$`));
    expect(String(edit?.body.content)).toMatch(/went wrong/);
  });

  it("hears every reply in a thread the bot started, but only mentions in other threads", async () => {
    const { fake, inbound } = await rig();
    const taskThread = fake.addThread(fake.general, 'fix login', fake.bot.id);
    const userThread = fake.addThread(fake.general, 'banter', fake.bob.id);
    fake.userMessage({ channel: userThread, author: fake.bob, content: 'not for the bot' });
    const reply = fake.userMessage({ channel: taskThread, author: fake.bob, content: 'use the staging db' });
    const mention = fake.userMessage({ channel: userThread, author: fake.bob, content: `<@${fake.bot.id}> status` });
    await inbound.atLeast(2);
    expect(inbound.seen.map((i) => (i.kind === 'message' ? [i.text, i.where] : undefined))).toEqual([
      ['use the staging db', { surface: 'discord', channel: fake.general.id, thread: taskThread.id, message: reply.id }],
      ['status', { surface: 'discord', channel: fake.general.id, thread: userThread.id, message: mention.id }],
    ]);
  });

  it('turns a direct message into a request', async () => {
    const { fake, inbound } = await rig();
    const dm = { id: fake.id(), type: 1 as const };
    const sent = fake.userMessage({ channel: dm, author: fake.bob, content: 'status' });
    await inbound.atLeast(1);
    expect(inbound.seen[0]).toMatchObject({ kind: 'message', text: 'status', who: { id: fake.bob.id }, where: { channel: dm.id, message: sent.id } });
  });

  it('answers /dispatch text:status within the interaction: deferred at once, then the reply edits it', async () => {
    const { fake, inbound, surface } = await rig();
    const command = fake.slashCommand({ text: 'status' });
    await inbound.atLeast(1);
    expect(inbound.seen[0]).toEqual({
      kind: 'message',
      who: { id: fake.alice.id, name: 'alice', groups: [fake.dispatchersRole] },
      where: { surface: 'discord', channel: fake.general.id, message: command.id },
      text: 'status',
      addressed: true,
      deliveryId: command.id,
    });
    // "thinking…" before the dispatcher ran (Discord's 3 s)
    expect(fake.callsTo('POST', new RegExp(`^/interactions/${command.id}/${command.token}/callback$`)).map((c) => c.body.type)).toEqual([5]);
    const ref = await surface.post({ channel: fake.general.id }, { text: 'No tasks in this channel.' });
    const edits = fake.callsTo('PATCH', new RegExp(`^/webhooks/${fake.appId}/${command.token}/messages/@original$`));
    expect(edits).toHaveLength(1);
    expect(edits[0]?.body.content).toBe('No tasks in this channel.');
    expect(fake.callsTo('POST', /^\/channels\/\d+\/messages$/)).toHaveLength(0);
    expect(ref).toMatchObject({ surface: 'discord', channel: fake.general.id });
    // The next post is an ordinary channel message: the command was answered once.
    await surface.post({ channel: fake.general.id }, { text: 'something else' });
    expect(fake.callsTo('POST', /^\/channels\/\d+\/messages$/)).toHaveLength(1);
  });

  it('reads an empty /dispatch as a warm-up request with empty text', async () => {
    const { fake, inbound } = await rig();
    const command = fake.slashCommand({});
    await inbound.atLeast(1);
    expect(inbound.seen[0]).toMatchObject({ kind: 'message', text: '', deliveryId: command.id });
  });

  it('starts the task thread of a /dispatch request from the command reply', async () => {
    const { fake, inbound, surface } = await rig();
    const command = fake.slashCommand({ text: 'fix the flaky test with sonnet' });
    await inbound.atLeast(1);
    const request = inbound.seen[0];
    if (request?.kind !== 'message') throw new Error('expected a message request');
    const ref = await surface.post(
      { channel: request.where.channel, startThread: true, ...(request.where.message ? { fromMessage: request.where.message } : {}) },
      { title: 'fix-flaky-test', text: 'Dispatched **fix-flaky-test** to sonnet.' },
    );
    const original = fake.callsTo('PATCH', new RegExp(`/webhooks/${fake.appId}/${command.token}/messages/@original$`));
    expect(original).toHaveLength(1);
    expect(ref.thread).toBe(ref.id);
    const threads = fake.callsTo('POST', /^\/channels\/\d+\/messages\/\d+\/threads$/);
    expect(threads.map((t) => [t.path, t.body.name])).toEqual([[`/channels/${fake.general.id}/messages/${ref.id}/threads`, 'fix-flaky-test']]);
    // Later posts land in that thread.
    await surface.post({ channel: ref.channel, thread: ref.thread ?? '' }, { text: 'progress' });
    expect(fake.botMessagesIn(ref.thread ?? '').map((m) => m.content)).toEqual(['progress']);
  });
});

describe('discordFromEnv', () => {
  it('starts nothing without DISCORD_TOKEN', () => {
    const never = async (): Promise<never> => {
      throw new Error('not called');
    };
    expect(discordFromEnv({ DISCORD_TOKEN: '' }, { onInbound: never, accept: never })).toBeUndefined();
    expect(discordFromEnv({}, { onInbound: never, accept: never })).toBeUndefined();
  });

  it('logs in with DISCORD_TOKEN, DISCORD_API_URL and DISCORD_GUILD_ID', async () => {
    const fake = await new FakeDiscord().start();
    try {
      const deliveries = memoryDeliveries();
      const started = discordFromEnv(
        { DISCORD_TOKEN: 'env-token', DISCORD_API_URL: fake.apiUrl, DISCORD_GUILD_ID: fake.guildId, PATH: '/usr/bin' },
        { onInbound: async () => undefined, accept: deliveries.accept },
      );
      const surface = await started;
      await surface?.stop();
      expect(fake.calls[0]?.auth).toBe('Bot env-token');
      expect(fake.callsTo('PUT', new RegExp(`/guilds/${fake.guildId}/commands$`))).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });

  it('refuses a guild id that is not an id, naming the variable', () => {
    const none = async (): Promise<boolean> => true;
    expect(() => discordFromEnv({ DISCORD_TOKEN: 't', DISCORD_GUILD_ID: 'my server' }, { onInbound: async () => undefined, accept: none })).toThrow(/DISCORD_GUILD_ID/);
  });
});
