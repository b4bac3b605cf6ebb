import { afterEach, describe, expect, it } from 'vitest';
import { startSlack, type SlackSurface } from '../../adapters/slack/index.js';
import type { Reply } from '../../src/chat/reply.js';
import { memoryDedupe, recordingInbound, startFakeSlack, type FakeSlack, type FakeSlackOptions } from '../fakes/slack-server.js';

interface Block {
  type: string;
  text?: { type: string; text: string };
  fields?: { text: string }[];
  elements?: { type: string; action_id: string; text?: { text: string }; value?: string; style?: string; options?: { value: string }[] }[];
}

describe('Slack egress (real Web API client, fake Slack)', () => {
  let fake: FakeSlack | undefined;
  let slack: SlackSurface | undefined;
  const logs: string[] = [];

  const setup = async (opts: FakeSlackOptions = {}): Promise<{ fake: FakeSlack; slack: SlackSurface }> => {
    fake = await startFakeSlack({ botUserId: 'UBOT', ...opts });
    slack = await startSlack({
      botToken: 'xoxb-test',
      signingSecret: 'secret',
      apiUrl: fake.apiUrl,
      port: 0,
      host: '127.0.0.1',
      onInbound: recordingInbound().onInbound,
      accept: memoryDedupe().accept,
      log: (line) => logs.push(line),
    });
    return { fake, slack };
  };

  afterEach(async () => {
    await slack?.stop();
    await fake?.close();
    slack = undefined;
    fake = undefined;
  });

  it('starts a thread, posts into it, and edits the first message in place', async () => {
    const { fake, slack } = await setup();
    const ref = await slack.post({ channel: 'C1', startThread: true }, { text: 'Dispatching **security-audit** using opus' });
    expect(ref.thread).toBe(ref.id);
    const inThread = await slack.post({ channel: 'C1', thread: ref.thread }, { text: 'Task started' });
    expect(inThread.thread).toBe(ref.thread);
    await slack.edit(ref, { text: 'Dispatched **security-audit** using opus' });

    const posts = fake.callsOf('chat.postMessage');
    expect(posts.map((c) => c.body.thread_ts)).toEqual([undefined, ref.id]);
    expect(fake.callsOf('chat.update').map((c) => c.body.ts)).toEqual([ref.id]);
    const shown = fake.message('C1', ref.id);
    expect(shown?.edits).toBe(1);
    expect(JSON.stringify(shown?.blocks)).toContain('Dispatched *security-audit* using opus');
  });

  it('renders a status reply as Block Kit a user can read and press', async () => {
    const { fake, slack } = await setup();
    const status: Reply = {
      title: 'security-audit',
      text: 'Running for **3m 12s**',
      fields: [
        { label: 'Model', value: 'claude-opus-4-6' },
        { label: 'Backend', value: 'claude' },
        { label: 'Branch', value: 'dispatch/security-audit' },
      ],
      checklist: [
        { text: 'Read the auth flow', mark: 'done' },
        { text: 'Check JWT expiry', mark: 'done' },
        { text: 'Ask about the reset token TTL', mark: 'blocked', note: 'waiting for an answer' },
        { text: 'Payment webhooks', mark: 'error' },
        { text: 'Write report', mark: 'pending' },
      ],
      progress: { done: 4, total: 8 },
      buttons: [
        { action: { type: 'cancel-task', task: 'security-audit' }, label: 'Cancel', style: 'danger' },
        { action: { type: 'logs', task: 'security-audit' }, label: 'Logs' },
      ],
      select: { placeholder: 'Other model', options: [{ label: 'sonnet', action: { type: 'pick-model', prompt: 'p1', model: 'sonnet' } }] },
    };
    await slack.post({ channel: 'C1', thread: '1.0' }, status);
    const [call] = fake.callsOf('chat.postMessage');
    expect(call?.error).toBeUndefined();
    const blocks = call?.body.blocks as Block[];
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'security-audit', emoji: true } });
    const texts = blocks.map((b) => b.text?.text ?? '');
    expect(texts).toContain('Running for *3m 12s*');
    expect(blocks.find((b) => b.fields)?.fields?.map((f) => f.text)).toEqual([
      '*Model*\nclaude-opus-4-6',
      '*Backend*\nclaude',
      '*Branch*\ndispatch/security-audit',
    ]);
    expect(texts).toContain(
      '✅ Read the auth flow\n✅ Check JWT expiry\n❓ Ask about the reset token TTL\n        _waiting for an answer_\n❌ Payment webhooks\n⬜ Write report',
    );
    expect(texts).toContain('▓▓▓▓░░░░ 4/8');
    const actions = blocks.find((b) => b.type === 'actions')?.elements ?? [];
    expect(actions.map((e) => [e.type, e.text?.text, e.value, e.style])).toEqual([
      ['button', 'Cancel', 'cancel-task|security-audit', 'danger'],
      ['button', 'Logs', 'logs|security-audit', undefined],
      ['static_select', undefined, undefined, undefined],
    ]);
    expect(new Set(actions.map((e) => e.action_id)).size).toBe(3);
    expect(String(call?.body.text)).toContain('security-audit');
  });

  it('mentions the requester and shows short code as a code block', async () => {
    const { fake, slack } = await setup();
    await slack.post({ channel: 'C1', thread: '1.0' }, { mention: 'U42', text: 'Worker question: which <db>?', code: 'SELECT 1 & 2;' });
    const blocks = fake.callsOf('chat.postMessage')[0]?.body.blocks as Block[];
    expect(blocks[0]?.text?.text).toBe('<@U42> Worker question: which &lt;db&gt;?');
    expect(blocks[1]?.text?.text).toBe('```\nSELECT 1 &amp; 2;\n```');
  });

  it('splits 10 kB of text over several messages in the thread, none refused', async () => {
    const { fake, slack } = await setup();
    const words = Array.from({ length: 1600 }, (_, i) => `word${i}`);
    const text = words.join(' ').slice(0, 10_240);
    const ref = await slack.post({ channel: 'C1', startThread: true }, { text });
    const posts = fake.callsOf('chat.postMessage');
    expect(posts.length).toBeGreaterThan(2);
    expect(posts.every((c) => c.error === undefined && c.status === 200)).toBe(true);
    expect(posts.slice(1).every((c) => c.body.thread_ts === ref.id)).toBe(true);
    for (const c of posts) {
      const size = (c.body.blocks as Block[]).reduce((n, b) => n + (b.text?.text.length ?? 0), 0);
      expect(size).toBeLessThanOrEqual(4000);
    }
    const shown = posts.flatMap((c) => (c.body.blocks as Block[]).map((b) => b.text?.text ?? '')).join(' ');
    expect(shown.split(/\s+/)).toEqual(text.split(' '));
  });

  it('attaches 200 kB of code as a file in the thread instead of one oversized message', async () => {
    const { fake, slack } = await setup();
    const code = Array.from({ length: 4000 }, (_, i) => `line ${i}: ${'x'.repeat(40)}`).join('\n');
    expect(code.length).toBeGreaterThan(200_000);
    const ref = await slack.post({ channel: 'C1', thread: '9.0' }, { text: 'Logs for perf-audit', code });
    expect(ref.id).toBeTruthy();
    expect(fake.calls.every((c) => c.error === undefined)).toBe(true);
    const [complete] = fake.callsOf('files.completeUploadExternal');
    expect(complete?.body).toMatchObject({ channel_id: 'C1', thread_ts: '9.0' });
    const uploaded = [...fake.uploads.values()].join('');
    expect(uploaded).toContain('line 0: ');
    expect(uploaded).toContain('line 3999: ');
    const post = fake.callsOf('chat.postMessage')[0];
    expect(JSON.stringify(post?.body.blocks)).toContain('attached as a file');
  });

  it('keeps an edit with a huge log to one message showing the log tail', async () => {
    const { fake, slack } = await setup();
    const ref = await slack.post({ channel: 'C1', thread: '9.0' }, { text: 'running' });
    const code = Array.from({ length: 4000 }, (_, i) => `line ${i}`).join('\n');
    await slack.edit(ref, { text: 'x'.repeat(9000), code });
    const [update] = fake.callsOf('chat.update');
    expect(update?.error).toBeUndefined();
    const shown = JSON.stringify(fake.message('C1', ref.id)?.blocks);
    expect(shown).toContain('line 3999');
    expect(shown).toContain('truncated');
  });

  it('sends ephemeral replies to one user in the thread', async () => {
    const { fake, slack } = await setup();
    await slack.ephemeral({ channel: 'C1', thread: '5.0' }, 'U7', { text: 'Only the requester can confirm this.' });
    const [call] = fake.callsOf('chat.postEphemeral');
    expect(call?.body).toMatchObject({ channel: 'C1', user: 'U7', thread_ts: '5.0' });
    expect(String(call?.body.text)).toContain('Only the requester can confirm this.');
  });

  it('waits out a 429 for its Retry-After and then posts', async () => {
    const { fake, slack } = await setup({ postPerChannel: { perSecond: 1, burst: 1 } });
    const first = await slack.post({ channel: 'C1' }, { text: 'one' });
    const second = await slack.post({ channel: 'C1' }, { text: 'two' });
    expect(second.id).not.toBe(first.id);
    expect(fake.callsOf('chat.postMessage').map((c) => c.status)).toEqual([200, 429, 200]);
    expect(fake.message('C1', second.id)?.text).toContain('two');
  });
});
