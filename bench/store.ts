/**
 * TaskStore throughput: putTask, updateTask and listTasks on SQLite and Redis, each next to a
 * floor measured in the same run on the same machine (a bare prepared INSERT on better-sqlite3,
 * a bare SET on ioredis, same body size, awaited one at a time like the store's calls).
 *
 *   node bin/run-ts.js bench/store.ts [tasks=2000] [redis-url]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { openRedisStore } from '../src/store/redis.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { deleteKeysUnder } from '../src/util/redis.js';
import type { TaskStore } from '../src/store/port.js';
import type { TaskRecord } from '../src/store/records.js';

const CHANNELS = 20;
const LIST_CALLS = 200;
/**
 * Each figure is the best of this many interleaved rounds (floor, op, floor, op…): the machine
 * is shared, and a round slowed by a neighbour says nothing about the store.
 */
const ROUNDS = 5;
/** Tasks running at once (their status is what gets edited). */
const RUNNING = 50;

interface Figures {
  floor: number;
  putTask: number;
  updateTask: number;
  updateAny: number;
  listTasks: number;
}

/** One backend under test: its floor operation and the store. */
interface Target {
  floor: (i: number) => unknown;
  store: TaskStore;
}

export async function runStoreBench(tasks = 2000, redisUrl = 'redis://127.0.0.1:6379'): Promise<void> {
  const records = Array.from({ length: tasks }, (_, i) => benchTask(i));
  const body = JSON.stringify(records[0]);
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-bench-store-'));
  const prefix = `dispatch-bench:${randomUUID()}:`;
  try {
    const floorDb = sqliteFloorDb(join(dir, 'floor.db'));
    const insert = floorDb.prepare<[string, string]>('INSERT INTO floor (id, body) VALUES (?, ?)');
    const sqlite = await measure({ floor: (i) => insert.run(`t-${i}`, body), store: openSqliteStore(join(dir, 'store.db')) }, records);
    floorDb.close();
    const redis = await redisFigures(redisUrl, prefix, records, body);
    print(tasks, body.length, sqlite, redis);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(target: Target, records: TaskRecord[]): Promise<Figures> {
  const { store } = target;
  const chunk = Math.ceil(records.length / ROUNDS);
  const floors: number[] = [];
  let floorOps = 0;
  const floorRound = async (): Promise<void> => {
    floors.push(await rate(chunk, async (i) => target.floor(floorOps + i)));
    floorOps += chunk;
  };
  const rounds = async (n: number, op: (i: number) => Promise<unknown>): Promise<number> => {
    let best = 0;
    for (let r = 0; r < ROUNDS; r++) {
      await floorRound();
      best = Math.max(best, await rate(n, (i) => op(r * n + i)));
    }
    return best;
  };
  try {
    const at = (i: number): TaskRecord => records[i % records.length] as TaskRecord;
    const putTask = await rounds(chunk, (i) => store.putTask(at(i)));
    // Status edits land on running tasks, a few dozen at a time; a store may keep those warm.
    const running = (i: number): TaskRecord => at(records.length - 1 - (i % RUNNING));
    const updateTask = await rounds(chunk, (i) => store.updateTask(running(i).id, { state: 'running', activity: `step ${i}` }));
    const updateAny = await rounds(chunk, (i) => store.updateTask(at(i).id, { activity: `step ${i}` }));
    const listTasks = await rounds(LIST_CALLS / ROUNDS, (i) => store.listTasks({ channel: channelOf(i), active: true }));
    return { floor: Math.max(...floors), putTask, updateTask, updateAny, listTasks };
  } finally {
    await store.close();
  }
}

function sqliteFloorDb(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE floor (id TEXT PRIMARY KEY, body TEXT NOT NULL)');
  return db;
}

async function redisFigures(url: string, prefix: string, records: TaskRecord[], body: string): Promise<Figures | string> {
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    return `unavailable (${err instanceof Error ? err.message : String(err)})`;
  }
  try {
    const store = await openRedisStore({ url, prefix: `${prefix}store` });
    return await measure({ floor: (i) => client.set(`${prefix}floor:${i}`, body), store }, records);
  } finally {
    await deleteKeysUnder(client, prefix);
    await client.quit();
  }
}

async function rate(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await op(i);
  return n / ((performance.now() - start) / 1000);
}

function print(tasks: number, bodyBytes: number, sqlite: Figures, redis: Figures | string): void {
  const perList = Math.round(tasks / CHANNELS);
  const load = loadavg()[0]?.toFixed(2) ?? '?';
  console.log(`TaskStore bench: ${tasks} tasks (${bodyBytes}-byte records) in ${CHANNELS} channels; listTasks returns ${perList} tasks per call`);
  console.log(`best of ${ROUNDS} rounds interleaved with the floor; load average ${load} on ${cpus().length} cores`);
  const cell = (v: number, floor: number): string => `${Math.round(v).toLocaleString('en-US')} ops/s (${((v / floor) * 100).toFixed(0)}% of floor)`;
  const rows: [string, (f: Figures) => string][] = [
    ['floor (bare INSERT | bare SET)', (f) => `${Math.round(f.floor).toLocaleString('en-US')} ops/s`],
    ['putTask', (f) => cell(f.putTask, f.floor)],
    [`updateTask (${RUNNING} running)`, (f) => cell(f.updateTask, f.floor)],
    ['updateTask (any task)', (f) => cell(f.updateAny, f.floor)],
    ['listTasks (channel, active)', (f) => `${Math.round(f.listTasks).toLocaleString('en-US')} ops/s (${Math.round(f.listTasks * perList).toLocaleString('en-US')} records/s)`],
  ];
  console.log(`${'op'.padEnd(32)}${'sqlite'.padEnd(36)}redis`);
  for (const [label, show] of rows) {
    console.log(`${label.padEnd(32)}${show(sqlite).padEnd(36)}${typeof redis === 'string' ? redis : show(redis)}`);
  }
}

function channelOf(i: number): string {
  return `C${i % CHANNELS}`;
}

export function benchTask(i: number): TaskRecord {
  const id = `bench-${i}`;
  const createdAt = 1_700_000_000_000 + i;
  return {
    id,
    spec: {
      id,
      goal: `Review module ${i} for edge cases and write the missing tests`,
      context: 'security is the highest priority',
      rolePrompt: '',
      repo: { name: 'app', path: '/srv/app' },
      worktree: true,
      model: 'opus',
      backend: 'claude',
      timeoutMs: 1_800_000,
      requester: 'U123',
      resume: false,
    },
    state: 'queued',
    where: { surface: 'slack', channel: channelOf(i), thread: `1700000000.${i}` },
    thread: `1700000000.${i}`,
    plan: [
      { text: 'read the module', mark: 'done' },
      { text: 'list edge cases', mark: 'pending' },
      { text: 'write tests', mark: 'pending' },
    ],
    createdAt,
    updatedAt: createdAt,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runStoreBench(Number(process.argv[2] ?? 2000), process.argv[3]);
}
