import { describe, expect, it } from 'vitest';
import { Slots, type JobTaker } from '../../src/queue/slots.js';

/** A worker stand-in that says whether it may take jobs now, and how often its loop was started. */
function taker(): JobTaker & { taking: boolean; runs: number; looping: boolean } {
  const t = {
    taking: true,
    runs: 0,
    looping: true,
    pause: async () => void (t.taking = false),
    resume: () => void (t.taking = true),
    isRunning: () => t.looping,
    run: async () => {
      t.runs += 1;
      t.looping = true;
    },
  };
  return t;
}

describe('a runner\'s slots shared by its workers', () => {
  it('pauses every worker while the cap is held, refuses a job fetched in the race, and resumes them when a slot frees', () => {
    const slots = new Slots(2);
    const workers = [taker(), taker(), taker()];
    for (const w of workers) slots.add(w);
    expect(slots.take()).toBe(true);
    expect(workers.every((w) => w.taking)).toBe(true);
    expect(slots.take()).toBe(true);
    expect(workers.some((w) => w.taking)).toBe(false);
    expect(slots.take()).toBe(false);
    expect(slots.inUse()).toBe(2);
    slots.release();
    expect(workers.every((w) => w.taking)).toBe(true);
  });

  it('counts a re-adopted task past the cap, and a worker added while full starts paused', () => {
    const slots = new Slots(1);
    slots.hold();
    slots.hold();
    const late = taker();
    slots.add(late);
    expect(late.taking).toBe(false);
    slots.release();
    expect(late.taking).toBe(false);
    slots.release();
    expect(late.taking).toBe(true);
  });

  it('starts again a worker whose loop ended as it was resumed', async () => {
    const slots = new Slots(1);
    const [busy, idle] = [taker(), taker()];
    slots.add(busy);
    slots.add(idle);
    expect(slots.take()).toBe(true);
    idle.looping = false; // paused with nothing to do, its loop ended
    slots.release();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect([busy.runs, idle.runs]).toEqual([0, 1]);
  });

  it('leaves the workers paused once the runner stops, whatever is released', () => {
    const slots = new Slots(1);
    const w = taker();
    slots.add(w);
    expect(slots.take()).toBe(true);
    slots.close();
    slots.release();
    expect(w.taking).toBe(false);
  });
});
