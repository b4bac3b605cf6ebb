import type { Reply } from './reply.js';
import type { ChatSurface, MessageRef, PostTarget } from './surface.js';

export interface CoalesceOptions {
  /** Least time between two edits of the same message. */
  minIntervalMs: number;
  /** Ceiling on edits across all messages in any sliding minute (Slack chat.update Tier 3 ≈ 50). */
  perMinute?: number;
  /** Where a failed edit is reported; edits resolve when queued, so nobody else would hear of it. */
  onError?: (error: unknown, ref: MessageRef) => void;
  /**
   * First wait before a failed edit is tried again; it doubles per failure up to
   * `maxRetryDelayMs`, and the content is dropped after `giveUpAfterMs` of failures (default 1 s,
   * 5 min, 24 h). A newer edit of the same message replaces the one being retried.
   */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  giveUpAfterMs?: number;
}

export interface CoalescedSurface extends ChatSurface {
  /** Resolves once every queued post and edit has reached the wrapped surface and settled. */
  flush(): Promise<void>;
  landed(ref: MessageRef): Promise<void>;
}

/** One message's edit state: at most one edit in flight and one (the latest) waiting. */
interface Slot {
  ref: MessageRef;
  pending?: Reply;
  /** Order in which slots became dirty: the longest-waiting message gets the next budget. */
  dirtySince: number;
  inFlight: boolean;
  lastSent: number;
  /** Failures in a row, and when the first of them happened (0: the last send went through). */
  failures: number;
  failingSince: number;
  /** A retried edit waits until then. */
  retryAt: number;
  /** Callers of `landed()`, told once nothing is waiting or in flight for this message. */
  landed: { resolve: () => void; reject: (error: Error) => void }[];
}

const MINUTE = 60_000;

/**
 * Live status edits arrive far faster than chat platforms accept them. This wrapper keeps only
 * the newest content per message (an older state never lands after a newer one), spaces edits
 * of one message by `minIntervalMs`, keeps all edits under `perMinute`, and never drops the last
 * edit: one the platform refuses (a 5xx past the client's own retries, an outage) is tried again
 * with a growing delay until it lands, unless a newer edit of that message replaces it.
 * `edit()` resolves as soon as the edit is queued so callers that await it still coalesce;
 * `landed()` says when the latest content is on the platform. Posts pass straight through, in
 * call order per channel.
 */
export function coalesceEdits(surface: ChatSurface, opts: CoalesceOptions): CoalescedSurface {
  const onError = opts.onError ?? ((error, ref) => console.error(`edit of ${ref.channel}/${ref.id} failed:`, error));
  const retryDelayMs = opts.retryDelayMs ?? 1_000;
  const maxRetryDelayMs = opts.maxRetryDelayMs ?? 5 * MINUTE;
  const giveUpAfterMs = opts.giveUpAfterMs ?? 24 * 60 * MINUTE;
  const slots = new Map<string, Slot>();
  const sentAt: number[] = [];
  const posts = new Map<string, Promise<unknown>>();
  const idle: (() => void)[] = [];
  let dirtyCount = 0;
  let timer: { at: number; handle: ReturnType<typeof setTimeout> } | undefined;

  // An edit waiting to be retried does not hold up a flush (a shutdown would wait out an outage);
  // a final status that never landed is edited again by the next start.
  const busy = (): boolean => [...slots.values()].some((s) => s.inFlight || (s.pending !== undefined && s.failures === 0));

  const send = (slot: Slot, reply: Reply, now: number): void => {
    slot.pending = undefined;
    slot.inFlight = true;
    slot.lastSent = now;
    sentAt.push(now);
    surface.edit(slot.ref, reply).then(
      () => {
        slot.failures = 0;
        slot.inFlight = false;
        if (!slot.pending) for (const waiter of slot.landed.splice(0)) waiter.resolve();
        pump();
      },
      (error: unknown) => {
        slot.inFlight = false;
        failed(slot, reply, error, Date.now());
        pump();
      },
    );
  };

  /** Keep the refused content for another try (a newer edit wins), with a growing delay. */
  const failed = (slot: Slot, reply: Reply, error: unknown, now: number): void => {
    onError(error, slot.ref);
    if (slot.failures === 0) slot.failingSince = now;
    slot.failures += 1;
    if (now - slot.failingSince >= giveUpAfterMs) {
      const gaveUp = new Error(`gave up editing ${slot.ref.channel}/${slot.ref.id} after ${slot.failures} failures`);
      for (const waiter of slot.landed.splice(0)) waiter.reject(gaveUp);
      slot.failures = 0;
      return;
    }
    slot.retryAt = now + Math.min(maxRetryDelayMs, retryDelayMs * 2 ** (slot.failures - 1));
    if (!slot.pending) {
      slot.pending = reply;
      slot.dirtySince = ++dirtyCount;
    }
  };

  const pump = (): void => {
    const now = Date.now();
    while (sentAt.length > 0 && (sentAt[0] ?? 0) <= now - MINUTE) sentAt.shift();
    let wake = Infinity;
    const waiting = [...slots.values()].filter((s) => s.pending && !s.inFlight).sort((a, b) => a.dirtySince - b.dirtySince);
    for (const slot of waiting) {
      const due = Math.max(slot.lastSent + opts.minIntervalMs, slot.retryAt);
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
      if (!slot.pending && !slot.inFlight && slot.landed.length === 0 && slot.lastSent + opts.minIntervalMs <= now) slots.delete(key);
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
      const slot = slots.get(key) ?? { ref, dirtySince: 0, inFlight: false, lastSent: -Infinity, failures: 0, failingSince: 0, retryAt: 0, landed: [] };
      slots.set(key, slot);
      if (!slot.pending) slot.dirtySince = ++dirtyCount;
      slot.pending = reply;
      slot.ref = ref;
      pump();
    },
    ephemeral: (target, user, reply) => surface.ephemeral(target, user, reply),
    openInput: (trigger, request) => surface.openInput(trigger, request),
    ...(surface.permalink ? { permalink: (ref: MessageRef) => surface.permalink?.(ref) ?? Promise.resolve(undefined) } : {}),
    ...(surface.replyHint ? { replyHint: (task: string) => surface.replyHint?.(task) ?? '' } : {}),
    landed(ref: MessageRef): Promise<void> {
      const slot = slots.get(`${ref.channel}\u0000${ref.id}`);
      if (!slot || (!slot.pending && !slot.inFlight)) return Promise.resolve();
      return new Promise((resolve, reject) => slot.landed.push({ resolve, reject }));
    },
    ...(surface.groupsOf ? { groupsOf: (user: string, candidates: readonly string[]) => surface.groupsOf?.(user, candidates) ?? Promise.resolve([]) } : {}),
    async flush(): Promise<void> {
      while (posts.size > 0) await Promise.all(posts.values());
      if (busy()) await new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
