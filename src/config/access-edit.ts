import { isSeq, type Document } from 'yaml';
import { ConfigError } from '../errors/index.js';
import type { AccessKey } from './port.js';
import { record, setUnder, type Data } from './yaml-doc.js';

const HOW = [
  ' Who may use the bot, by immutable id only (a display name can be set to anyone\'s id):',
  ' Slack user ids (U…) and user groups (S…), Discord user ids and role:<id>, channel:<id>',
  ' (everyone in that channel), or "*" (everyone). Admins say "allow @name", "allow #channel",',
  ' "allow everyone here" or "make @name an admin" in chat to open it up.',
].join('\n');
const ADMIN_NOTE = ' may change this config from chat and cancel, retry or read any task';
const DISPATCH_NOTE = ' may dispatch tasks (admins may too)';

function listed(config: Data, key: AccessKey): string[] | undefined {
  const value = record(config.access)[key];
  return Array.isArray(value) ? value.map(String) : undefined;
}

/** First run: the requester is the only admin and dispatcher; comments say what each key means. */
export function initAccess(doc: Document, config: Data, admin: string): string {
  if (config.access !== undefined) return 'Kept the access rules already in the config.';
  const access = doc.createNode({ admin: [admin], dispatch: [admin] });
  const [adminPair, dispatchPair] = access.items;
  if (adminPair && dispatchPair) {
    adminPair.key = doc.createNode('admin');
    adminPair.key.commentBefore = ADMIN_NOTE;
    dispatchPair.key = doc.createNode('dispatch');
    dispatchPair.key.commentBefore = DISPATCH_NOTE;
  }
  const pair = doc.createPair('access', access);
  pair.key = doc.createNode('access');
  pair.key.commentBefore = HOW;
  doc.add(pair);
  return `Made <@${admin}> the admin and the only one who may dispatch (access in the config).`;
}

/** Add principals to one list; returns them as added (those already there are left out). */
export function grant(doc: Document, config: Data, key: AccessKey, principals: string[]): string[] {
  const current = listed(config, key) ?? [];
  const added = [...new Set(principals)].filter((p) => !current.includes(p));
  if (added.length === 0) return [];
  const seq = doc.getIn(['access', key]);
  if (isSeq(seq)) for (const p of added) seq.add(doc.createNode(p));
  else setUnder(doc, 'access', [key], doc.createNode([...current, ...added]));
  return added;
}

/**
 * Remove principals from lists; returns `[key, removed]` per list. Never leaves a written admin
 * list empty: nobody could change the config from chat again.
 */
export function revoke(doc: Document, config: Data, keys: AccessKey[], principals: string[]): [AccessKey, string[]][] {
  const out: [AccessKey, string[]][] = [];
  for (const key of keys) {
    const current = listed(config, key);
    if (!current) continue;
    const kept = current.filter((p) => !principals.includes(p));
    if (kept.length === current.length) continue;
    if (key === 'admin' && kept.length === 0) {
      throw new ConfigError('That would leave no admin, and nobody could change the config from chat again. Make someone else an admin first.', 'access.admin');
    }
    const seq = doc.getIn(['access', key]);
    if (isSeq(seq)) {
      for (let i = seq.items.length - 1; i >= 0; i -= 1) {
        const item = seq.items[i];
        const value = item !== null && typeof item === 'object' && 'value' in item ? item.value : item;
        if (principals.includes(String(value))) seq.delete(i);
      }
    } else setUnder(doc, 'access', [key], doc.createNode(kept));
    out.push([key, current.filter((p) => principals.includes(p))]);
  }
  return out;
}
