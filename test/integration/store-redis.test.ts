import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openRedisStore } from '../../src/store/redis.js';
import type { TaskRecord } from '../../src/store/records.js';
import { runStoreContract } from '../contract/store.contract.js';
import { REDIS_URL, redisForTests } from '../support/redis-admin.js';

const { admin, runPrefix, deleteKeys } = redisForTests('Redis store');

const contractPrefix = `${runPrefix}contract:`;
runStoreContract(
  'redis',
  () => openRedisStore({ url: REDIS_URL, prefix: contractPrefix }),
  () => deleteKeys(contractPrefix),
);

describe('Redis store specifics', () => {
  it('keeps two bots on one Redis apart by prefix', async () => {
    const one = await openRedisStore({ url: REDIS_URL, prefix: `${runPrefix}bot-one` });
    const two = await openRedisStore({ url: REDIS_URL, prefix: `${runPrefix}bot-two` });
    expect(one.prefix).toBe(`${runPrefix}bot-one:`);
    await one.putTask(sampleTask('shared-id'));
    await one.setUserDefault('U1', 'opus');
    expect(await one.firstDelivery('E1', 60_000)).toBe(true);
    expect(await two.listTasks()).toEqual([]);
    expect(await two.hasTask('shared-id')).toBe(false);
    expect(await two.getUserDefault('U1')).toBeUndefined();
    expect(await two.firstDelivery('E1', 60_000)).toBe(true);
    expect((await admin.keys(`${runPrefix}bot-one:*`)).length).toBeGreaterThan(0);
    await one.close();
    await two.close();
  });

  it('skips and reports damaged records instead of failing a status listing', async () => {
    const prefix = `${runPrefix}corrupt:`;
    const reports: string[] = [];
    const store = await openRedisStore({ url: REDIS_URL, prefix, onCorrupt: (what, reason) => reports.push(`${what}: ${reason}`) });
    for (const id of ['good', 'not-json', 'wrong-shape']) await store.putTask(sampleTask(id));
    await admin.set(`${prefix}task:not-json`, '{"id": "not-json", ');
    await admin.set(`${prefix}task:wrong-shape`, '{"id": "wrong-shape", "state": 7}');

    expect((await store.listTasks({ channel: 'C1' })).map((t) => t.id)).toEqual(['good']);
    expect(await store.getTask('not-json')).toBeUndefined();
    expect(reports.some((r) => r.startsWith('task not-json: not JSON'))).toBe(true);
    expect(reports.some((r) => r.startsWith('task wrong-shape:'))).toBe(true);
    await store.close();
  });

  it('refuses to store a record it could not read back', async () => {
    const store = await openRedisStore({ url: REDIS_URL, prefix: `${runPrefix}refuse:` });
    const bad = { ...sampleTask('bad'), state: 'sleeping' } as unknown as TaskRecord;
    await expect(store.putTask(bad)).rejects.toThrow(/refusing to store task bad/);
    expect(await store.hasTask('bad')).toBe(false);
    await store.close();
  });

  it('fails fast with a clear message, without the password, when Redis is unreachable', async () => {
    const port = await closedPort();
    const open = openRedisStore({ url: `redis://:hunter2@127.0.0.1:${port}`, prefix: 'x:' });
    const failure = await open.then(
      () => new Error('expected openRedisStore to reject'),
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toContain(`cannot reach Redis at redis://:***@127.0.0.1:${port}`);
    expect(message).not.toContain('hunter2');
  });
});

/** A loopback port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

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
