/**
 * Every benchmark, one after another (`npm run bench`). Each prints its own figures next to a
 * floor measured in the same run; none is a pass/fail test.
 */
import { runDispatchBench } from './dispatch.js';
import { runEventPathBench } from './event-path.js';
import { runIdleMemoryBench } from './idle-memory.js';
import { runManyWorkersBench } from './many-workers.js';
import { runSlackAckBench } from './slack-ack.js';
import { runStatusHistoryBench } from './status-history.js';
import { runStartupBench } from './startup.js';
import { runRunnersBench } from './runners.js';
import { runStoreBench } from './store.js';
import { runWorktreeSpawnBench } from './worktree-spawn.js';

const benches: [string, () => Promise<void>][] = [
  ['start-up (compiled bot)', () => runStartupBench(10)],
  ['idle memory (shell, start on Slack)', () => runIdleMemoryBench(3)],
  ['dispatch (chat line → running worker)', () => runDispatchBench(20)],
  ['runner (worktree + spawn)', () => runWorktreeSpawnBench(20)],
  ['slack ack', () => runSlackAckBench(200)],
  ['store', () => runStoreBench(2000)],
  ['task events (dispatcher + SQLite)', () => runEventPathBench(100, 30)],
  ['status with a long history', () => runStatusHistoryBench()],
  // 20 s a size by default so the whole bench stays short; BENCH_WORKER_SECONDS=60 as the figures are quoted.
  ['many workers', () => runManyWorkersBench(Number(process.env.BENCH_WORKER_SECONDS ?? 20), (process.env.BENCH_WORKER_SIZES ?? '10,50,200').split(',').map(Number))],
  ['runners (BullMQ queue, 1 vs 2 runners)', () => runRunnersBench(16)],
];

for (const [name, bench] of benches) {
  console.log(`\n== ${name}`);
  await bench();
}
