import { afterEach, describe, expect, it } from 'vitest';
import type { TaskEvent } from '../../src/task/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { ScriptedBot } from '../support/scripted-runner.js';

// The test plays the runner side of the queue port, so it decides which events arrive together.

const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude, price: { input: 3, output: 15 } }\n';
const ID = 'burst';
const PLAN_LINES = 50;

/** What a worker reports over a run: it starts, checks off its plan a line at a time (each line a plan, an activity and a usage event), and finishes. */
function workerEvents(): TaskEvent[] {
  const events: TaskEvent[] = [{ type: 'started', taskId: ID, pid: 4242, dir: '/tmp/burst' }];
  for (let done = 1; done <= PLAN_LINES; done += 1) {
    const items = Array.from({ length: PLAN_LINES }, (_, i) => ({ text: `step ${i + 1}`, mark: i < done ? ('done' as const) : ('pending' as const) }));
    events.push({ type: 'plan', taskId: ID, items });
    events.push({ type: 'activity', taskId: ID, text: `working on step ${done + 1}` });
    events.push({ type: 'usage', taskId: ID, usage: { inputTokens: 1000 * done, outputTokens: 100 * done } });
  }
  events.push({ type: 'finished', taskId: ID, state: 'done', summary: 'all fifty steps' });
  return events;
}

const bots: ScriptedBot[] = [];
afterEach(async () => {
  for (const bot of bots.splice(0)) await bot.close();
});

async function openBot(clock: ManualClock): Promise<ScriptedBot> {
  const bot = await ScriptedBot.open(CONFIG, clock, { id: ID });
  bots.push(bot);
  return bot;
}

function finalRecord(bot: ScriptedBot) {
  return bot.settledTask(ID);
}

describe('task events: a burst is applied in memory and stored once', () => {
  it('stores a burst of 150 progress events in a few writes, and leaves the record as one event at a time would', async () => {
    const clock = new ManualClock();
    const events = workerEvents();

    const oneByOne = await openBot(clock);
    for (const event of events) {
      const stored = oneByOne.nextWrite();
      oneByOne.runner.emit(event);
      await stored;
    }
    const expected = await finalRecord(oneByOne);
    expect(oneByOne.writes()).toBeGreaterThanOrEqual(events.length);

    const burst = await openBot(clock);
    for (const event of events) burst.runner.emit(event);
    const got = await finalRecord(burst);

    expect(got).toEqual(expected);
    expect(got.state).toBe('done');
    expect(got.planDone ?? got.plan.filter((i) => i.mark === 'done').length).toBe(PLAN_LINES);
    expect(got.usage?.costUsd).toBeCloseTo((50_000 * 3 + 5_000 * 15) / 1_000_000);
    // The started event, the burst of progress, the finish (and the final edit's landing).
    expect(burst.writes()).toBeLessThanOrEqual(5);
    const card = burst.surface.posts.find((p) => p.reply.title === ID);
    expect(card && burst.surface.latest(card).text).toMatch(/done/i);
    // The finish is reported once, after it was stored.
    expect(burst.surface.posts.filter((p) => /is done/.test(p.reply.text))).toHaveLength(1);
  });

  it('writes a final state before the thread is told, even when it arrives in a burst', async () => {
    const clock = new ManualClock();
    const bot = await openBot(clock);
    const told: (string | undefined)[] = [];
    const post = bot.surface.post.bind(bot.surface);
    bot.surface.post = async (target, reply) => {
      if (/is done/.test(reply.text)) told.push((await bot.store.getTask(ID))?.state);
      return post(target, reply);
    };
    for (const event of workerEvents()) bot.runner.emit(event);
    await finalRecord(bot);
    expect(told).toEqual(['done']);
  });
});
