/**
 * Scale-out on the BullMQ queue: the same batch of tasks through 1 runner, then through 2, each
 * runner limited to `concurrency` workers at once. The workers are the fake agent sleeping
 * through its plan (CPU-light, as real agents waiting on their model API are), so the batch is
 * bound by worker slots, and two runners should take about half as long. Printed next to the
 * floor measured in the same run: the time the slots alone impose (waves × one task's time).
 * Counts tasks lost (not finished done) and duplicated (started or finished more than once).
 *
 *   node bin/run-ts.js bench/runners.ts [tasks=16]
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { openBullQueue } from '../src/queue/bullmq.js';
import { deleteKeysUnder } from '../src/util/redis.js';
import { serveRunner } from '../src/queue/bullmq-runner.js';
import { createRunnerHost } from '../src/runner/index.js';
import type { TaskEvent } from '../src/task/index.js';
import { TempDirs, backendFor, fakeCommandFor, fakeSpec } from '../test/fixtures/fake-agent-support.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = `bench-${randomUUID()}`;
const CONCURRENCY = 2;
const ITEMS = 2;
const SLOW_MS = 1_500;

interface Outcome {
  ms: number;
  lost: number;
  duplicated: number;
}

export async function runRunnersBench(tasks = 16): Promise<void> {
  const one = await batch(1, tasks);
  const two = await batch(2, tasks);
  const taskMs = ITEMS * SLOW_MS;
  const floor = (runners: number) => Math.ceil(tasks / (runners * CONCURRENCY)) * taskMs;
  const line = (runners: number, o: Outcome) =>
    `  ${runners} runner${runners > 1 ? 's' : ' '}: ${(o.ms / 1000).toFixed(1)} s for ${tasks} tasks (${((tasks / o.ms) * 60_000).toFixed(1)} tasks/min); floor ${(floor(runners) / 1000).toFixed(1)} s; lost ${o.lost}, duplicated ${o.duplicated}`;
  console.log(line(1, one));
  console.log(line(2, two));
  const ratio = one.ms / two.ms;
  console.log(`  throughput 2 vs 1 runner: ×${ratio.toFixed(2)} (goal ≥ 1.8; the slots alone allow ×${(floor(1) / floor(2)).toFixed(2)})`);
  console.log(`  per runner: concurrency ${CONCURRENCY}; each task ${ITEMS} plan items × ${SLOW_MS} ms of fake agent sleep`);
}

async function batch(runnerCount: number, tasks: number): Promise<Outcome> {
  const prefix = `dispatch-bench:${randomUUID().slice(0, 8)}:`;
  const temp = new TempDirs();
  const repo = temp.repo();
  const queue = await openBullQueue({ url: REDIS_URL, prefix, secret: SECRET, log: () => undefined });
  const hosts = Array.from({ length: runnerCount }, (_, i) => createRunnerHost({ home: temp.make(`home-${i}`), backendFor, commandFor: fakeCommandFor(), concurrency: CONCURRENCY, perBackend: {} }));
  const runners = await Promise.all(hosts.map((host, i) => serveRunner({ url: REDIS_URL, prefix, secret: SECRET, host, runnerId: `bench-${i}`, concurrency: CONCURRENCY, backends: ['fake-cli'], log: () => undefined })));
  const started = new Map<string, number>();
  const finished = new Map<string, TaskEvent[]>();
  let settle: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (settle = resolve));
  queue.subscribe((e) => {
    if (e.type === 'started') started.set(e.taskId, (started.get(e.taskId) ?? 0) + 1);
    if (e.type === 'finished') {
      finished.set(e.taskId, [...(finished.get(e.taskId) ?? []), e]);
      if (finished.size === tasks) settle();
    }
  });
  try {
    const specs = Array.from({ length: tasks }, (_, i) => fakeSpec({ id: `bench-${runnerCount}-${i}-${randomUUID().slice(0, 6)}`, goal: `Bench fake:items=${ITEMS} fake:slow=${SLOW_MS}`, repo }));
    const t0 = performance.now();
    for (const spec of specs) await queue.submit(spec);
    await allDone;
    const ms = performance.now() - t0;
    const lost = specs.filter((s) => {
      const first = finished.get(s.id)?.[0];
      return !(first?.type === 'finished' && first.state === 'done');
    }).length;
    const duplicated = specs.filter((s) => (started.get(s.id) ?? 0) > 1 || (finished.get(s.id)?.length ?? 0) > 1).length;
    return { ms, lost, duplicated };
  } finally {
    for (const r of runners) await r.stop();
    for (const h of hosts) await h.close({ killWorkers: true });
    await queue.close();
    await deleteKeys(prefix);
    temp.removeAll();
  }
}

async function deleteKeys(prefix: string): Promise<void> {
  const admin = new Redis(REDIS_URL);
  try {
    await deleteKeysUnder(admin, prefix);
  } finally {
    await admin.quit();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runRunnersBench(Number(process.argv[2] ?? 16));
