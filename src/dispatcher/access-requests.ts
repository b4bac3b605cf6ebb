import type { InboundMessage } from '../chat/inbound.js';
import type { AccessKey } from '../config/port.js';
import type { AccessRequest, AccessTarget } from '../intent/index.js';
import { accessWarnings, describeAccess, describePrincipal, rulesOf } from './access.js';
import { Conversation } from './conversation.js';
import type { DispatcherDeps } from './deps.js';
import { UserError } from '../errors/index.js';

/**
 * "allow @bob", "allow everyone here", "make @carol an admin", "disallow @bob", "who can
 * dispatch?" (the Dispatcher has checked that a change comes from an admin).
 */
export async function applyAccessRequest(deps: DispatcherDeps, inbound: InboundMessage, request: AccessRequest): Promise<void> {
  const talk = Conversation.of(deps, inbound);
  if (request.op === 'list') {
    await talk.ephemeral(inbound.who.id, { text: describeAccess(deps.config.current(), inbound.who, inbound.where) });
    return;
  }
  const principals = request.targets.map((target) => principalOf(target, inbound));
  if (request.op === 'grant' && request.list === 'admin') refuseAsAdmin(principals);
  const before = rulesOf(deps.config.current());
  const lists: AccessKey[] = request.op === 'grant' ? [request.list] : request.list === 'both' ? ['dispatch', 'admin'] : [request.list];
  await deps.config.apply(request.op === 'grant' ? [{ op: 'grant', list: request.list, principals }] : [{ op: 'revoke', lists, principals }]);
  const lines = principals.map((p) => (request.op === 'grant' ? granted(p, request.list, before) : revoked(p, lists, before)));
  lines.push(...accessWarnings(deps.config.current()).map((w) => `⚠ ${w}`));
  await talk.answer({ text: lines.join('\n') });
}

/** The id a mention carries. A plain `@name` is only an id in the shell, whose users are their names. */
function principalOf(target: AccessTarget, inbound: InboundMessage): string {
  switch (target.kind) {
    case 'user':
      if (target.typed && inbound.where.surface !== 'shell') {
        throw new UserError(`I can't tell who @${target.id} is from a name. Pick them from the @-autocomplete so the mention carries their id, then say it again.`);
      }
      return target.id;
    case 'group':
      return target.id;
    case 'role':
      return `role:${target.id}`;
    case 'channel':
      return `channel:${target.id}`;
    case 'here':
      return `channel:${inbound.where.channel}`;
    case 'everyone':
      return '*';
  }
}

function refuseAsAdmin(principals: string[]): void {
  if (principals.includes('*')) throw new UserError('Everyone as an admin would let anyone change the config; name the admins (people, user groups or roles).');
  if (principals.some((p) => p.startsWith('channel:'))) throw new UserError('A channel cannot be an admin; name the admins (people, user groups or roles).');
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function granted(principal: string, list: AccessKey, before: ReturnType<typeof rulesOf>): string {
  const who = capital(describePrincipal(principal));
  const there = principal.startsWith('channel:') ? ' there' : principal === '*' ? ', in every channel' : '';
  if (list === 'admin') return before.admin.includes(principal) ? `${who} was already an admin.` : `${who} is now an admin.`;
  return before.dispatch.includes(principal) ? `${who} could already dispatch${there}.` : `${who} may now dispatch${there}.`;
}

function revoked(principal: string, lists: AccessKey[], before: ReturnType<typeof rulesOf>): string {
  const who = capital(describePrincipal(principal));
  const gone = lists.filter((key) => before[key].includes(principal));
  if (gone.length === 0) return `${who} was not on the list${lists.length > 1 ? 's' : ''}; nothing changed.`;
  return gone.map((key) => (key === 'admin' ? `${who} is no longer an admin.` : `${who} may no longer dispatch.`)).join(' ');
}
