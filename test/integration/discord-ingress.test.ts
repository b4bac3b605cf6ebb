import { afterEach, describe, expect, it } from 'vitest';
import { startDiscord, type DiscordSurface } from '../../adapters/discord/index.js';
import type { Inbound } from '../../src/chat/inbound.js';
import { FakeDiscord, InboundRecorder, memoryDeliveries } from '../fakes/discord-server.js';

interface Rig {
  fake: FakeDiscord;
  surface: DiscordSurface;
  inbound: InboundRecorder<Inbound>;
}

const open: { stop: () => Promise<void> }[] = [];

async function rig(opts: { guild?: boolean } = {}): Promise<Rig> {
  const fake = await new FakeDiscord().start();
  open.push({ stop: () => fake.close() });
  const inbound = new InboundRecorder<Inbound>();
  const surface = await startDiscord({
    token: 'fake-token',
    apiUrl: fake.apiUrl,
    ...(opts.guild === false ? {} : { guildId: fake.guildId }),
    onInbound: inbound.record,
    firstDelivery: memoryDeliveries().firstDelivery,
  });
  open.unshift({ stop: () => surface.stop() });
  return { fake, surface, inbound };
}

afterEach(async () => {
  for (const o of open.splice(0)) await o.stop();
});

describe('discord ingress', () => {
  it('registers /dispatch in the guild when a guild id is given', async () => {
    const { fake, surface } = await rig();
    const puts = fake.callsTo('PUT', /^\/applications\/\d+\/guilds\/\d+\/commands$/);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.path).toContain(fake.guildId);
    const [command] = puts[0]?.body.items as { name: string; options: { name: string; type: number; required?: boolean }[] }[];
    expect(command?.name).toBe('dispatch');
    expect(command?.options).toEqual([expect.objectContaining({ name: 'text', type: 3, required: false })]);
    expect(surface.botUserId).toBe(fake.bot.id);
    expect(fake.identifies[0]).toMatchObject({ intents: 1 | 512 | 4096 | 32768 });
  });

  it('registers /dispatch globally without a guild id', async () => {
    const { fake } = await rig({ guild: false });
    expect(fake.callsTo('PUT', /^\/applications\/\d+\/commands$/)).toHaveLength(1);
    expect(fake.callsTo('PUT', /guilds/)).toHaveLength(0);
  });

  it('turns a mention into a request with the mention stripped', async () => {
    const { fake, inbound } = await rig();
    fake.userMessage({ channel: fake.general, content: 'just chatting' });
    const sent = fake.userMessage({ channel: fake.general, content: `<@${fake.bot.id}> fix the login bug with opus` });
    await inbound.atLeast(1);
    expect(inbound.seen).toEqual([
      {
        kind: 'message',
        who: { id: fake.alice.id, name: 'alice', groups: [] },
        where: { surface: 'discord', channel: fake.general.id, message: sent.id },
        text: 'fix the login bug with opus',
        deliveryId: sent.id,
      },
    ]);
  });
});
