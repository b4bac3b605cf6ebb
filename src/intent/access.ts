import { withoutInvisible } from './text.js';
import type { AccessList, AccessRequest, AccessTarget, Intent } from './types.js';

/**
 * The sentences admins open the bot up with: "allow @bob", "allow #backend", "allow everyone
 * here", "make @carol an admin", "disallow @bob", "who can dispatch?". People are named by the
 * platform's mention markup, which carries their immutable id:
 * - Slack: `<@U…>` / `<@U…|name>`, `<#C…|name>`, `<!subteam^S…|@name>` (a user group);
 * - Discord: `<@id>` / `<@!id>`, `<@&id>` (a role), `<#id>`.
 * A plain `@name` is a name, not an id: the shell's users are their names, elsewhere the
 * dispatcher asks for a real mention. Anything else in the sentence makes it not an access
 * request (so "allow users to reset passwords" stays a task).
 */
const MAX_ACCESS_TEXT = 600;
const MARKUP = /<(@!?|@&|#|!subteam\^)([A-Za-z0-9]{1,40})(?:\|[^<>\n]{0,200})?>/g;
const TYPED = /(^|\s)@([A-Za-z0-9][A-Za-z0-9._-]{0,79})(?=$|[\s,.!?])/g;
/** Stands for the n-th target in the sentence's skeleton; never typed by a person. */
const SLOT = '\u0001';

const LISTING = [
  /^(?:who|whom) (?:can|may|is allowed to|are allowed to|has access to) (?:dispatch|use (?:the bot|this bot|dispatch|it|you))(?: here)?$/,
  /^who (?:is|are) (?:an |the )?admins?(?: here)?$/,
  /^(?:show|list) (?:the )?(?:access|access rules|admins|dispatchers)$/,
  /^who has access(?: here)?$/,
];

/** Sentence forms around a list of targets: [lead, tail, what it does]. */
const FORMS: [RegExp, RegExp, (targets: AccessTarget[]) => AccessRequest][] = [
  [/^(?:please )?(?:allow|let|permit)$/, /^(?:to dispatch|dispatch|to use (?:the bot|this bot|dispatch|it))?$/, grant('dispatch')],
  [/^(?:please )?(?:make|add)$/, /^(?:as )?(?:an? )?admins?$/, grant('admin')],
  [/^(?:please )?add$/, /^(?:to (?:the )?(?:dispatchers|dispatch list)|as (?:a )?dispatchers?)?$/, grant('dispatch')],
  [/^(?:please )?promote$/, /^(?:to admins?)?$/, grant('admin')],
  [/^(?:please )?(?:disallow|revoke|block|remove)$/, /^$/, revoke('both')],
  [/^(?:please )?(?:remove|revoke)$/, /^(?:as|from) (?:an? |the )?admins?$/, revoke('admin')],
  [/^(?:please )?demote$/, /^$/, revoke('admin')],
  [/^(?:please )?(?:remove|revoke)$/, /^from (?:the )?(?:dispatchers|dispatch list|dispatch)$/, revoke('dispatch')],
];

function grant(list: Exclude<AccessList, 'both'>) {
  return (targets: AccessTarget[]): AccessRequest => ({ op: 'grant', list, targets });
}

function revoke(list: AccessList) {
  return (targets: AccessTarget[]): AccessRequest => ({ op: 'revoke', list, targets });
}

export function parseAccess(text: string): Intent | undefined {
  if (text.length > MAX_ACCESS_TEXT) return undefined;
  const targets: AccessTarget[] = [];
  const slot = (target: AccessTarget) => ` ${SLOT}${targets.push(target) - 1} `;
  const skeleton = withoutInvisible(text)
    .replace(MARKUP, (_all, sigil: string, id: string) => slot(markupTarget(sigil, id)))
    .replace(TYPED, (_all, lead: string, name: string) => `${lead}${slot({ kind: 'user', id: name, typed: true })}`)
    .toLowerCase()
    .replace(/[?!.]+\s*$/, '')
    .replace(/\s*,\s*/g, ' , ')
    .replace(/\s+/g, ' ')
    .trim();
  if (LISTING.some((re) => re.test(skeleton))) return { kind: 'access', request: { op: 'list' } };
  const words = skeleton.split(' ');
  for (const [lead, tail, build] of FORMS) {
    for (let start = 1; start <= 2 && start < words.length; start += 1) {
      if (!lead.test(words.slice(0, start).join(' '))) continue;
      const found = targetList(words, start, targets);
      if (found && tail.test(words.slice(found.next).join(' '))) return { kind: 'access', request: build(found.targets) };
    }
  }
  return undefined;
}

function markupTarget(sigil: string, id: string): AccessTarget {
  if (sigil === '@&') return { kind: 'role', id };
  if (sigil === '#') return { kind: 'channel', id };
  if (sigil === '!subteam^') return { kind: 'group', id };
  return { kind: 'user', id, typed: false };
}

/** Targets from `words[from]` on: slots, "everyone [here | in #c]", "this channel", "here", joined by "," / "and". */
function targetList(words: string[], from: number, slots: AccessTarget[]): { targets: AccessTarget[]; next: number } | undefined {
  const targets: AccessTarget[] = [];
  let i = from;
  for (;;) {
    const one = target(words, i, slots);
    if (!one) return undefined;
    targets.push(one.target);
    i = one.next;
    if (words[i] === ',' && words[i + 1] === 'and') i += 2;
    else if (words[i] === ',' || words[i] === 'and' || words[i] === '&') i += 1;
    else return { targets, next: i };
  }
}

function target(words: string[], i: number, slots: AccessTarget[]): { target: AccessTarget; next: number } | undefined {
  const word = words[i] ?? '';
  if (word.startsWith(SLOT)) {
    const slotted = slots[Number(word.slice(1))];
    return slotted ? { target: slotted, next: i + 1 } : undefined;
  }
  if (word === 'here' || (word === 'this' && words[i + 1] === 'channel')) return { target: { kind: 'here' }, next: word === 'here' ? i + 1 : i + 2 };
  if (word !== 'everyone' && word !== 'everybody' && word !== 'anyone') return undefined;
  const next = words[i + 1];
  if (next === 'here') return { target: { kind: 'here' }, next: i + 2 };
  if (next === 'in' && words[i + 2] === 'this' && words[i + 3] === 'channel') return { target: { kind: 'here' }, next: i + 4 };
  const channel = next === 'in' ? slots[Number((words[i + 2] ?? '').slice(1))] : undefined;
  if (channel?.kind === 'channel' && words[i + 2]?.startsWith(SLOT)) return { target: channel, next: i + 3 };
  return { target: { kind: 'everyone' }, next: i + 1 };
}
