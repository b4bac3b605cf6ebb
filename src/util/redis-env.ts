/**
 * Where the bot and its runners meet in Redis, read from the environment. Kept apart from the
 * client so that a bot without Redis never loads ioredis (with BullMQ, about 18 MB resident: `bench/idle-memory.ts`).
 */

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Where the bot and its runners meet in Redis: REDIS_URL, keys under DISPATCH_REDIS_PREFIX (default `dispatch`). */
export function redisOptions(env: NodeJS.ProcessEnv): { url?: string; prefix: string } {
  return { ...(env.REDIS_URL ? { url: env.REDIS_URL } : {}), prefix: env.DISPATCH_REDIS_PREFIX || 'dispatch' };
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable Redis URL)';
  }
}
