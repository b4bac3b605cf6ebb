import { Redis } from 'ioredis';
import { messageOf } from '../errors/index.js';
import { redactUrl } from './redis-env.js';

/** Redis connections as the store, the queue and the runners open them. */

/** Connect, or reject with a clear message instead of reconnecting forever. */
export async function connectRedis(url: string, role: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true });
  const seen: { ok: boolean; lastError?: string } = { ok: false };
  client.on('error', (err: Error) => {
    // ioredis reconnects by itself; before the first connection the rejection below says why.
    if (seen.ok) console.error(`dispatch-bot ${role}: Redis at ${redactUrl(url)}: ${err.message}`);
    else seen.lastError = err.message;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${seen.lastError ?? messageOf(err)}`);
  }
  seen.ok = true;
  return client;
}

/** Quit politely; a connection stuck in a blocking read is cut instead. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  await client.quit().catch(() => client.disconnect());
}

/** Delete every key under `prefix`, in SCAN batches (never KEYS, which blocks a shared server). */
export async function deleteKeysUnder(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
