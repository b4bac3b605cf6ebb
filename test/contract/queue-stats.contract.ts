import { afterEach, describe, expect, it } from 'vitest';
import type { TaskQueue } from '../../src/queue/port.js';
import { hasStats } from '../../src/queue/stats.js';
import { EventRecorder, TempDirs, fakeSpec, uniqueId } from '../fixtures/fake-agent-support.js';
import { eventually } from '../support/eventually.js';

/**
 * What a TaskQueue that counts its load (`stats()`, read by /metrics and `status all`) must
 * report, as an operator reads it: a task waiting for a free runner slot is in `depth`, a worker
 * running (or waiting on its question) is in `running`, and a serving runner is up.
 *
 * `make(home)` returns a queue served by runner(s) with room for exactly one worker in all,
 * running the fake agent CLIs (test/fixtures/bin).
 */
export function runQueueStatsContract(name: string, make: (home: string) => Promise<TaskQueue>): void {
  describe(`queue stats contract: ${name}`, () => {
    const temp = new TempDirs();
    const queues: TaskQueue[] = [];
    afterEach(async () => {
      for (const q of queues.splice(0)) await q.close();
      temp.removeAll();
    });

    it('counts a waiting task in depth and a running worker in running, then nothing once both finish', async () => {
      const queue = await make(temp.make('home'));
      queues.push(queue);
      if (!hasStats(queue)) throw new Error(`${name} has no stats()`);
      const events = new EventRecorder();
      queue.subscribe(events.listener);
      const repo = temp.repo();
      expect(await queue.stats()).toMatchObject({ depth: 0, running: 0 });
      expect((await queue.stats()).runnersUp).toBeGreaterThanOrEqual(1);

      const first = fakeSpec({ id: uniqueId('stats-a'), goal: 'Hold the slot fake:items=2 fake:ask=Go on?', repo });
      const second = fakeSpec({ id: uniqueId('stats-b'), goal: 'Wait for it fake:items=1', repo });
      await queue.submit(first);
      await events.next(first.id, 'question');
      await queue.submit(second);
      await eventually('the second task counted as waiting', async () => (await queue.stats()).depth === 1);
      expect(await queue.stats()).toMatchObject({ depth: 1, running: 1 });

      await queue.answer(first.id, '001', 'yes');
      await events.finished(first.id);
      await events.finished(second.id);
      await eventually('nothing counted once both finished', async () => {
        const { depth, running } = await queue.stats();
        return depth === 0 && running === 0;
      });
    });
  });
}
