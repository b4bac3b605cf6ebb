import { afterEach, describe, expect, it } from 'vitest';
import { slackFromEnv, startSlack, type SlackSurface } from '../../adapters/slack/index.js';
import { commandFields, eventCallback, memoryDedupe, recordingInbound, startFakeSlack, type FakeSlack } from '../fakes/slack-server.js';

describe('Slack in Socket Mode (real Bolt app, fake apps.connections.open + WebSocket)', () => {
  let fake: FakeSlack | undefined;
  let slack: SlackSurface | undefined;

  afterEach(async () => {
    await slack?.stop();
    await fake?.close();
    slack = undefined;
    fake = undefined;
  });

  it('acks a slash command with its envelope id and delivers it; a redelivered event counts once', async () => {
    fake = await startFakeSlack({ botUserId: 'UBOT' });
    const inbound = recordingInbound();
    const dedupe = memoryDedupe();
    slack = await startSlack({
      botToken: 'xoxb-test',
      signingSecret: 'unused-in-socket-mode',
      appToken: 'xapp-test',
      apiUrl: fake.apiUrl,
      onInbound: inbound.onInbound,
      accept: dedupe.accept,
      log: () => {},
    });
    expect(slack.port).toBeUndefined();
    expect(fake.callsOf('apps.connections.open')).toHaveLength(1);

    const release = inbound.hold();
    const ack = await fake.sendEnvelope({
      type: 'slash_commands',
      payload: commandFields({ text: 'use gemini to write the OpenAPI specs', user_id: 'U1', user_name: 'alice', channel_id: 'C1' }),
    });
    expect(fake.acks.map((a) => a.envelope_id)).toEqual([ack.envelope_id]);
    await inbound.count(1);
    expect(inbound.finished).toBe(0);
    release();
    expect(inbound.seen[0]).toMatchObject({
      kind: 'message',
      who: { id: 'U1', name: 'alice' },
      where: { surface: 'slack', channel: 'C1' },
      text: 'use gemini to write the OpenAPI specs',
    });

    const mention = eventCallback({ type: 'app_mention', user: 'U2', text: '<@UBOT> status', channel: 'C1', ts: '7.1' }, 'EvSock');
    await fake.sendEnvelope({ type: 'events_api', payload: mention });
    await fake.sendEnvelope({ type: 'events_api', payload: mention, retryAttempt: 1, retryReason: 'timeout' });
    await dedupe.asked('slack:EvSock', 2);
    expect(inbound.seen).toHaveLength(2);
    expect(inbound.seen[1]).toMatchObject({ text: 'status', deliveryId: 'EvSock' });
  });

  it('starts from the environment only when the bot token and signing secret are both there', async () => {
    fake = await startFakeSlack({ botUserId: 'UBOT' });
    const deps = { onInbound: recordingInbound().onInbound, accept: memoryDedupe().accept, log: () => {} };
    expect(await slackFromEnv({}, deps)).toBeUndefined();
    expect(await slackFromEnv({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: '' }, deps)).toBeUndefined();
    slack = await slackFromEnv(
      { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 's', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: fake.apiUrl },
      deps,
    );
    expect(slack?.name).toBe('slack');
    expect(fake.callsOf('auth.test')).toHaveLength(1);
    expect(fake.callsOf('apps.connections.open')).toHaveLength(1);
  });
});
