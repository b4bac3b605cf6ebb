import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import { ConfigError } from '../errors/index.js';

/**
 * A runner host's name (DISPATCH_RUNNER_ID). Operators pick it freely (a Redis-style
 * `team:r1` is fine); no control characters, since it ends up in logs and the thread.
 */
export const RunnerId = z
  .string()
  .min(1)
  .max(200)
  .refine((id) => !/[\p{Cc}]/u.test(id), 'no control characters');

/** The runner inside a single-process bot (no DISPATCH_RUNNER_ID): the same across restarts. */
export const DEFAULT_RUNNER_ID = 'local';

const TAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The directory name of a runner's worker records under DISPATCH_HOME/workers: the id itself
 * when it is one tame path component, otherwise a readable part of it plus a hash, so no id can
 * reach outside its directory and two ids never share one.
 */
export function runnerDirName(id: string): string {
  if (TAME.test(id) && !id.includes('..')) return id;
  const readable = id.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[_-]+/, '').slice(0, 40);
  return `${readable || 'runner'}-${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;
}

/**
 * DISPATCH_RUNNER_ID when set (refused unless it is a valid RunnerId), otherwise `fallback`.
 * `{hostname}` in it becomes this machine's host name: replicas started from one definition
 * (`docker compose --scale runner=3`) each get their own id, stable across container restarts.
 */
export function runnerIdOf(env: NodeJS.ProcessEnv, fallback: string = DEFAULT_RUNNER_ID, host: () => string = hostname): string {
  const given = env.DISPATCH_RUNNER_ID;
  if (given === undefined || given === '') return fallback;
  const raw = given.includes('{hostname}') ? given.replaceAll('{hostname}', host()) : given;
  const parsed = RunnerId.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`DISPATCH_RUNNER_ID is not a runner id: ${parsed.error.issues[0]?.message ?? 'invalid'}`, 'DISPATCH_RUNNER_ID');
  return parsed.data;
}
