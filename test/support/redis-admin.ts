import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeysUnder } from '../../src/util/redis.js';
import { afterAll, beforeAll, expect, it } from 'vitest';

export const REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisForTests {
  /** Talks to Redis directly (to look at or damage keys); the code under test never sees it. */
  admin: Redis;
  /** Every key a test file makes starts with this; all of them are deleted after the file. */
  runPrefix: string;
  deleteKeys(prefix: string): Promise<void>;
}

/**
 * Redis for one test file: connected before its tests, its keys deleted after, and a test that
 * FAILS (not skips) when Redis is not reachable, since the Redis paths are then untested.
 */
export function redisForTests(what: string): RedisForTests {
  const runPrefix = `dispatch-test:${what.replace(/[^!-~]/g, '-')}:${process.pid}:${randomUUID()}:`;
  const admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  admin.on('error', () => undefined); // reported by the reachability test below
  const reach: { error?: string } = {};

  async function deleteKeys(prefix: string): Promise<void> {
    if (admin.status !== 'ready') return; // every test already fails on the unreachable Redis
    await deleteKeysUnder(admin, prefix);
  }

  beforeAll(async () => {
    try {
      await admin.connect();
      await admin.ping();
    } catch (err) {
      reach.error = err instanceof Error ? err.message : String(err);
    }
  });

  afterAll(async () => {
    if (admin.status !== 'ready') return;
    await deleteKeys(runPrefix);
    await admin.quit();
  });

  it(`Redis is reachable at ${REDIS_URL} (the ${what} tests need it running)`, () => {
    expect(reach.error, `Redis is not reachable at ${REDIS_URL}: ${reach.error}`).toBeUndefined();
  });

  return { admin, runPrefix, deleteKeys };
}
