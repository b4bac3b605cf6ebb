import { createHash } from 'node:crypto';
import { decodeAction, encodeAction, type Action } from '../../src/chat/action.js';

/**
 * Discord caps a component's custom_id (and a select option's value) at 100 characters. An id is
 * a kind letter and the encoded action (`bconfirm|p-42`). An action too long for that is kept in
 * a bounded map under a hash of itself (`b~3f…`): the same action always gets the same key, so a
 * key never names a different action, and after a restart (the map is empty) such a press
 * decodes to undefined and the adapter says the button expired.
 */
export const CUSTOM_ID_MAX = 100;
const MAP_LIMIT = 5000;
const LONG = '~';

/** What a component is: a button, a button that opens a modal (held, not deferred), a menu, a modal. */
export type ComponentKind = 'button' | 'input-button' | 'select' | 'modal';
const LETTER: Record<ComponentKind, string> = { button: 'b', 'input-button': 'i', select: 's', modal: 'm' };
const KIND = new Map(Object.entries(LETTER).map(([kind, letter]) => [letter, kind as ComponentKind]));

export class CustomIds {
  private readonly long = new Map<string, Action>();

  /** A component's custom_id; a menu carries its actions in its options, so its own is bare. */
  encode(kind: ComponentKind, action?: Action): string {
    return `${LETTER[kind]}${action ? this.key(action, CUSTOM_ID_MAX - 1) : ''}`;
  }

  decode(customId: string): { kind: ComponentKind; action?: Action } | undefined {
    const kind = KIND.get(customId.slice(0, 1));
    if (!kind) return undefined;
    const body = customId.slice(1);
    if (kind === 'select' && body === '') return { kind };
    const action = this.lookup(body);
    return action ? { kind, action } : undefined;
  }

  /** A select option's value. */
  encodeOption(action: Action): string {
    return this.key(action, CUSTOM_ID_MAX);
  }

  decodeOption(value: string): Action | undefined {
    return this.lookup(value);
  }

  private key(action: Action, room: number): string {
    const plain = encodeAction(action);
    if (plain.length <= room) return plain;
    const key = `${LONG}${createHash('sha256').update(plain).digest('base64url').slice(0, 22)}`;
    this.long.delete(key);
    this.long.set(key, action);
    // Oldest entries go first: a press on a months-old message is the one we can afford to lose.
    if (this.long.size > MAP_LIMIT) {
      const oldest = this.long.keys().next();
      if (!oldest.done) this.long.delete(oldest.value);
    }
    return key;
  }

  private lookup(body: string): Action | undefined {
    return body.startsWith(LONG) ? this.long.get(body) : decodeAction(body);
  }
}
