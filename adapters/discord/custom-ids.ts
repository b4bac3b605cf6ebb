/**
 * Discord caps a component's custom_id (and a select option's value) at 100 characters. Most of
 * ours are short (`confirm|p-42`); a longer one is kept in a bounded per-adapter map and sent as
 * `~<n>`. A map entry does not survive a restart: such a press then decodes to undefined and the
 * adapter says the button expired.
 */
export const CUSTOM_ID_MAX = 100;
const MAP_LIMIT = 5000;
const SEPARATOR = '|';

export interface DecodedId {
  action: string;
  value: string;
}

export class CustomIds {
  private readonly long = new Map<string, DecodedId>();
  private counter = 0;

  /** `<action>|<value>` when it fits, else a short key into the map. */
  encode(action: string, value: string): string {
    const plain = `${action}${SEPARATOR}${value}`;
    if (plain.length <= CUSTOM_ID_MAX && !action.includes(SEPARATOR) && !plain.startsWith('~')) return plain;
    return this.remember({ action, value });
  }

  decode(customId: string): DecodedId | undefined {
    if (customId.startsWith('~')) return this.long.get(customId);
    const at = customId.indexOf(SEPARATOR);
    if (at <= 0) return undefined;
    return { action: customId.slice(0, at), value: customId.slice(at + 1) };
  }

  /** A select option value: kept verbatim when short, else mapped. */
  encodeOption(value: string): string {
    if (value.length <= CUSTOM_ID_MAX && !value.startsWith('~')) return value;
    return this.remember({ action: '', value });
  }

  decodeOption(value: string): string | undefined {
    return value.startsWith('~') ? this.long.get(value)?.value : value;
  }

  private remember(entry: DecodedId): string {
    this.counter += 1;
    const key = `~${this.counter.toString(36)}`;
    this.long.set(key, entry);
    // Oldest entries go first: a press on a months-old message is the one we can afford to lose.
    if (this.long.size > MAP_LIMIT) {
      const oldest = this.long.keys().next();
      if (!oldest.done) this.long.delete(oldest.value);
    }
    return key;
  }
}
