/**
 * Time to a running worker in its own worktree: from `submit` to the `started` event through
 * RunnerHost (validate, worktree on a new branch, task files, detached spawn of the fake agent,
 * worker records), next to the floor measured in the same run: a raw `git worktree add -b` plus
 * a spawn of the same fake until the OS reports it started. Runs are interleaved (ours, floor,
 * ours…) so a neighbour on the shared machine slows both alike; each worker is left to finish
 * before the next run, untimed.
 *
 *   node bin/run-ts.js bench/worktree-spawn.ts [runs=20]
 */
import { execFile, spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createRunnerHost } from '../src/runner/index.js';
import { buildWorkerPrompt } from '../src/runner/prompt.js';
import { taskPaths } from '../src/runner/paths.js';
import { EventRecorder, FIXTURES_BIN, TempDirs, backendFor, fakeCommandFor, fakeSpec } from '../test/fixtures/fake-agent-support.js';

const run = promisify(execFile);
const WARMUP = 2;
const GOAL = 'Bench task fake:items=1 fake:slow=0';

export async function runWorktreeSpawnBench(runs = 20): Promise<void> {
  const temp = new TempDirs();
  const repo = temp.repo();
  const host = createRunnerHost({ home: temp.make('home'), backendFor, commandFor: fakeCommandFor(), concurrency: 1, perBackend: {} });
  const events = new EventRecorder();
  host.subscribe(events.listener);
  const env = { ...process.env, PATH: `${FIXTURES_BIN}:${process.env.PATH ?? ''}` };
  const ours: number[] = [];
  const floor: number[] = [];
  try {
    for (let i = 0; i < WARMUP + runs; i++) {
      const a = await timeOurs(host, events, repo, i);
      const b = await timeFloor(repo, i, env);
      if (i >= WARMUP) {
        ours.push(a);
        floor.push(b);
      }
    }
    print(runs, ours, floor);
  } finally {
    await host.close({ killWorkers: true });
    temp.removeAll();
  }
}

async function timeOurs(host: ReturnType<typeof createRunnerHost>, events: EventRecorder, repo: string, i: number): Promise<number> {
  const spec = fakeSpec({ id: `bench-ours-${i}`, goal: GOAL, repo, worktree: true });
  const started = performance.now();
  await host.submit(spec);
  await events.next(spec.id, 'started');
  const took = performance.now() - started;
  const finished = await events.finished(spec.id);
  if (finished.state !== 'done') throw new Error(`run ${i} ended ${finished.state}: ${finished.logTail ?? ''}`);
  return took;
}

async function timeFloor(repo: string, i: number, env: NodeJS.ProcessEnv): Promise<number> {
  const id = `bench-floor-${i}`;
  const dir = join(repo, '.dispatch', 'worktrees', id);
  const spec = fakeSpec({ id, goal: GOAL, repo });
  const prompt = buildWorkerPrompt(spec, taskPaths(dir, id));
  const started = performance.now();
  await run('git', ['worktree', 'add', '-q', '-b', `dispatch/${id}`, dir], { cwd: repo });
  const child = spawn('fake-cli', [prompt], { cwd: dir, env, stdio: 'ignore', detached: true });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const took = performance.now() - started;
  await new Promise((resolve) => child.once('exit', resolve));
  return took;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function print(runs: number, ours: number[], floor: number[]): void {
  const row = (name: string, ms: number[]): string => {
    const s = [...ms].sort((x, y) => x - y);
    return `${name.padEnd(44)} median ${quantile(s, 0.5).toFixed(1)} ms   p95 ${quantile(s, 0.95).toFixed(1)} ms   max ${(s.at(-1) ?? NaN).toFixed(1)} ms`;
  };
  console.log(`Worktree + spawn to a running worker, ${runs} runs each (after ${WARMUP} warm-up), Node ${process.version}, ${cpus().length} cpus, load ${loadavg()[0]?.toFixed(2)}`);
  console.log(row('RunnerHost: submit → started', ours));
  console.log(row('floor: git worktree add + spawn (same fake)', floor));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runs = Number(process.argv[2] ?? 20);
  await runWorktreeSpawnBench(Number.isInteger(runs) && runs > 0 ? runs : 20);
}
