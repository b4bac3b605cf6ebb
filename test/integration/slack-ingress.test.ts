import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlack, type SlackSurface } from '../../adapters/slack/index.js';
import {
  memoryDedupe,
  recordingInbound,
  SlackSender,
  startFakeSlack,
  type FakeSlack,
  type FakeSlackOptions,
} from '../fakes/slack-server.js';

const SECRET = 'test-signing-secret';

describe('Slack ingress over HTTP (real Bolt app, fake Slack)', () => {
  let fake: FakeSlack;
  let fakeOpts: FakeSlackOptions;
  let slack: SlackSurface | undefined;
  let inbound: ReturnType<typeof recordingInbound>;
  let dedupe: ReturnType<typeof memoryDedupe>;
  let send: SlackSender;
  const logs: string[] = [];

  const start = async (): Promise<SlackSurface> => {
    slack = await startSlack({
      botToken: 'xoxb-test',
      signingSecret: SECRET,
      apiUrl: fake.apiUrl,
      port: 0,
      host: '127.0.0.1',
      onInbound: inbound.onInbound,
      accept: dedupe.accept,
      log: (line) => logs.push(line),
    });
    send = new SlackSender(`http://127.0.0.1:${slack.port}/slack/events`, SECRET);
    return slack;
  };

  beforeEach(async () => {
    fakeOpts = { botUserId: 'UBOT', botId: 'BBOT' };
    fake = await startFakeSlack(fakeOpts);
    inbound = recordingInbound();
    dedupe = memoryDedupe();
    await start();
  });

  afterEach(async () => {
    await slack?.stop();
    await fake.close();
  });

  it('refuses a wrong signature and a stale timestamp with 401 and delivers nothing from them', async () => {
    const wrong = await send.command({ text: 'forged', user_id: 'U1', channel_id: 'C1' }, { secret: 'not-the-secret' });
    const stale = await send.command(
      { text: 'replayed', user_id: 'U1', channel_id: 'C1' },
      { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 },
    );
    expect(wrong.status).toBe(401);
    expect(stale.status).toBe(401);
    const good = await send.command({ text: 'genuine', user_id: 'U1', channel_id: 'C1' });
    expect(good.status).toBe(200);
    await inbound.count(1);
    expect(inbound.seen.map((i) => (i.kind === 'message' ? i.text : i.kind))).toEqual(['genuine']);
  });

  it('acks a slash command before a slow dispatcher has finished with it', async () => {
    const release = inbound.hold();
    const res = await send.command({ text: 'use opus to review', user_id: 'U1', channel_id: 'C1' });
    expect(res.status).toBe(200);
    await inbound.count(1);
    expect(inbound.finished).toBe(0);
    release();
  });

  it('turns /dispatch into a new request in the channel', async () => {
    await send.command({ text: 'use opus to review the auth module', user_id: 'U1', user_name: 'alice', channel_id: 'C1' });
    await inbound.count(1);
    expect(inbound.seen[0]).toMatchObject({
      kind: 'message',
      who: { id: 'U1', name: 'alice' },
      where: { surface: 'slack', channel: 'C1' },
      text: 'use opus to review the auth module',
    });
    expect(inbound.seen[0]?.where.thread).toBeUndefined();
  });

  it('turns an @mention into a request without the mention markup, in its thread when it has one', async () => {
    await send.event({ type: 'app_mention', user: 'U2', text: '<@UBOT> use sonnet to test &lt;Login&gt;', channel: 'C1', ts: '100.000001' }, 'Ev1');
    await send.event(
      { type: 'app_mention', user: 'U2', text: 'status <@UBOT|dispatch>', channel: 'C1', ts: '100.000009', thread_ts: '100.000005' },
      'Ev2',
    );
    await inbound.count(2);
    expect(inbound.seen[0]).toMatchObject({ kind: 'message', who: { id: 'U2' }, text: 'use sonnet to test <Login>', deliveryId: 'Ev1' });
    expect(inbound.seen[0]?.where).toEqual({ surface: 'slack', channel: 'C1', message: '100.000001' });
    expect(inbound.seen[1]).toMatchObject({ text: 'status', where: { channel: 'C1', thread: '100.000005' } });
  });

  it('passes thread replies and DMs on, and ignores top-level chatter, bots, edits and joins', async () => {
    await send.event({ type: 'message', user: 'U3', text: 'just chatting', channel: 'C1', channel_type: 'channel', ts: '300.1' }, 'Ev10');
    await send.event({ type: 'message', bot_id: 'BBOT', user: 'UBOT', text: 'status card', channel: 'C1', ts: '300.2', thread_ts: '300.0' }, 'Ev11');
    await send.event({ type: 'message', subtype: 'message_changed', channel: 'C1', ts: '300.3', thread_ts: '300.0' }, 'Ev12');
    await send.event({ type: 'message', subtype: 'channel_join', user: 'U4', text: 'joined', channel: 'C1', ts: '300.4' }, 'Ev13');
    await send.event({ type: 'message', user: 'U3', text: 'use the staging db', channel: 'C1', channel_type: 'channel', ts: '300.5', thread_ts: '300.0' }, 'Ev14');
    await send.event({ type: 'message', user: 'U3', text: 'status', channel: 'D9', channel_type: 'im', ts: '300.6' }, 'Ev15');
    await inbound.count(2);
    expect(inbound.seen).toHaveLength(2);
    expect(inbound.seen[0]).toMatchObject({ text: 'use the staging db', where: { channel: 'C1', thread: '300.0', message: '300.5' } });
    expect(inbound.seen[1]).toMatchObject({ text: 'status', where: { channel: 'D9' } });
    expect(inbound.seen[1]?.where.thread).toBeUndefined();
  });

  it('delivers a thread reply that mentions the bot once, though Slack sends it as two events', async () => {
    const event = { user: 'U3', text: '<@UBOT> yes, go ahead', channel: 'C1', ts: '310.2', thread_ts: '310.0' };
    await send.event({ ...event, type: 'message', channel_type: 'channel' }, 'Ev20');
    await send.event({ ...event, type: 'app_mention' }, 'Ev21');
    await dedupe.asked('slack:msg:C1:310.2', 2);
    expect(inbound.seen).toHaveLength(1);
    expect(inbound.seen[0]).toMatchObject({ text: 'yes, go ahead', where: { thread: '310.0' } });
  });

  it('turns button presses and menu picks into actions in the message thread', async () => {
    await send.interactive(blockActions('U1', { action_id: 'confirm:0', type: 'button', value: 'confirm|pending-7' }, { ts: '400.1' }));
    await send.interactive(
      blockActions(
        'U1',
        { action_id: 'select:2', type: 'static_select', selected_option: { value: 'pick-model|pending-7|sonnet', text: { type: 'plain_text', text: 'sonnet' } } },
        { ts: '400.3', thread_ts: '400.1' },
      ),
    );
    await inbound.count(2);
    expect(inbound.seen[0]).toMatchObject({
      kind: 'action',
      who: { id: 'U1', name: 'alice' },
      action: { type: 'confirm', prompt: 'pending-7' },
      where: { surface: 'slack', channel: 'C1', thread: '400.1', message: '400.1' },
    });
    expect(inbound.seen[1]).toMatchObject({ kind: 'action', action: { type: 'pick-model', prompt: 'pending-7', model: 'sonnet' }, where: { thread: '400.1', message: '400.3' } });
  });

  it('opens a modal from a press and returns its submission as input in the same thread', async () => {
    await send.interactive(blockActions('U1', { action_id: 'answer:0', type: 'button', value: 'answer|fix-auth|001' }, { ts: '500.2', thread_ts: '500.0' }, 'trig-answer'));
    await inbound.count(1);
    const press = inbound.seen[0];
    if (press?.kind !== 'action' || !press.trigger) throw new Error('expected an action with a trigger');
    const opened = await slack!.openInput(press.trigger, { action: { type: 'answer', task: 'fix-auth', seq: '001' }, title: 'Answer the worker', label: 'Which db?', multiline: true });
    expect(opened).toBe(true);
    const [call] = fake.callsOf('views.open');
    expect(call?.body.trigger_id).toBe('trig-answer');
    const view = call?.body.view as { private_metadata: string; blocks: { element: { multiline: boolean } }[] };
    expect(view.blocks[0]?.element.multiline).toBe(true);

    await send.interactive({
      type: 'view_submission',
      trigger_id: 'trig-submit',
      user: { id: 'U1', username: 'alice' },
      view: {
        id: 'V1',
        callback_id: 'dispatch-input',
        private_metadata: view.private_metadata,
        state: { values: { answer: { value: { type: 'plain_text_input', value: 'use postgres' } } } },
      },
    });
    await inbound.count(2);
    expect(inbound.seen[1]).toMatchObject({
      kind: 'input',
      who: { id: 'U1' },
      action: { type: 'answer', task: 'fix-auth', seq: '001' },
      value: 'use postgres',
      where: { surface: 'slack', channel: 'C1', thread: '500.0' },
    });
  });

  it('says false when Slack refuses to open the modal (expired trigger)', async () => {
    fakeOpts.viewsOpenError = 'expired_trigger_id';
    const opened = await slack!.openInput('old-trigger|C1|500.0', { action: { type: 'answer', task: 'x', seq: '001' }, title: 'Answer', label: 'Answer' });
    expect(opened).toBe(false);
    expect(fake.callsOf('views.open')[0]?.error).toBe('expired_trigger_id');
  });

  it('delivers a retried event once, also after a restart with the same dedupe store', async () => {
    const event = { type: 'app_mention', user: 'U2', text: '<@UBOT> run the perf audit', channel: 'C1', ts: '600.1' };
    await send.event(event, 'EvRetry');
    await send.event(event, 'EvRetry', { retryNum: 1, retryReason: 'http_timeout' });
    await dedupe.asked('slack:EvRetry', 2);
    await slack!.stop();
    await start();
    await send.event(event, 'EvRetry', { retryNum: 2, retryReason: 'http_timeout' });
    await dedupe.asked('slack:EvRetry', 3);
    expect(inbound.seen).toHaveLength(1);
    expect(dedupe.answers.filter((a) => a.key === 'slack:EvRetry').map((a) => a.first)).toEqual([true, false, false]);
  });

  it('delivers a slash command sent twice with the same trigger id once', async () => {
    const fields = { text: 'do a security review', user_id: 'U1', channel_id: 'C1', trigger_id: '13345.998.abc' };
    await send.command(fields);
    await send.command(fields);
    await inbound.count(1);
    const key = dedupe.answers[0]?.key ?? '';
    expect(key).not.toContain('13345.998.abc');
    await dedupe.asked(key, 2);
    expect(inbound.seen).toHaveLength(1);
  });
});

function blockActions(
  user: string,
  action: Record<string, unknown>,
  message: { ts: string; thread_ts?: string },
  triggerId = `trig-${Math.random()}`,
): Record<string, unknown> {
  return {
    type: 'block_actions',
    trigger_id: triggerId,
    user: { id: user, username: 'alice', team_id: 'T1' },
    team: { id: 'T1', domain: 'fake' },
    api_app_id: 'A1',
    token: 'legacy',
    channel: { id: 'C1', name: 'general' },
    container: { type: 'message', message_ts: message.ts, channel_id: 'C1', is_ephemeral: false, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) },
    message: { type: 'message', ts: message.ts, text: 'card', ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) },
    response_url: 'https://hooks.slack.test/actions/1',
    actions: [{ ...action, block_id: 'b1', action_ts: '1.2' }],
  };
}
