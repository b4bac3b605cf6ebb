/**
 * Where the bot and its runners meet in Redis, read from the environment. Kept apart from the
 * client so that a bot without Redis never loads ioredis (with BullMQ, about 18 MB resident: `bench/idle-memory.ts`).
 */

import { ConfigError } from '../errors/index.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * A key prefix is printable ASCII without spaces: BullMQ names its Redis connections after it
 * (CLIENT SETNAME), and Redis refuses a name with a space, a newline or any other such character,
 * which would leave the bot's job watcher dead.
 */
const PREFIX = /^[!-~]{1,200}$/;

/** The prefix when Redis can carry it; a ConfigError naming the setting otherwise. */
export function checkedPrefix(prefix: string, setting = 'DISPATCH_REDIS_PREFIX'): string {
  if (PREFIX.test(prefix)) return prefix;
  throw new ConfigError(`${setting} ${JSON.stringify(prefix)} cannot be used: a Redis key prefix is 1 to 200 printable ASCII characters without spaces (Redis refuses others in the connection names BullMQ derives from it)`, setting);
}

/** Where the bot and its runners meet in Redis: REDIS_URL, keys under DISPATCH_REDIS_PREFIX (default `dispatch`). */
export function redisOptions(env: NodeJS.ProcessEnv): { url?: string; prefix: string } {
  return { ...(env.REDIS_URL ? { url: env.REDIS_URL } : {}), prefix: checkedPrefix(env.DISPATCH_REDIS_PREFIX || 'dispatch') };
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
