import { AccessDenied } from '../errors/index.js';
import type { Who } from '../chat/inbound.js';
import type { Config } from '../config/schema.js';

/** True when `who` matches one of the principals: a user id, a group id, `role:<id>` or `*`. */
export function allowed(who: Who, principals: readonly string[]): boolean {
  return principals.some(
    (p) =>
      p === '*' ||
      p === who.id ||
      (who.name !== undefined && p === who.name) ||
      who.groups.includes(p) ||
      (p.startsWith('role:') && who.groups.includes(p.slice(5))),
  );
}

export function requireDispatch(who: Who, config: Config): void {
  if (!allowed(who, config.access.dispatch)) {
    throw new AccessDenied('You are not on the list of people who may dispatch tasks here (config `access.dispatch`).');
  }
}

export function requireAdmin(who: Who, config: Config): void {
  if (!allowed(who, config.access.admin)) {
    throw new AccessDenied('Only admins may change the config (config `access.admin`).');
  }
}
