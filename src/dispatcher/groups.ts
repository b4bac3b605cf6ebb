import type { Inbound, Who } from '../chat/inbound.js';
import { groupCandidates, rulesOf } from './access.js';
import type { DispatcherDeps } from './deps.js';

/**
 * The speaker with the groups the access rules may name. Discord roles arrive with every guild
 * payload; Slack user-group membership is in no payload, so the surface looks it up (cached) for
 * the group ids the rules name. A lookup that fails counts as no membership: the rules fail closed.
 */
export async function withGroups(deps: DispatcherDeps, inbound: Inbound): Promise<Who> {
  const surface = deps.surface(inbound.where.surface);
  if (!surface?.groupsOf || !deps.config.ready()) return inbound.who;
  const candidates = groupCandidates(inbound.who, rulesOf(deps.config.current())).filter((g) => !inbound.who.groups.includes(g));
  if (candidates.length === 0) return inbound.who;
  try {
    const found = await surface.groupsOf(inbound.who.id, candidates);
    return { ...inbound.who, groups: [...inbound.who.groups, ...found.filter((g) => candidates.includes(g))] };
  } catch (error) {
    deps.log?.(`${surface.name}: could not look up the groups of ${inbound.who.id}: ${(error as Error).message}`);
    return inbound.who;
  }
}
