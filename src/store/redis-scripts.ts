import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run by its hash, loaded on first use (and again after a Redis restart or flush). */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/**
 * Compare-and-set a task and move its index entries in one step. The JSON merge happens in
 * TypeScript (Lua's cjson would turn an empty plan `[]` into `{}`); the script only writes when
 * the stored body is still the one the merge started from, so concurrent updates never lose
 * each other's changes. On a mismatch it returns what is stored, saving the retry a round trip.
 * KEYS: task, then ARGV[6] index sets to leave, then index sets to join.
 * ARGV: expect ('0' absent | '1' equal to ARGV[2]), expected body, new body, id, createdAt, leave count.
 * Returns {1} when written, {0, current} or {0} (nothing stored) when the expectation failed.
 */
export const WRITE_TASK = new LuaScript(`
local current = redis.call('GET', KEYS[1])
local expected = ARGV[1] == '1' and ARGV[2] or false
if current ~= expected then
  if current then return {0, current} end
  return {0}
end
redis.call('SET', KEYS[1], ARGV[3])
local leave = tonumber(ARGV[6])
for i = 2, 1 + leave do redis.call('ZREM', KEYS[i], ARGV[4]) end
for i = 2 + leave, #KEYS do redis.call('ZADD', KEYS[i], ARGV[5], ARGV[4]) end
return {1}
`);

/**
 * Remove a task that nobody changed since it was read: its body, its index entries and its
 * questions. A task written meanwhile (retried, its final edit landed) is left for the next sweep.
 * KEYS: task, ARGV[3] index sets, open questions (all), then keys to delete (questions).
 * ARGV: expected body, id, index count, then members of the open-questions set to remove.
 * Returns 1 when removed, 0 when the task changed or is gone.
 */
export const REMOVE_TASK = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local n = tonumber(ARGV[3])
for i = 2, 1 + n do redis.call('ZREM', KEYS[i], ARGV[2]) end
for i = 4, #ARGV do redis.call('ZREM', KEYS[2 + n], ARGV[i]) end
for i = 3 + n, #KEYS do redis.call('DEL', KEYS[i]) end
redis.call('DEL', KEYS[1])
return 1
`);

/**
 * Store a question; an answer already recorded is kept (re-posting must not reopen it).
 * KEYS: question hash, open questions (all), open questions of the task, every question of the task.
 * ARGV: question JSON (without answer), askedAt, member in the all-set, seq, has answer ('0'|'1'),
 * answer, answeredAt.
 */
export const PUT_QUESTION = new LuaScript(`
redis.call('SADD', KEYS[4], ARGV[4])
redis.call('HSET', KEYS[1], 'q', ARGV[1])
if redis.call('HEXISTS', KEYS[1], 'answer') == 1 then return 0 end
if ARGV[5] == '1' then
  redis.call('HSET', KEYS[1], 'answer', ARGV[6], 'answeredAt', ARGV[7])
  return 0
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[4])
return 1
`);

/**
 * Record an answer only the first time (HSETNX) and close the question.
 * KEYS: question hash, open questions (all), open questions of the task.
 * ARGV: answer, answeredAt, member in the all-set, seq.
 */
export const ANSWER_QUESTION = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HSETNX', KEYS[1], 'answer', ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'answeredAt', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('ZREM', KEYS[3], ARGV[4])
return 1
`);

/**
 * Claim every delivery key of a request and keep the request, in one step: all keys new, or
 * nothing written (a repeat delivery).
 * KEYS: the delivery keys, then the hash of accepted requests.
 * ARGV: ttl in ms, request id ('' keeps nothing), request body, number of delivery keys.
 * Returns 1 when accepted, 0 for a repeat.
 */
export const ACCEPT_REQUEST = new LuaScript(`
local n = tonumber(ARGV[4])
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 1 then return 0 end
end
for i = 1, n do
  redis.call('SET', KEYS[i], '1', 'PX', ARGV[1])
end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[n + 1], ARGV[2], ARGV[3]) end
return 1
`);
