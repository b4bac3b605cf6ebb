import { describe, expect, it } from 'vitest';
import { closeAfterEach } from '../support/close-after-each.js';
import { ALICE, MALLORY, SlackRig, visible, visibleCall } from '../support/slack-rig.js';

// Through the real Bolt app and the fake Slack: what a task costs (claude's own usage format),
// a budget's stop and its requester-only Continue, a stall alert, and mentions of the requester.
const CONFIG = `default: opus
models:
  opus: { backend: claude }
  sonnet: { backend: claude, price: { input: 50, output: 0 } }
limits:
  max_cost_usd: 2
  stall_after: 1s
`;

const opened = closeAfterEach();

async function onlyTask(r: SlackRig): Promise<string> {
  const [task] = await r.until('a task to be stored', async () => {
    const tasks = await r.tasks();
    return tasks.length > 0 ? tasks : undefined;
  });
  return task?.id ?? '';
}

describe('Slack: cost, budget, stall and mentions', () => {
  it('the status shows tokens; the finish report the totals and cost, mentioning the requester once', async () => {
    const r = opened(await SlackRig.start({ config: CONFIG }));
    await r.command('use opus to review the auth module fake:items=2 fake:tokens=3000/1000 fake:usd=0.25');
    const id = await onlyTask(r);
    const thread = await r.until('the thread', async () => (await r.task(id)).thread);
    const report = await r.until('the finish report', () => r.threadPosts('C1', thread).find((c) => /is done/.test(visibleCall(c))));
    expect(visibleCall(report)).toMatch(/^<@UALICE> /);
    expect(visibleCall(report)).toContain('Used 9,000 tokens in, 3,000 out, $0.75 in 3 turns.');
    const final = await r.untilStatus(id, /done/);
    expect(visible(final)).toContain('12k tokens · $0.75');
    const mentioning = r.threadPosts('C1', thread).filter((c) => visibleCall(c).includes('<@'));
    expect(mentioning).toHaveLength(1);
  });

  it('a task past max_cost_usd is stopped; Continue is refused to another user and starts a worker for the requester', async () => {
    const r = opened(await SlackRig.start({ config: CONFIG }));
    await r.command('use sonnet to index the monorepo fake:burn fake:slow=40 fake:tokens=10000/0');
    const id = await onlyTask(r);
    await r.untilStatus(id, /stopped at \$\d+\.\d\d \(limit \$2\.00\)/);
    const thread = (await r.task(id)).thread as string;
    const report = await r.until('the stop report', () => r.api.allMessages().find((m) => m.thread_ts === thread && visible(m).includes(`*${id}* was stopped at $`)));
    expect(visible(report)).toContain('[Continue with +$2]');
    const ts = report.ts;
    await r.press('C1', ts, 'Continue with +$2', MALLORY);
    await r.until('an ephemeral to mallory', () => r.accepted('chat.postEphemeral').find((c) => c.body.user === MALLORY.id && /Only <@UALICE>/.test(String(c.body.text))));
    expect(r.agentRuns()).toHaveLength(1);
    await r.press('C1', ts, 'Continue with +$2', ALICE);
    await r.until('a second worker', () => r.agentRuns().length === 2);
    expect(r.agentRuns()[1]?.prompt).toContain('was stopped when it went over its budget');
  });

  it('a silent worker: one stall alert mentioning the requester, and the status says so', async () => {
    const r = opened(await SlackRig.start({ config: CONFIG }));
    await r.command('use opus to wait on the staging server fake:items=2 fake:hang');
    const id = await onlyTask(r);
    await r.untilStatus(id, /no progress for \d+ s/);
    const thread = (await r.task(id)).thread as string;
    const alert = await r.until('the stall alert', () => r.threadPosts('C1', thread).find((c) => /has made no progress/.test(visibleCall(c))));
    expect(visibleCall(alert)).toMatch(/^<@UALICE> /);
    expect(r.threadPosts('C1', thread).filter((c) => /has made no progress/.test(visibleCall(c)))).toHaveLength(1);
  });
});
