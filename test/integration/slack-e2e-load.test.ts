import { afterEach, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../src/store/records.js';
import { ALICE, SlackRig, visible, visibleCall, type Said } from '../support/slack-rig.js';

const CONFIG = `default: opus
models:
  opus: { backend: claude }
  sonnet: { backend: claude }
limits:
  concurrency: 10
`;

const TASKS = 30;
const CHANNELS = ['C1', 'C2', 'C3', 'C4', 'C5'];
/**
 * Slack's tiers as the fake enforces them, scaled up so that 30 tasks take seconds, not minutes,
 * with production's pacing against each. chat.postMessage: about 1/s per channel with a short
 * burst on real Slack; three posts per task (request head, status, finish report) would take 18 s
 * per channel at that rate, so the fake allows 3/s and the bot paces its posts at that rate, as it
 * paces at 1/s against Slack. The fake's burst leaves the bot's posts the same second of delivery
 * jitter as production's pacing has against Slack (the bot bursts 2: 3 at 1/s, 5 at 3/s). chat.update: Tier 3 is ~50/min per workspace over
 * a one-minute window; each task spends two or more edits (running, then final; more when the
 * machine is slow), so the test scales the tier up as well and keeps production's margin (the
 * bot's budget at 90% of the tier, like 45 of 50 in src/chat/pacing.ts).
 */
const POSTS = { perSecond: 3, burst: 5 };
const UPDATE_TIER = 600;
const EDIT_BUDGET = 540;

let rig: SlackRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('Slack end to end: 30 concurrent tasks within the rate tiers', () => {
  it('gives every request its thread and every task a final status, paced so that Slack refuses nothing', { timeout: 120_000 }, async () => {
    const r = await SlackRig.start({ config: CONFIG, fake: { updatePerMinute: UPDATE_TIER, postPerChannel: POSTS }, editsPerMinute: EDIT_BUDGET });
    rig = r;
    // Six requests per channel; each wording is used twice, in two channels, as busy teams do.
    const mentions: Said[] = await Promise.all(
      Array.from({ length: TASKS }, (_, n) =>
        r.mention(`use ${n % 2 ? 'opus' : 'sonnet'} to review module ${(n % 15) + 1} fake:items=3`, ALICE, CHANNELS[Math.floor(n / 6)]),
      ),
    );
    expect(mentions.map((m) => m.result.status)).toEqual(Array.from({ length: TASKS }, () => 200));

    // Every request: a task, its own thread, a status shown done 3/3 and the finish report in it.
    const threads = await r.until(
      'every task to be final in Slack with its finish report',
      async () => {
        const tasks = await r.tasks();
        if (tasks.length < TASKS) return undefined;
        const finished = tasks.every((t) => {
          const shown = r.statusOf(t);
          const report = t.thread && r.threadPosts(t.where.channel, t.thread).some((c) => visibleCall(c).includes(`*${t.id}* is done`));
          return shown && /done/.test(visible(shown)) && report;
        });
        return finished ? tasks : undefined;
      },
      110_000,
    );
    const byRequest = new Map<string, TaskRecord>(threads.map((t) => [`${t.where.channel}/${t.where.message ?? ''}`, t]));
    expect(new Set(threads.map((t) => t.id)).size).toBe(TASKS);
    for (const m of mentions) {
      const task = byRequest.get(`${m.channel}/${m.ts}`);
      expect(task, `the request ${m.channel}/${m.ts}`).toBeDefined();
      if (!task?.thread || !task.status) continue;
      const head = r.api.message(m.channel, task.thread);
      expect(head?.thread_ts).toBeUndefined();
      expect(visible(head ?? { blocks: [], text: '' })).toContain(`Dispatching *${task.id}*`);
      const status = r.statusOf(task);
      expect(status?.thread_ts).toBe(task.thread);
      const shown = visible(status ?? { blocks: [], text: '' });
      expect(shown).toContain(`✓ *${task.id}*: done`);
      expect(shown).toContain('▓▓▓ 3/3');
      // In the thread: the status message, then the finish report; nothing else, no second status.
      const inThread = r.threadPosts(m.channel, task.thread).map(visibleCall);
      expect(inThread).toHaveLength(2);
      expect(inThread[1]).toContain(`*${task.id}* is done`);
    }
    expect(r.agentRuns()).toHaveLength(TASKS);

    // The bot paced itself inside both tiers: posts about one a second per channel, edits spent
    // evenly, so Slack refused nothing (no 429 to wait out) and nothing failed for any other reason.
    expect(r.rateLimited()).toEqual([]);
    expect(r.api.calls.filter((c) => c.status !== 200 || c.error !== undefined)).toEqual([]);
    // Nor does the bot's log note a rate limit or anything failing.
    expect(r.logs.filter((line) => /fail|could not|error|rate limit/i.test(line))).toEqual([]);
  });
});
