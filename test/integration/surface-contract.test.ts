import { PassThrough } from 'node:stream';
import { startSlack } from '../../adapters/slack/index.js';
import { createShellSurface, toInbound } from '../../adapters/shell/index.js';
import type { Inbound } from '../../src/chat/inbound.js';
import type { MessageRef } from '../../src/chat/surface.js';
import { runSurfaceContract, type SurfaceHarness } from '../contract/surface.contract.js';
import { startDiscordRig, type FakeMessage } from '../fakes/discord-server.js';
import { SlackSender, memoryDedupe, recordingInbound, startFakeSlack } from '../fakes/slack-server.js';
import { DiscordApp } from '../support/discord-rig-app.js';
import { RecordingSurface } from '../support/recording-surface.js';
import { findAction, visible } from '../support/slack-rig.js';

const SIGNING_SECRET = 'surface-contract-secret';

runSurfaceContract('Slack (real Bolt app, fake Slack)', async (): Promise<SurfaceHarness> => {
  const fake = await startFakeSlack({ botUserId: 'UBOT' });
  const inbound = recordingInbound();
  const slack = await startSlack({
    botToken: 'xoxb-contract',
    signingSecret: SIGNING_SECRET,
    apiUrl: fake.apiUrl,
    port: 0,
    host: '127.0.0.1',
    onInbound: inbound.onInbound,
    accept: memoryDedupe().accept,
    log: () => undefined,
  });
  const sender = new SlackSender(`http://127.0.0.1:${String(slack.port)}/slack/events`, SIGNING_SECRET);
  const shown = (ref: MessageRef) => {
    const message = fake.message(ref.channel, ref.id);
    if (!message) throw new Error(`no message ${ref.channel}/${ref.id}`);
    return message;
  };
  return {
    surface: slack,
    channel: 'C1',
    read: async (ref) => visible(shown(ref)),
    async press(ref, label) {
      const message = shown(ref);
      const action = findAction(message, label);
      if (!action) throw new Error(`no choice "${label}" in ${visible(message)}`);
      const before = inbound.seen.length;
      await sender.interactive({
        type: 'block_actions',
        user: { id: 'UALICE', username: 'alice', team_id: 'T1' },
        trigger_id: `trigger-${before}`,
        container: { type: 'message', message_ts: ref.id, channel_id: ref.channel },
        channel: { id: ref.channel },
        message: { type: 'message', ts: ref.id, text: message.text, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) },
        actions: [{ ...action, block_id: 'b1', action_ts: '1.2' }],
      });
      await inbound.count(before + 1);
      return inbound.seen[before] as Inbound;
    },
    attached: async (ref) => fake.files.filter((f) => f.channel === ref.channel && f.thread === ref.thread).map((f) => ({ name: f.filename, bytes: f.bytes })),
    share(name, bytes) {
      const hosted = fake.hostFile(name, bytes);
      const file = { name, size: hosted.size, handle: hosted.url_private_download };
      return { file, foreign: { ...file, handle: 'https://files.example.com/shot.png' } };
    },
    async close() {
      await slack.stop();
      await fake.close();
    },
  };
}, { takesFiles: true });

runSurfaceContract('Discord (real discord.js client, fake Discord)', async (): Promise<SurfaceHarness> => {
  const rig = await startDiscordRig();
  const message = (ref: MessageRef): FakeMessage => {
    const found = rig.fake.messages.get(ref.id);
    if (!found) throw new Error(`no message ${ref.id}`);
    return found;
  };
  type Component = { custom_id: string; label?: string; options?: { label: string; value: string }[] };
  return {
    surface: rig.surface,
    channel: rig.fake.general.id,
    read: async (ref) => DiscordApp.text(message(ref)),
    async press(ref, label) {
      const posted = message(ref);
      const components = ((posted.components ?? []) as { components: Component[] }[]).flatMap((row) => row.components);
      const button = components.find((c) => c.label === label);
      const menu = components.find((c) => c.options?.some((o) => o.label === label));
      const value = menu?.options?.find((o) => o.label === label)?.value;
      const before = rig.inbound.seen.length;
      if (button) rig.fake.component({ message: posted, customId: button.custom_id });
      else if (menu && value) rig.fake.component({ message: posted, customId: menu.custom_id, values: [value] });
      else throw new Error(`no choice "${label}" on ${DiscordApp.text(posted)}`);
      await rig.inbound.atLeast(before + 1);
      return rig.inbound.seen[before] as Inbound;
    },
    attached: async (ref) => rig.fake.uploads.filter((u) => u.message_id === ref.id).map((u) => ({ name: u.filename, bytes: u.bytes })),
    share(name, bytes) {
      const hosted = rig.fake.hostAttachment(rig.fake.general.id, { filename: name, bytes });
      const file = { name, size: hosted.size, handle: hosted.url };
      return { file, foreign: { ...file, handle: 'https://cdn.example.com/attachments/1/2/shot.png' } };
    },
    close: () => rig.close(),
  };
}, { takesFiles: true });

runSurfaceContract('shell (a terminal or a pipe)', async (): Promise<SurfaceHarness> => {
  const surface = createShellSurface(new PassThrough(), false);
  return {
    surface,
    channel: 'local',
    read: async (ref) => surface.showing(ref),
    // A choice is answered by typing its label (or number), as at the prompt.
    press: async (_ref, label) => toInbound(surface, label, 'alice'),
    // The shell runs beside the runner: it prints where each file is.
    attached: async (ref) => [...surface.showing(ref).matchAll(/^(\S+): (\/\S+)$/gm)].map((m) => ({ name: m[1] ?? '', path: m[2] ?? '' })),
    close: async () => undefined,
  };
});

runSurfaceContract('the recording surface the dispatcher is tested against', async (): Promise<SurfaceHarness> => {
  const surface = new RecordingSurface('shell');
  const posted = (ref: MessageRef) => {
    const found = surface.posts.find((p) => p.ref.id === ref.id);
    if (!found) throw new Error(`no message ${ref.id}`);
    return found;
  };
  return {
    surface,
    channel: 'C1',
    async read(ref) {
      const latest = surface.latest(posted(ref));
      return [latest.text, latest.progress ? `${latest.progress.done}/${latest.progress.total}` : ''].join('\n');
    },
    async press(ref, label) {
      const reply = surface.latest(posted(ref));
      const choice = reply.buttons?.find((b) => b.label === label) ?? reply.select?.options.find((o) => o.label === label);
      if (!choice) throw new Error(`no choice "${label}"`);
      return { kind: 'action', who: { id: 'alice', groups: [] }, where: { surface: 'shell', channel: ref.channel }, action: choice.action };
    },
    attached: async (ref) =>
      (surface.latest(posted(ref)).attachments ?? []).map((a) => (typeof a.content === 'string' ? { name: a.filename, bytes: Buffer.from(a.content) } : { name: a.filename, bytes: a.content })),
    close: async () => undefined,
  };
});
