import type { Where, Who } from '../chat/inbound.js';
import type { ConfigSource } from '../config/port.js';
import type { Config } from '../config/schema.js';
import { AccessDenied } from '../errors/index.js';
import type { TaskRecord } from '../store/records.js';

/**
 * Every right the bot grants, decided in one place from immutable platform ids only: a user id,
 * the Slack user groups and Discord roles the user is in (`who.groups`), and where they speak.
 * Display names, Slack `user_name` and Discord `globalName`/`nick` are chosen by the user (one can
 * be set to an admin's id), so they never count.
 *
 * Principals in `access.dispatch` / `access.admin`:
 * - a user id (`U0123ABC`, a Discord id, a shell user name),
 * - a Slack user-group id (`S0123ABC`) or a Discord role id (`role:<id>`, or the bare id),
 * - `channel:<id>`: everyone, in that channel (Discord threads count as their channel),
 * - `"*"`: everyone.
 * Admins may do everything a dispatcher may, everywhere.
 */
export type Right =
  /** Warm-up, `status` of the channel, "who can dispatch?", answers to our own prompts' misses. */
  | { kind: 'see' }
  /** Start tasks in a channel (and set one's own default there). */
  | { kind: 'dispatch'; where: Where }
  /** Change the shared config. */
  | { kind: 'admin'; what?: string }
  /** Add notes to a running task: its requester, who may dispatch in its channel, or an admin. */
  | { kind: 'instruct'; task: TaskRecord }
  /** Cancel, retry, clean up: the task's requester or an admin. */
  | { kind: 'own'; task: TaskRecord }
  /** Push a task's branch, open its pull request, send a worker to address its review: the requester or an admin. */
  | { kind: 'publish'; task: TaskRecord }
  /** Answer a prompt or a worker's question: that one person only. */
  | { kind: 'requester'; requester: string; what: string }
  /** `status <id>`, `logs <id>`: a task of the channel asked in, or any task for an admin. */
  | { kind: 'read'; task: TaskRecord; where: Where };

export interface AccessRules {
  dispatch: readonly string[];
  admin: readonly string[];
}

/** What the rules are right now: the config's, or none at all while no valid config has loaded. */
export type AccessState = { loaded: true; rules: AccessRules } | { loaded: false; problem: string };

/**
 * A key left out of `access:` keeps its old open meaning, so a config written before access
 * rules existed works as it did (warm-up and `doctor` warn about it); first run writes both.
 */
export function rulesOf(config: Config): AccessRules {
  return { dispatch: config.access?.dispatch ?? ['*'], admin: config.access?.admin ?? ['*'] };
}

export function accessState(config: ConfigSource): AccessState {
  if (config.ready()) return { loaded: true, rules: rulesOf(config.current()) };
  const why = config.lastError()?.message ?? `${config.path} has not been read yet`;
  return { loaded: false, problem: `The bot's config could not be loaded, so nothing is dispatched or changed until it is fixed:\n${why}` };
}

/** True when `principal` names this person (by id or group) or this place. */
export function matches(principal: string, who: Who, where: Where | undefined): boolean {
  if (principal === '*') return true;
  if (principal.startsWith('role:')) return who.groups.includes(principal.slice(5));
  if (principal.startsWith('channel:')) return where !== undefined && where.channel === principal.slice(8);
  return principal === who.id || who.groups.includes(principal);
}

const anyMatch = (principals: readonly string[], who: Who, where?: Where) => principals.some((p) => matches(p, who, where));

export function isAdmin(who: Who, rules: AccessRules): boolean {
  return anyMatch(rules.admin, who);
}

export function mayDispatch(who: Who, where: Where, rules: AccessRules): boolean {
  return isAdmin(who, rules) || anyMatch(rules.dispatch, who, where);
}

/** Why `who` may not have `right`, or undefined when they may. */
export function refusal(who: Who, right: Right, state: AccessState): string | undefined {
  if (!state.loaded) {
    const sameChannel = right.kind === 'read' && inChannel(right.task, right.where);
    return right.kind === 'see' || sameChannel ? undefined : state.problem;
  }
  const { rules } = state;
  const admin = isAdmin(who, rules);
  switch (right.kind) {
    case 'see':
      return undefined;
    case 'dispatch':
      return mayDispatch(who, right.where, rules) ? undefined : `You can't dispatch tasks here. ${askAnAdmin(rules, 'allow @you')}`;
    case 'admin':
      return admin ? undefined : `Only admins (${adminList(rules)}) can ${right.what ?? 'change the config'}.`;
    case 'instruct': {
      const { task } = right;
      if (admin || who.id === task.spec.requester || anyMatch(rules.dispatch, who, task.where)) return undefined;
      return `Only <@${task.spec.requester}> (who dispatched **${task.id}**) or people who may dispatch in this channel can instruct **${task.id}**.`;
    }
    case 'own':
      return admin || who.id === right.task.spec.requester
        ? undefined
        : `Only <@${right.task.spec.requester}> (who dispatched **${right.task.id}**) or an admin can do that.`;
    case 'publish':
      return admin || who.id === right.task.spec.requester
        ? undefined
        : `Only <@${right.task.spec.requester}> (who dispatched **${right.task.id}**) or an admin can push its branch or work on its pull request.`;
    case 'requester':
      return who.id === right.requester ? undefined : `Only <@${right.requester}> can ${right.what}.`;
    case 'read':
      return admin || inChannel(right.task, right.where) ? undefined : `There is no task **${right.task.id}** in this channel.`;
  }
}

/** Throws AccessDenied (a reply only the asker sees) unless `who` has every one of `rights`. */
export function authorize(who: Who, rights: readonly Right[], state: AccessState): void {
  for (const right of rights) {
    const why = refusal(who, right, state);
    if (why !== undefined) throw new AccessDenied(why);
  }
}

function inChannel(task: TaskRecord, where: Where): boolean {
  return task.where.surface === where.surface && task.where.channel === where.channel;
}

/**
 * Group ids a surface must look up for `who` (Slack user groups are not in any payload): every
 * principal that is not a user id, a role, a channel or everyone.
 */
export function groupCandidates(who: Who, rules: AccessRules): string[] {
  const all = [...rules.admin, ...rules.dispatch];
  return [...new Set(all.filter((p) => p !== '*' && p !== who.id && !p.startsWith('role:') && !p.startsWith('channel:')))];
}

/** A principal as people read it in a reply. */
export function describePrincipal(principal: string): string {
  if (principal === '*') return 'everyone';
  if (principal.startsWith('role:')) return `role <@&${principal.slice(5)}>`;
  if (principal.startsWith('channel:')) return `everyone in <#${principal.slice(8)}>`;
  if (/^S[A-Z0-9]{2,}$/.test(principal)) return `user group ${principal}`;
  return `<@${principal}>`;
}

function adminList(rules: AccessRules): string {
  return rules.admin.length === 0 ? 'nobody yet: add one under `access.admin` in the config file' : rules.admin.map(describePrincipal).join(', ');
}

function askAnAdmin(rules: AccessRules, sentence: string): string {
  if (rules.admin.length === 0) return 'Ask whoever runs the bot to add you under `access.dispatch` in its config file.';
  return `Ask an admin (${adminList(rules)}) to say "${sentence}" (or "allow everyone here").`;
}

/** What "who can dispatch?" answers. */
export function describeAccess(config: Config, who: Who, where: Where): string {
  const rules = rulesOf(config);
  const list = (principals: readonly string[]) => (principals.length ? principals.map(describePrincipal).join(', ') : 'nobody');
  const lines = [`Admins (change the config, act on any task): ${list(rules.admin)}`, `May dispatch: ${list(rules.dispatch)} (and every admin)`];
  lines.push(mayDispatch(who, where, rules) ? 'You may dispatch here.' : 'You may not dispatch here.');
  lines.push(...accessWarnings(config));
  return lines.join('\n');
}

/**
 * Warnings for warm-up and `doctor`: access left open because the config predates access rules
 * (no `access:` section, or a key of it left out). An explicit `"*"` is the owner's choice.
 */
export function accessWarnings(config: Config): string[] {
  const access = config.access;
  if (!access) {
    return [
      'no `access:` section: everyone who can reach the bot may dispatch and change the config. Say "make @you an admin" and "allow @name" (or "allow everyone here") to close it, or add `access: { admin: [<your id>], dispatch: [...] }` to the config.',
    ];
  }
  const warnings: string[] = [];
  if (access.admin === undefined) warnings.push('`access.admin` is not set, so everyone may change the config and act on any task; name the admins by id.');
  if (access.dispatch === undefined) warnings.push('`access.dispatch` is not set, so everyone who can reach the bot may start agents.');
  return warnings;
}
