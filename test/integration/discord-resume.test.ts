import { afterEach, describe, expect, it } from 'vitest';
import { startDiscord, type DiscordSurface } from '../../adapters/discord/index.js';
import type { Inbound } from '../../src/chat/inbound.js';
import { FakeDiscord, InboundRecorder, memoryDeliveries, startDiscordRig, type DiscordRig } from '../fakes/discord-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(): Promise<DiscordRig> {
  const r = await startDiscordRig();
  cleanups.push(r.close);
  return r;
}

const texts = (seen: Inbound[]): string[] => seen.map((i) => (i.kind === 'message' ? i.text : i.kind));

describe('discord delivery across reconnects', () => {
  it('a gateway close and RESUME that replays an already-delivered message delivers it once', async () => {
    const r = await rig();
    const before = r.fake.sequence;
    r.fake.userMessage({ channel: r.fake.general, content: `<@${r.fake.bot.id}> audit the auth module` });
    await r.inbound.atLeast(1);
    r.fake.dropConnection({ replayFrom: before });
    await r.fake.until(() => r.fake.resumes.length === 1);
    // A message after the resume is delivered; the replayed one before it is not delivered again.
    r.fake.userMessage({ channel: r.fake.general, content: `<@${r.fake.bot.id}> status` });
    await r.inbound.atLeast(2);
    expect(r.fake.resumes[0]?.seq).toBeGreaterThan(before);
    expect(r.fake.replayed).toEqual(['MESSAGE_CREATE']);
    expect(r.fake.identifies).toHaveLength(1);
    expect(texts(r.inbound.seen)).toEqual(['audit the auth module', 'status']);
  });

  it('a replayed button press after RESUME is not answered or delivered twice', async () => {
    const r = await rig();
    const ref = await r.surface.post({ channel: r.fake.general.id }, { text: 'Sound good?', buttons: [{ action: { type: 'confirm', prompt: 'p-1' }, label: 'Yes' }] });
    const message = r.fake.messages.get(ref.id);
    if (!message) throw new Error('not posted');
    const before = r.fake.sequence;
    const press = r.fake.component({ message, customId: 'bconfirm|p-1' });
    await r.inbound.atLeast(1);
    r.fake.dropConnection({ replayFrom: before });
    await r.fake.until(() => r.fake.resumes.length === 1);
    r.fake.userMessage({ channel: r.fake.general, content: `<@${r.fake.bot.id}> status` });
    await r.inbound.atLeast(2);
    expect(r.fake.replayed).toEqual(['INTERACTION_CREATE']);
    // The replay reached the adapter (before the later message did) and was refused as a duplicate.
    expect(r.deliveries.asked.filter((k) => k === `discord:${press.id}`)).toHaveLength(2);
    expect(texts(r.inbound.seen)).toEqual(['action', 'status']);
    expect(r.fake.callsTo('POST', new RegExp(`^/interactions/${press.id}/`))).toHaveLength(1);
  });

  it('after a restart with the same delivery store, a redelivered message is not dispatched again', async () => {
    const fake = await new FakeDiscord().start();
    cleanups.push(() => fake.close());
    const deliveries = memoryDeliveries();
    const start = async (inbound: InboundRecorder<Inbound>): Promise<DiscordSurface> => {
      const surface = await startDiscord({ token: 't', apiUrl: fake.apiUrl, guildId: fake.guildId, onInbound: inbound.record, accept: deliveries.accept });
      cleanups.push(() => surface.stop());
      return surface;
    };
    const first = new InboundRecorder<Inbound>();
    const firstSurface = await start(first);
    const request = fake.userMessage({ channel: fake.general, content: `<@${fake.bot.id}> write the changelog` });
    await first.atLeast(1);
    await firstSurface.stop();

    const second = new InboundRecorder<Inbound>();
    await start(second);
    fake.redeliver('MESSAGE_CREATE', request);
    fake.userMessage({ channel: fake.general, content: `<@${fake.bot.id}> status` });
    await second.atLeast(1);
    expect(fake.identifies).toHaveLength(2);
    expect(texts(first.seen)).toEqual(['write the changelog']);
    expect(texts(second.seen)).toEqual(['status']);
    expect(deliveries.asked.filter((k) => k === `discord:${String(request.id)}`)).toHaveLength(2);
  });
});
