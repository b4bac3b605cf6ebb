/**
 * A chat line to a running worker, through the whole bot: the dispatcher parses and resolves the
 * request, posts the thread and the status message, stores the task, and the runner makes the
 * worktree and starts the worker. Measured until the status message shows the task running, next
 * to the floor measured in the same run: `git worktree add -b` plus a spawn of the same fake CLI.
 * Runs are interleaved (ours, floor, ours…) so a neighbour on the shared machine slows both alike.
 *
 *   node bin/run-ts.js bench/dispatch.ts [runs=20]
 */
import { execFile, spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Stack } from '../test/support/stack.js';

const run = promisify(execFile);
const WARMUP = 2;
const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude }\n';

export async function runDispatchBench(runs = 20): Promise<void> {
  const stack = await Stack.start({ config: CONFIG });
  const ours: number[] = [];
  const floor: number[] = [];
  try {
    for (let i = 0; i < WARMUP + runs; i++) {
      const a = await timeOurs(stack, i);
      const b = await timeFloor(stack, i);
      if (i >= WARMUP) {
        ours.push(a);
        floor.push(b);
      }
    }
    print(runs, ours, floor);
  } finally {
    await stack.close();
  }
}

async function timeOurs(stack: Stack, i: number): Promise<number> {
  const started = performance.now();
  await stack.say(`use opus to benchmark run ${words(i)} in a worktree fake:items=1`);
  const id = stack.surface.posts.at(-1)?.reply.title as string;
  await stack.waitForStatus(id, /running|done/, 30_000);
  const took = performance.now() - started;
  await stack.waitForStatus(id, /done/, 30_000);
  return took;
}

async function timeFloor(stack: Stack, i: number): Promise<number> {
  const id = `floor-${i}`;
  const dir = join(stack.repo, '.dispatch', 'worktrees', id);
  const started = performance.now();
  await run('git', ['worktree', 'add', '-q', '-b', `dispatch/${id}`, dir], { cwd: stack.repo });
  const child = spawn('claude', ['-p', 'fake:items=1'], { cwd: dir, env: stack.env, stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const took = performance.now() - started;
  await new Promise((resolve) => child.once('exit', resolve));
  return took;
}

/** Distinct words per run, so every task gets its own id from its words. */
function words(i: number): string {
  const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
  return `${names[i % 10]} ${names[Math.floor(i / 10) % 10]}`;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function print(runs: number, ours: number[], floor: number[]): void {
  const row = (name: string, ms: number[]): string => {
    const s = [...ms].sort((x, y) => x - y);
    return `${name.padEnd(48)} median ${quantile(s, 0.5).toFixed(1)} ms   p95 ${quantile(s, 0.95).toFixed(1)} ms`;
  };
  console.log(`Chat line → running worker in a worktree, ${runs} runs each (after ${WARMUP} warm-up), Node ${process.version}, ${cpus().length} cpus, load ${loadavg()[0]?.toFixed(2)}`);
  console.log(row('dispatch-bot: request → status shows running', ours));
  console.log(row('floor: git worktree add + spawn (same fake)', floor));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runs = Number(process.argv[2] ?? 20);
  await runDispatchBench(Number.isInteger(runs) && runs > 0 ? runs : 20);
}
