/**
 * `status` in a channel with a long history: the store queries `status` makes (active tasks, the
 * newest ten finished, the count of finished) on SQLite with 1k and 10k finished tasks in the
 * channel, next to the floor measured in the same run: a bare newest-10 query on the same file.
 * The whole-channel listing `status` made before it was limited is printed for comparison.
 *
 *   node bin/run-ts.js bench/status-history.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/store/sqlite.js';
import { benchTask } from './store.js';

const CALLS = 30;

export async function runStatusHistoryBench(sizes = [1_000, 10_000]): Promise<void> {
  console.log('`status` in one channel with N finished tasks (SQLite), median of 30 calls');
  console.log(`${'N'.padEnd(8)}${'status queries'.padEnd(18)}${'floor: newest 10'.padEnd(20)}${'ratio'.padEnd(9)}${'whole-channel listing'.padEnd(24)}goal`);
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'dispatch-bench-status-'));
    try {
      const file = join(dir, 'state.db');
      const store = openSqliteStore(file);
      for (let i = 0; i < n; i++) {
        const task = benchTask(i);
        await store.putTask({ ...task, state: i % 1000 === 0 ? 'running' : 'done', where: { ...task.where, channel: 'C1' } });
      }
      const scope = { channel: 'C1', surface: 'slack' };
      const ours = await median(() => Promise.all([store.listTasks({ ...scope, active: true }), store.listTasks({ ...scope, active: false, limit: 10 }), store.countTasks({ ...scope, active: false })]));
      const whole = await median(() => store.listTasks(scope));
      const db = new Database(file, { readonly: true });
      const newest = db.prepare('SELECT id, body FROM tasks WHERE channel = ? ORDER BY created_at DESC, id DESC LIMIT 10');
      const floor = await median(async () => newest.all('C1').map((row) => JSON.parse((row as { body: string }).body) as unknown));
      db.close();
      await store.close();
      const ms = (x: number): string => `${x.toFixed(2)} ms`;
      console.log(`${String(n).padEnd(8)}${ms(ours).padEnd(18)}${ms(floor).padEnd(20)}${`${(ours / floor).toFixed(1)}×`.padEnd(9)}${ms(whole).padEnd(24)}< 10 ms, flat in N`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function median(call: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? NaN;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runStatusHistoryBench();
