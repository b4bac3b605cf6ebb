import type { Reply } from './reply.js';
import type { ChatSurface, MessageRef, PostTarget } from './surface.js';

export interface CoalesceOptions {
  /** Least time between two edits of the same message. */
  minIntervalMs: number;
  /** Ceiling on edits across all messages in any sliding minute (Slack chat.update Tier 3 ≈ 50). */
  perMinute?: number;
  /** Where a failed edit is reported; edits resolve when queued, so nobody else would hear of it. */
  onError?: (error: unknown, ref: MessageRef) => void;
}

export interface CoalescedSurface extends ChatSurface {
  /** Resolves once every queued post and edit has reached the wrapped surface and settled. */
  flush(): Promise<void>;
}

/** One message's edit state: at most one edit in flight and one (the latest) waiting. */
interface Slot {
  ref: MessageRef;
  pending?: Reply;
  /** Order in which slots became dirty: the longest-waiting message gets the next budget. */
  dirtySince: number;
  inFlight: boolean;
  lastSent: number;
}

const MINUTE = 60_000;

/**
 * Live status edits arrive far faster than chat platforms accept them. This wrapper keeps only
 * the newest content per message (an older state never lands after a newer one), spaces edits
 * of one message by `minIntervalMs`, keeps all edits under `perMinute`, and never drops the last
 * edit. `edit()` resolves as soon as the edit is queued so callers that await it still coalesce.
 * Posts pass straight through, in call order per channel.
 */
export function coalesceEdits(surface: ChatSurface, opts: CoalesceOptions): CoalescedSurface {
  const onError = opts.onError ?? ((error, ref) => console.error(`edit of ${ref.channel}/${ref.id} failed:`, error));
  const slots = new Map<string, Slot>();
  const sentAt: number[] = [];
  const posts = new Map<string, Promise<unknown>>();
  const idle: (() => void)[] = [];
  let dirtyCount = 0;
  let timer: { at: number; handle: ReturnType<typeof setTimeout> } | undefined;

  const busy = (): boolean => [...slots.values()].some((s) => s.pending !== undefined || s.inFlight);

  const send = (slot: Slot, reply: Reply, now: number): void => {
    slot.pending = undefined;
    slot.inFlight = true;
    slot.lastSent = now;
    sentAt.push(now);
    surface
      .edit(slot.ref, reply)
      .catch((error: unknown) => onError(error, slot.ref))
      .finally(() => {
        slot.inFlight = false;
        pump();
      });
  };

  const pump = (): void => {
    const now = Date.now();
    while (sentAt.length > 0 && (sentAt[0] ?? 0) <= now - MINUTE) sentAt.shift();
    let wake = Infinity;
    const waiting = [...slots.values()].filter((s) => s.pending && !s.inFlight).sort((a, b) => a.dirtySince - b.dirtySince);
    for (const slot of waiting) {
      const due = slot.lastSent + opts.minIntervalMs;
      if (due > now) {
        wake = Math.min(wake, due);
        continue;
      }
      if (opts.perMinute !== undefined && sentAt.length >= opts.perMinute) {
        wake = Math.min(wake, (sentAt[0] ?? now) + MINUTE);
        break;
      }
      if (slot.pending) send(slot, slot.pending, now);
    }
    for (const [key, slot] of slots) {
      // A quiet message forgets its slot once its spacing no longer matters.
      if (!slot.pending && !slot.inFlight && slot.lastSent + opts.minIntervalMs <= now) slots.delete(key);
    }
    schedule(wake);
    if (!busy()) for (const done of idle.splice(0)) done();
  };

  const schedule = (at: number): void => {
    if (at === Infinity || (timer && timer.at <= at)) return;
    if (timer) clearTimeout(timer.handle);
    const handle = setTimeout(
      () => {
        timer = undefined;
        pump();
      },
      Math.max(0, at - Date.now()),
    );
    timer = { at, handle };
  };

  return {
    name: surface.name,
    post(target: PostTarget, reply: Reply): Promise<MessageRef> {
      const before = posts.get(target.channel) ?? Promise.resolve();
      const result = before.then(() => surface.post(target, reply));
      const settled = result.then(
        () => undefined,
        () => undefined,
      );
      posts.set(target.channel, settled);
      void settled.then(() => {
        if (posts.get(target.channel) === settled) posts.delete(target.channel);
      });
      return result;
    },
    async edit(ref: MessageRef, reply: Reply): Promise<void> {
      const key = `${ref.channel}\u0000${ref.id}`;
      const slot = slots.get(key) ?? { ref, dirtySince: 0, inFlight: false, lastSent: -Infinity };
      slots.set(key, slot);
      if (!slot.pending) slot.dirtySince = ++dirtyCount;
      slot.pending = reply;
      slot.ref = ref;
      pump();
    },
    ephemeral: (target, user, reply) => surface.ephemeral(target, user, reply),
    openInput: (trigger, request) => surface.openInput(trigger, request),
    ...(surface.permalink ? { permalink: (ref: MessageRef) => surface.permalink?.(ref) ?? Promise.resolve(undefined) } : {}),
    async flush(): Promise<void> {
      while (posts.size > 0) await Promise.all(posts.values());
      if (busy()) await new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
