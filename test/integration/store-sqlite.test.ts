import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { MIGRATIONS } from '../../src/store/sqlite-schema.js';
import type { TaskRecord } from '../../src/store/records.js';
import { runStoreContract } from '../contract/store.contract.js';

const root = mkdtempSync(join(tmpdir(), 'dispatch-store-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// The file sits in directories that do not exist yet: opening must create them.
const contractDir = join(root, 'contract', 'home');
runStoreContract(
  'sqlite',
  async () => openSqliteStore(join(contractDir, 'state.db')),
  () => rm(join(root, 'contract'), { recursive: true, force: true }),
);

describe('SQLite store specifics', () => {
  it('creates the missing directory and the schema, recording its version', async () => {
    const file = join(root, 'fresh', 'a', 'b', 'state.db');
    const store = openSqliteStore(file);
    await store.close();
    expect(existsSync(file)).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a file written by a newer schema, saying so', () => {
    const file = join(root, 'newer.db');
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openSqliteStore(file)).toThrow(/newer than this dispatch-bot knows/);
  });

  it('skips and reports damaged rows instead of failing a status listing', async () => {
    const file = join(root, 'corrupt.db');
    const reports: string[] = [];
    const store = openSqliteStore(file, { onCorrupt: (what, reason) => reports.push(`${what}: ${reason}`) });
    for (const id of ['good', 'not-json', 'wrong-shape']) await store.putTask(sampleTask(id));
    const raw = new Database(file);
    raw.prepare('UPDATE tasks SET body = ? WHERE id = ?').run('{"id": "not-json", ', 'not-json');
    raw.prepare('UPDATE tasks SET body = ? WHERE id = ?').run('{"id": "wrong-shape", "state": 7}', 'wrong-shape');
    raw.close();

    expect((await store.listTasks({ channel: 'C1' })).map((t) => t.id)).toEqual(['good']);
    expect(await store.getTask('not-json')).toBeUndefined();
    expect(reports.some((r) => r.startsWith('task not-json: not JSON'))).toBe(true);
    expect(reports.some((r) => r.startsWith('task wrong-shape:'))).toBe(true);
    await store.close();
  });

  it('lists a channel with 2,000 finished tasks by reading only the active ones and the newest ten (what `status` shows)', async () => {
    const file = join(root, 'history.db');
    const reports: string[] = [];
    const store = openSqliteStore(file, { onCorrupt: (what) => reports.push(what) });
    for (let i = 0; i < 2000; i++) await store.putTask({ ...sampleTask(`old-${i}`), state: 'done', createdAt: 1_000 + i });
    await store.putTask({ ...sampleTask('running-now'), state: 'running', createdAt: 500 });
    // Every finished record but the newest ten is unreadable: reading one would be reported.
    const raw = new Database(file);
    raw.prepare("UPDATE tasks SET body = '{' WHERE state = 'done' AND created_at < ?").run(1_000 + 1990);
    raw.close();

    expect((await store.listTasks({ channel: 'C1', active: true })).map((t) => t.id)).toEqual(['running-now']);
    expect((await store.listTasks({ channel: 'C1', active: false, limit: 10 })).map((t) => t.id)).toEqual(Array.from({ length: 10 }, (_, i) => `old-${1999 - i}`));
    expect(await store.countTasks({ channel: 'C1', active: false })).toBe(2000);
    expect(reports).toEqual([]);
    await store.close();
  });

  it('forgets prompts expired for over a day, across a restart, and keeps the rest', async () => {
    const file = join(root, 'prune.db');
    const store = openSqliteStore(file);
    const now = Date.now();
    const where = { surface: 'shell' as const, channel: 'tty' };
    const prompt = { requester: 'U1', where, text: 'x', model: 'opus', purpose: 'confirm' as const };
    await store.putPending({ ...prompt, id: 'ancient', createdAt: now - 3 * 86_400_000, expiresAt: now - 2 * 86_400_000 });
    await store.putPending({ ...prompt, id: 'recent', createdAt: now - 120_000, expiresAt: now - 60_000 });
    await store.putPending({ ...prompt, id: 'fresh', createdAt: now, expiresAt: now + 60_000 });
    await store.close();
    const reopened = openSqliteStore(file);
    // A press on a prompt that expired a minute ago is still told it expired; a days-old one is gone.
    expect((await reopened.listPending()).map((p) => p.id)).toEqual(['recent', 'fresh']);
    expect(await reopened.getPending('ancient')).toBeUndefined();
    await reopened.close();
  });

  it('refuses to store a record it could not read back', async () => {
    const store = openSqliteStore(join(root, 'refuse.db'));
    const bad = { ...sampleTask('bad'), state: 'sleeping' } as unknown as TaskRecord;
    await expect(store.putTask(bad)).rejects.toThrow(/refusing to store task bad/);
    expect(await store.hasTask('bad')).toBe(false);
    // An update is checked too (its patch, the rest having been read back valid), and said the same way.
    await store.putTask(sampleTask('good'));
    const patches = [{ state: 'sleeping' }, { state: undefined }, { spec: { model: 7 } }, { plan: [{ text: 'x', mark: 'maybe' }] }] as unknown as Partial<TaskRecord>[];
    for (const patch of patches) await expect(store.updateTask('good', patch)).rejects.toThrow(/refusing to store task good: .*(state|spec|plan)/s);
    expect(await store.getTask('good')).toStrictEqual(sampleTask('good'));
    await store.close();
  });

  it('reads a task another connection changed as it is now, not as this one last read it', async () => {
    const file = join(root, 'two-readers.db');
    const mine = openSqliteStore(file);
    const other = openSqliteStore(file);
    await mine.putTask(sampleTask('shared'));
    await mine.updateTask('shared', { activity: 'mine' });
    expect((await mine.getTask('shared'))?.activity).toBe('mine');
    await other.updateTask('shared', { activity: 'theirs', state: 'running' });
    expect(await mine.getTask('shared')).toMatchObject({ activity: 'theirs', state: 'running' });
    const next = await mine.updateTask('shared', { summary: 'both kept' });
    expect(next).toMatchObject({ activity: 'theirs', state: 'running', summary: 'both kept' });
    expect(await other.getTask('shared')).toStrictEqual(await mine.getTask('shared'));
    await Promise.all([mine.close(), other.close()]);
  });

  it('two connections to one file (two bot processes) still honour a press and a delivery once', async () => {
    const file = join(root, 'shared.db');
    const a = openSqliteStore(file);
    const b = openSqliteStore(file);
    const now = Date.now();
    await a.putPending({ id: 'p', requester: 'U1', where: { surface: 'shell', channel: 'tty' }, text: 'x', model: 'opus', createdAt: now, expiresAt: now + 60_000, purpose: 'confirm' });
    const taken = await Promise.all([a.takePending('p'), b.takePending('p'), a.takePending('p'), b.takePending('p')]);
    expect(taken.filter((p) => p !== undefined)).toHaveLength(1);
    const seen = await Promise.all([a.firstDelivery('E', 60_000), b.firstDelivery('E', 60_000)]);
    expect(seen.filter(Boolean)).toHaveLength(1);
    await a.close();
    await b.close();
  });
});

function sampleTask(id: string): TaskRecord {
  return {
    id,
    spec: {
      id,
      goal: 'g',
      context: '',
      rolePrompt: '',
      repo: { name: 'app', path: '/srv/app' },
      worktree: false,
      model: 'gpt-5.3',
      backend: 'cursor',
      timeoutMs: 0,
      requester: 'U1',
      resume: false,
    },
    state: 'queued',
    where: { surface: 'slack', channel: 'C1' },
    plan: [],
    createdAt: 1_000,
    updatedAt: 1_000,
  };
}
