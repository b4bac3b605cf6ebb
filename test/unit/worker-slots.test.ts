import { describe, expect, it } from 'vitest';
import { SlotsStopped, WorkerSlots } from '../../src/runner/slots.js';

/** Work that runs until its `finish` is called (or fails with `fail`). */
function gate(): { work: () => Promise<void>; started: boolean; finish: () => void; fail: (error: Error) => void } {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const g = {
    started: false,
    work: () => {
      g.started = true;
      return new Promise<void>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
    },
    finish: () => finish(),
    fail: (error: Error) => fail(error),
  };
  return g;
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('worker slots', () => {
  it('starts work at once while a slot is free, without waiting for a timer', () => {
    const slots = new WorkerSlots(2, () => null);
    const a = gate();
    void slots.run('claude', a.work);
    expect(a.started).toBe(true);
  });

  it('holds work past the host limit and starts it, in order, as slots free', async () => {
    const slots = new WorkerSlots(2, () => null);
    const gates = [gate(), gate(), gate(), gate()];
    const done = gates.map((g) => slots.run('claude', g.work));
    expect(gates.map((g) => g.started)).toEqual([true, true, false, false]);
    gates[1]?.finish();
    await done[1];
    await settle();
    expect(gates.map((g) => g.started)).toEqual([true, true, true, false]);
    // A failure frees its slot as well.
    gates[0]?.fail(new Error('worker broke'));
    await expect(done[0]).rejects.toThrow('worker broke');
    await settle();
    expect(gates[3]?.started).toBe(true);
  });

  it('a backend at its own limit holds back only its own work', () => {
    const slots = new WorkerSlots(3, (backend) => (backend === 'codex' ? 1 : null));
    const [c1, c2, k1] = [gate(), gate(), gate()];
    void slots.run('codex', c1.work);
    void slots.run('codex', c2.work);
    void slots.run('claude', k1.work);
    expect([c1.started, c2.started, k1.started]).toEqual([true, false, true]);
  });

  it('work asked first goes ahead of work already waiting', async () => {
    const slots = new WorkerSlots(1, () => null);
    const [running, queued, adopted] = [gate(), gate(), gate()];
    const first = slots.run('claude', running.work);
    void slots.run('claude', queued.work);
    void slots.run('claude', adopted.work, { first: true });
    running.finish();
    await first;
    await settle();
    expect([queued.started, adopted.started]).toEqual([false, true]);
  });

  it('stop drops the waiting work and refuses more; running work keeps going', async () => {
    const slots = new WorkerSlots(1, () => null);
    const [running, waiting] = [gate(), gate()];
    const first = slots.run('claude', running.work);
    const second = slots.run('claude', waiting.work);
    slots.stop();
    await expect(second).rejects.toBeInstanceOf(SlotsStopped);
    await expect(slots.run('claude', gate().work)).rejects.toBeInstanceOf(SlotsStopped);
    running.finish();
    await first;
    expect(waiting.started).toBe(false);
  });
});
