import { afterEach, describe, expect, it } from 'vitest';
import { SlackRig } from '../support/slack-rig.js';

const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude }\n';

let rig: SlackRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('Slack: /dispatch in a channel the bot is not in', () => {
  it('tells the user, through the command response, to invite the bot; nothing is dispatched', async () => {
    rig = await SlackRig.start({ config: CONFIG, fake: { notInChannels: ['GPRIVATE'] } });
    const ack = await rig.command('use opus to review the auth module fake:items=1', undefined, 'GPRIVATE');
    expect(ack.status).toBe(200);
    const fake = rig.fake;
    if (!fake) throw new Error('no fake');
    await rig.until('the command response', () => fake.responses.length > 0);
    expect(fake.responses[0]?.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/invite @dispatch') });
    expect(rig.agentRuns()).toHaveLength(0);
  });
});
