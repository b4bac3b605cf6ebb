import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalesceEdits } from '../../src/chat/coalesce.js';
import type { Reply } from '../../src/chat/reply.js';
import type { ChatSurface, MessageRef } from '../../src/chat/surface.js';

/** A platform that takes 50 ms per call and refuses edits past `ceiling` in any sliding minute. */
function fakeSurface(ceiling = Infinity) {
  const edits: { id: string; text: string; at: number }[] = [];
  const posts: string[] = [];
  const postTimes: number[] = [];
  let refused = 0;
  let next = 0;
  const later = <T>(value: () => T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value()), 50));
  const surface: ChatSurface = {
    name: 'shell',
    post: (target, reply) =>
      later(() => {
        posts.push(reply.text);
        postTimes.push(Date.now());
        return { surface: 'shell', channel: target.channel, id: `m${++next}` };
      }),
    edit: (ref, reply) =>
      later(() => {
        const now = Date.now();
        if (edits.filter((e) => e.at > now - 60_000).length >= ceiling) {
          refused += 1;
          throw new Error('ratelimited');
        }
        edits.push({ id: ref.id, text: reply.text, at: now });
      }),
    ephemeral: async () => {},
    openInput: async () => true,
  };
  return { surface, edits, posts, postTimes, refused: () => refused };
}

const ref = (id: string): MessageRef => ({ surface: 'shell', channel: 'C1', id });
const reply = (text: string): Reply => ({ text });

describe('coalesceEdits', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function drain(flush: () => Promise<void>): Promise<void> {
    const done = flush();
    await vi.runAllTimersAsync();
    await done;
  }

  it('collapses 100 awaited edits of one message to a few calls, the last content winning', async () => {
    const platform = fakeSurface();
    const chat = coalesceEdits(platform.surface, { minIntervalMs: 1000 });
    for (let i = 1; i <= 100; i++) await chat.edit(ref('m1'), reply(`state ${i}`));
    await drain(chat.flush);
    expect(platform.edits.length).toBeLessThanOrEqual(3);
    expect(platform.edits.at(-1)?.text).toBe('state 100');
  });

  it('brings 30 messages × 20 edits to their final content under the rate ceiling, nothing refused', async () => {
    const platform = fakeSurface(50);
    const chat = coalesceEdits(platform.surface, { minIntervalMs: 1000, perMinute: 50, onError: () => {} });
    for (let round = 0; round < 20; round++) {
      for (let m = 0; m < 30; m++) void chat.edit(ref(`m${m}`), reply(`m${m} round ${round}`));
      await vi.advanceTimersByTimeAsync(250);
    }
    await drain(chat.flush);

    expect(platform.refused()).toBe(0);
    for (let m = 0; m < 30; m++) {
      const mine = platform.edits.filter((e) => e.id === `m${m}`).map((e) => Number(e.text.split(' round ')[1]));
      expect(mine.at(-1)).toBe(19);
      // Never an older state after a newer one.
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
    for (const e of platform.edits) {
      expect(platform.edits.filter((o) => o.at > e.at - 60_000 && o.at <= e.at).length).toBeLessThanOrEqual(50);
    }
  });

  it('spaces edits of one message by minIntervalMs', async () => {
    const platform = fakeSurface();
    const chat = coalesceEdits(platform.surface, { minIntervalMs: 2000 });
    for (let i = 0; i < 10; i++) {
      await chat.edit(ref('m1'), reply(`s${i}`));
      await vi.advanceTimersByTimeAsync(300);
    }
    await drain(chat.flush);
    const times = platform.edits.map((e) => e.at);
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(2000);
    expect(platform.edits.at(-1)?.text).toBe('s9');
  });

  it('passes posts through in call order', async () => {
    const platform = fakeSurface();
    const chat = coalesceEdits(platform.surface, { minIntervalMs: 1000 });
    const refs = Promise.all(['first', 'second', 'third'].map((t) => chat.post({ channel: 'C1' }, reply(t))));
    await vi.runAllTimersAsync();
    expect((await refs).map((r) => r.id)).toEqual(['m1', 'm2', 'm3']);
    expect(platform.posts).toEqual(['first', 'second', 'third']);
  });

  it('reports a failed edit and still delivers the next one', async () => {
    const errors: string[] = [];
    let failNext = true;
    const platform = fakeSurface();
    const flaky: ChatSurface = {
      ...platform.surface,
      edit: (r, rep) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('boom'));
        }
        return platform.surface.edit(r, rep);
      },
    };
    const chat = coalesceEdits(flaky, { minIntervalMs: 500, onError: (e) => errors.push(String(e)) });
    await chat.edit(ref('m1'), reply('one'));
    await chat.edit(ref('m1'), reply('two'));
    await drain(chat.flush);
    expect(errors).toEqual(['Error: boom']);
    expect(platform.edits.map((e) => e.text)).toEqual(['two']);
  });

  /** The platform refuses the first `times` edits (a 5xx past the client's own retries). */
  function refusing(times: number) {
    const platform = fakeSurface();
    let refusals = times;
    const surface: ChatSurface = {
      ...platform.surface,
      edit: (r, rep) => (refusals-- > 0 ? Promise.reject(new Error('internal_error')) : platform.surface.edit(r, rep)),
    };
    return { platform, surface };
  }

  it('keeps a refused edit until the platform takes it (20 refusals), and landed() says when it is there', async () => {
    const { platform, surface } = refusing(20);
    const errors: string[] = [];
    const chat = coalesceEdits(surface, { minIntervalMs: 1000, onError: (e) => errors.push(String(e)) });
    await chat.edit(ref('m1'), reply('done 3/3'));
    let landed = false;
    const waiting = chat.landed(ref('m1')).then(() => (landed = true));
    // 1 s doubling to 5 min between tries: 20 refusals are waited out in a little over an hour.
    await vi.advanceTimersByTimeAsync(2 * 60 * 60_000);
    await waiting;
    expect(landed).toBe(true);
    expect(errors).toHaveLength(20);
    expect(platform.edits.map((e) => e.text)).toEqual(['done 3/3']);
  });

  it('lets a newer edit replace one being retried, never landing the older content after it', async () => {
    const { platform, surface } = refusing(3);
    const chat = coalesceEdits(surface, { minIntervalMs: 100, retryDelayMs: 1000, onError: () => {} });
    await chat.edit(ref('m1'), reply('running 1/3'));
    await vi.advanceTimersByTimeAsync(500);
    await chat.edit(ref('m1'), reply('done 3/3'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(platform.edits.map((e) => e.text)).toEqual(['done 3/3']);
  });

  it('does not hold a shutdown for an edit waiting out an outage', async () => {
    const { platform, surface } = refusing(Infinity);
    const chat = coalesceEdits(surface, { minIntervalMs: 100, onError: () => {} });
    await chat.edit(ref('m1'), reply('done'));
    const flushed = chat.flush();
    await vi.advanceTimersByTimeAsync(200);
    await flushed;
    expect(platform.edits).toHaveLength(0);
  });

  it('gives up after giveUpAfterMs of failures and says so to whoever waits for the edit', async () => {
    const { surface } = refusing(Infinity);
    const chat = coalesceEdits(surface, { minIntervalMs: 100, retryDelayMs: 1000, giveUpAfterMs: 10_000, onError: () => {} });
    await chat.edit(ref('m1'), reply('done'));
    const outcome = chat.landed(ref('m1')).then(
      () => 'landed',
      (error: Error) => error.message,
    );
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await outcome).toMatch(/gave up editing C1\/m1/);
  });

  describe('pacing', () => {
    /** 10 statuses, each changed every second for a minute, under a 45-a-minute budget. */
    async function tenBusyStatuses(platform: ReturnType<typeof fakeSurface>) {
      const chat = coalesceEdits(platform.surface, { minIntervalMs: 1000, perMinute: 45, onError: () => {} });
      const start = Date.now();
      for (let second = 0; second < 60; second++) {
        for (let m = 0; m < 10; m++) void chat.edit(ref(`m${m}`), reply(`m${m} step ${second}`));
        await vi.advanceTimersByTimeAsync(1000);
      }
      return { chat, start };
    }

    it('spends the edit budget evenly over the minute instead of in a burst (fails with a sliding-window count)', async () => {
      const platform = fakeSurface(50);
      const { start } = await tenBusyStatuses(platform);
      const times = platform.edits.map((e) => e.at - start);
      expect(platform.refused()).toBe(0);
      // After the first few, one edit every 60/45 s: no gap much longer than that, none in the last 50 s.
      const gaps = times.slice(4).map((t, i) => t - (times[i + 3] ?? 0));
      expect(Math.max(...gaps)).toBeLessThanOrEqual(1500);
      expect(times.filter((t) => t > 30_000).length).toBeGreaterThanOrEqual(20);
    });

    it('keeps every status within 1.2× of the even-pacing bound (10 × 60 s / 45)', async () => {
      const platform = fakeSurface(50);
      await tenBusyStatuses(platform);
      const bound = (10 * 60_000) / 45;
      for (let m = 0; m < 10; m++) {
        const mine = platform.edits.filter((e) => e.id === `m${m}`).map((e) => e.at);
        for (let i = 1; i < mine.length; i++) expect((mine[i] ?? 0) - (mine[i - 1] ?? 0)).toBeLessThanOrEqual(bound * 1.2);
      }
    });

    it('sends an urgent edit (a final state, a question) before statuses waiting longer', async () => {
      const platform = fakeSurface();
      const chat = coalesceEdits(platform.surface, { minIntervalMs: 1000, perMinute: 6, editBurst: 1, onError: () => {} });
      void chat.edit(ref('m0'), reply('m0 running'));
      // m0 takes the one edit in the bucket; m1-m4 then wait longer than the urgent edit.
      await vi.advanceTimersByTimeAsync(0);
      for (let m = 1; m < 5; m++) void chat.edit(ref(`m${m}`), reply(`m${m} running`));
      void chat.edit(ref('late'), reply('late done'), 'urgent');
      await vi.advanceTimersByTimeAsync(25_000);
      expect(platform.edits.map((e) => e.id).slice(0, 2)).toEqual(['m0', 'late']);
    });

    it('sends an urgent edit first among edits that arrive together', async () => {
      const platform = fakeSurface();
      const chat = coalesceEdits(platform.surface, { minIntervalMs: 1000, perMinute: 6, editBurst: 1, onError: () => {} });
      for (let m = 0; m < 5; m++) void chat.edit(ref(`m${m}`), reply(`m${m} running`));
      void chat.edit(ref('late'), reply('late done'), 'urgent');
      await vi.advanceTimersByTimeAsync(25_000);
      expect(platform.edits.map((e) => e.id).slice(0, 2)).toEqual(['late', 'm0']);
    });

    it('spends no budget on quiet changes while visible ones wait, and sends them when the budget is spare', async () => {
      const platform = fakeSurface();
      const chat = coalesceEdits(platform.surface, { minIntervalMs: 1000, perMinute: 6, editBurst: 1, onError: () => {} });
      void chat.edit(ref('a'), reply('a 1/3'));
      void chat.edit(ref('busy'), reply('activity 1'), 'quiet');
      void chat.edit(ref('b'), reply('b 1/3'));
      await vi.advanceTimersByTimeAsync(15_000);
      expect(platform.edits.map((e) => e.id)).toEqual(['a', 'b']);
      await vi.advanceTimersByTimeAsync(15_000);
      expect(platform.edits.map((e) => e.text)).toEqual(['a 1/3', 'b 1/3', 'activity 1']);
    });

    /** A task's status card, as the dispatcher renders it. */
    const card = (task: string, done: number): Reply => ({ title: task, text: `🔄 **${task}**: running`, progress: { done, total: 200 } });

    /** `tasks` statuses in channel C1, each checking off a plan item a second for `seconds`. */
    async function busyChannel(chat: ReturnType<typeof coalesceEdits>, tasks: number, seconds: number): Promise<void> {
      for (let second = 1; second <= seconds; second++) {
        for (let t = 0; t < tasks; t++) void chat.edit(ref(`s${t}`), card(`task-${t}`, second));
        await vi.advanceTimersByTimeAsync(1000);
      }
    }

    it('says so in one channel message when statuses fall over a minute behind, edits it, and says when they caught up', async () => {
      const platform = fakeSurface(50);
      const chat = coalesceEdits(platform.surface, { minIntervalMs: 1000, perMinute: 45, onError: () => {} });
      // 60 statuses at 45 edits a minute: each can be edited once in 80 s.
      await busyChannel(chat, 60, 180);
      const digests = platform.posts.filter((p) => /status updates waiting/.test(p));
      expect(digests).toHaveLength(1);
      expect(digests[0]).toMatch(/^\d+ tasks here have status updates waiting: .* about \d+ s behind\. Latest:\n• 🔄 task-\d+: running \d+\/200/);
      // It is kept current (an edit a minute at most), and within the budget.
      const digestId = 'm1';
      const edited = platform.edits.filter((e) => e.id === digestId);
      expect(edited.length).toBeGreaterThanOrEqual(1);
      expect(edited.length).toBeLessThanOrEqual(3);
      expect(edited.at(-1)?.text).toMatch(/running 1[1-8]\d\/200/);
      expect(platform.refused()).toBe(0);

      await drain(chat.flush);
      expect(platform.edits.filter((e) => e.id === digestId).at(-1)?.text).toMatch(/caught up/);
      for (let t = 0; t < 60; t++) expect(platform.edits.filter((e) => e.id === `s${t}`).at(-1)?.text).toBe(`🔄 **task-${t}**: running`);
      expect(platform.posts.filter((p) => /status updates waiting/.test(p))).toHaveLength(1);
    });

    it('posts no digest while statuses stay within the minute (10 busy statuses at 45 edits a minute)', async () => {
      const platform = fakeSurface(50);
      const chat = coalesceEdits(platform.surface, { minIntervalMs: 1000, perMinute: 45, onError: () => {} });
      await busyChannel(chat, 10, 180);
      await drain(chat.flush);
      expect(platform.posts).toEqual([]);
    });

    it('paces posts per channel, a mention going before plain posts still queued', async () => {
      const platform = fakeSurface();
      const chat = coalesceEdits(platform.surface, { minIntervalMs: 1000, postsPerSecond: 1, postBurst: 1 });
      const start = Date.now();
      const posted: { text: string; at: number }[] = [];
      const all = ['one', 'two', 'three'].map((t) => chat.post({ channel: 'C1' }, reply(t)).then(() => posted.push({ text: t, at: Date.now() - start })));
      all.push(chat.post({ channel: 'C1' }, { text: 'question', mention: 'U1' }).then(() => posted.push({ text: 'question', at: Date.now() - start })));
      all.push(chat.post({ channel: 'C2' }, reply('elsewhere')).then(() => posted.push({ text: 'elsewhere', at: Date.now() - start })));
      await vi.advanceTimersByTimeAsync(10_000);
      await Promise.all(all);
      expect(platform.posts.filter((p) => p !== 'elsewhere')).toEqual(['one', 'question', 'two', 'three']);
      const inC1 = posted.filter((p) => p.text !== 'elsewhere').map((p) => p.at);
      for (let i = 1; i < inC1.length; i++) expect((inC1[i] ?? 0) - (inC1[i - 1] ?? 0)).toBeGreaterThanOrEqual(950);
      expect(posted.find((p) => p.text === 'elsewhere')?.at).toBeLessThan(500);
    });

    it('keeps pacing a channel whose queue ran empty between posts', async () => {
      const platform = fakeSurface();
      const chat = coalesceEdits(platform.surface, { minIntervalMs: 1000, postsPerSecond: 1, postBurst: 2 });
      const start = Date.now();
      const at: number[] = [];
      // One post at a time, each awaited (a launch posting its thread head, then each status).
      for (let i = 0; i < 6; i++) {
        let done = false;
        void chat.post({ channel: 'C1' }, reply(`post ${i}`)).then(() => (done = true));
        // The next post goes as soon as this one is through: the channel's queue is empty between them.
        while (!done) await vi.advanceTimersByTimeAsync(10);
        at.push(Date.now() - start);
      }
      // A burst of 2, then one a second: in any window, at most 2 + seconds posts.
      const sentAt = platform.postTimes;
      for (let i = 2; i < sentAt.length; i++) expect((sentAt[i] ?? 0) - (sentAt[i - 2] ?? 0)).toBeGreaterThanOrEqual(1000);
      expect(at).toHaveLength(6);
    });
  });
});
