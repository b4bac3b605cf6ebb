import type { Reply } from './reply.js';
import { TokenBucket } from './bucket.js';
import { Digests, type WaitingStatus } from './digest.js';
import type { ChatSurface, EditPriority, MessageRef, PostTarget } from './surface.js';

export interface CoalesceOptions {
  /** Least time between two edits of the same message. */
  minIntervalMs: number;
  /**
   * Edits a minute across all messages (Slack chat.update Tier 3 ≈ 50), spent evenly: a bucket
   * of `editBurst` tokens (default 3) refilling at this rate, a token taken when an edit is sent.
   */
  perMinute?: number;
  editBurst?: number;
  /**
   * Posts a second per channel (Slack chat.postMessage: about 1 a second per channel), with a
   * burst of `postBurst` (default 2); unpaced when unset. A post that mentions someone goes first.
   */
  postsPerSecond?: number;
  postBurst?: number;
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
  /**
   * With an edit budget: when a channel's status cards fall further behind than this (ms, default
   * 60 s), one message in the channel says so and carries their newest states (0: never).
   */
  digestAfterMs?: number;
  /** Least time between two edits of such a digest (default 60 s). */
  digestEveryMs?: number;
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
  /** The most any change folded into `pending` matters. */
  priority: EditPriority;
  /** When the waiting content first mattered (order of arrival): the longest-waiting status goes next. */
  dirtySince: number;
  /** When content began waiting (ms): how far behind the message is. */
  waitingSince: number;
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

/** One channel's posts: sent one at a time, in order, mentions first. */
interface Channel {
  queue: { target: PostTarget; reply: Reply; resolve: (ref: MessageRef) => void; reject: (error: unknown) => void }[];
  bucket?: TokenBucket;
  busy: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

const MINUTE = 60_000;
const REVIEW_MS = 1_000;
const RANK: Record<EditPriority, number> = { urgent: 2, change: 1, quiet: 0 };

/**
 * Live status edits arrive far faster than chat platforms accept them. This wrapper keeps only
 * the newest content per message (an older state never lands after a newer one), spaces edits
 * of one message by `minIntervalMs`, and spends the platform's edit budget evenly: urgent edits
 * (a final state, a question) first, then the status that changed longest ago, and quiet ones
 * (an activity line) only while the budget is full. It never drops the last edit: one the
 * platform refuses (a 5xx past the client's own retries, an outage) is tried again with a growing
 * delay until it lands, unless a newer edit of that message replaces it. `edit()` resolves as
 * soon as the edit is queued so callers that await it still coalesce; `landed()` says when the
 * latest content is on the platform. Posts go in call order per channel (a mention first),
 * paced per channel when `postsPerSecond` is set.
 */
export function coalesceEdits(surface: ChatSurface, opts: CoalesceOptions): CoalescedSurface {
  const onError = opts.onError ?? ((error, ref) => console.error(`edit of ${ref.channel}/${ref.id} failed:`, error));
  const retryDelayMs = opts.retryDelayMs ?? 1_000;
  const maxRetryDelayMs = opts.maxRetryDelayMs ?? 5 * MINUTE;
  const giveUpAfterMs = opts.giveUpAfterMs ?? 24 * 60 * MINUTE;
  const slots = new Map<string, Slot>();
  const budget = opts.perMinute === undefined ? undefined : new TokenBucket(opts.perMinute / MINUTE, opts.editBurst ?? 3, Date.now());
  const channels = new Map<string, Channel>();
  const idle: (() => void)[] = [];
  let dirtyCount = 0;
  let timer: { at: number; handle: ReturnType<typeof setTimeout> } | undefined;
  let pumpQueued = false;
  let reviewedAt = -Infinity;

  // An edit waiting to be retried does not hold up a flush (a shutdown would wait out an outage);
  // a final status that never landed is edited again by the next start.
  const busy = (): boolean =>
    [...slots.values()].some((s) => s.inFlight || (s.pending !== undefined && s.failures === 0)) ||
    [...channels.values()].some((c) => c.busy || c.queue.length > 0);
  const settle = (): void => {
    if (idle.length > 0 && !busy()) for (const done of idle.splice(0)) done();
  };

  const send = (slot: Slot, reply: Reply, now: number): void => {
    slot.pending = undefined;
    slot.inFlight = true;
    slot.lastSent = now;
    const priority = slot.priority;
    slot.priority = 'quiet';
    surface.edit(slot.ref, reply, priority).then(
      () => {
        slot.failures = 0;
        slot.inFlight = false;
        if (!slot.pending) for (const waiter of slot.landed.splice(0)) waiter.resolve();
        pump();
      },
      (error: unknown) => {
        slot.inFlight = false;
        failed(slot, reply, priority, error, Date.now());
        pump();
      },
    );
  };

  /** Keep the refused content for another try (a newer edit wins), with a growing delay. */
  const failed = (slot: Slot, reply: Reply, priority: EditPriority, error: unknown, now: number): void => {
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
    if (RANK[priority] > RANK[slot.priority]) slot.priority = priority;
    if (!slot.pending) {
      slot.pending = reply;
      slot.dirtySince = ++dirtyCount;
      slot.waitingSince = now;
    }
  };

  /** Whether the budget lets this slot's edit go now; when not, when to look again. */
  const spend = (slot: Slot, now: number): number | true => {
    if (!budget) return true;
    // A quiet change waits for a full bucket: it never takes an edit a visible change is owed.
    if (slot.priority === 'quiet') return budget.full(now) && budget.take(now) ? true : budget.fullAt(now);
    return budget.take(now) ? true : budget.nextAt(now);
  };

  const pump = (): void => {
    const now = Date.now();
    let wake = Infinity;
    const waiting = [...slots.values()]
      .filter((s) => s.pending && !s.inFlight)
      .sort((a, b) => RANK[b.priority] - RANK[a.priority] || a.dirtySince - b.dirtySince);
    for (const slot of waiting) {
      const due = Math.max(slot.lastSent + opts.minIntervalMs, slot.retryAt);
      if (due > now) {
        wake = Math.min(wake, due);
        continue;
      }
      const spent = spend(slot, now);
      if (spent !== true) {
        wake = Math.min(wake, spent);
        // Everything after a visible change in the order waits behind it.
        if (slot.priority !== 'quiet') break;
        continue;
      }
      if (slot.pending) send(slot, slot.pending, now);
    }
    for (const [key, slot] of slots) {
      // A quiet message forgets its slot once its spacing no longer matters.
      if (!slot.pending && !slot.inFlight && slot.landed.length === 0 && slot.lastSent + opts.minIntervalMs <= now) slots.delete(key);
    }
    wake = Math.min(wake, reviewDigests(now));
    schedule(wake);
    settle();
  };

  /**
   * Many edits arrive together (a batch of task events): one pump after them all, not one each,
   * since a pump orders every waiting status.
   */
  const requestPump = (): void => {
    if (pumpQueued) return;
    pumpQueued = true;
    queueMicrotask(() => {
      pumpQueued = false;
      pump();
    });
  };

  /**
   * The digests look at every waiting status; at most once a REVIEW_MS, which is plenty for a
   * message about falling a minute behind. Returns when to look again (Infinity: no need).
   */
  const reviewDigests = (now: number): number => {
    if (!digests) return Infinity;
    if (now - reviewedAt < REVIEW_MS) return reviewedAt + REVIEW_MS;
    reviewedAt = now;
    digests.review(waitingStatuses(), now);
    return Infinity;
  };

  /** Status cards (replies with a title) whose newest content has not been sent. */
  const waitingStatuses = (): WaitingStatus[] =>
    [...slots.values()].flatMap((s) => (s.pending?.title === undefined ? [] : [{ ref: s.ref, content: s.pending, since: s.waitingSince, quiet: s.priority === 'quiet' }]));

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

  const channelOf = (id: string): Channel => {
    let channel = channels.get(id);
    if (!channel) {
      const rate = opts.postsPerSecond;
      channel = { queue: [], busy: false, ...(rate ? { bucket: new TokenBucket(rate / 1000, opts.postBurst ?? 2, Date.now()) } : {}) };
      channels.set(id, channel);
    }
    return channel;
  };

  /** Send the channel's next post once its bucket has a token; one post in flight per channel. */
  const drain = (id: string): void => {
    const channel = channels.get(id);
    if (!channel || channel.busy || channel.timer) return;
    const next = channel.queue[0];
    const now = Date.now();
    if (!next) {
      // The bucket remembers what was spent: forgotten while it is not full, a post arriving
      // just after the queue ran dry would get a fresh one and go out at once, past the rate.
      if (!channel.bucket || channel.bucket.full(now)) channels.delete(id);
      settle();
      return;
    }
    if (channel.bucket && !channel.bucket.take(now)) {
      channel.timer = setTimeout(() => {
        channel.timer = undefined;
        drain(id);
      }, channel.bucket.nextAt(now) - now);
      return;
    }
    channel.queue.shift();
    channel.busy = true;
    surface.post(next.target, next.reply).then(next.resolve, next.reject).finally(() => {
      channel.busy = false;
      drain(id);
    });
  };

  const api: CoalescedSurface = {
    name: surface.name,
    post(target: PostTarget, reply: Reply): Promise<MessageRef> {
      return new Promise((resolve, reject) => {
        const channel = channelOf(target.channel);
        const entry = { target, reply, resolve, reject };
        // A mention (a question, a failure) is someone waiting: it goes before plain posts still queued.
        const at = reply.mention === undefined ? -1 : channel.queue.findIndex((q) => q.reply.mention === undefined);
        if (at < 0) channel.queue.push(entry);
        else channel.queue.splice(at, 0, entry);
        drain(target.channel);
      });
    },
    async edit(ref: MessageRef, reply: Reply, priority: EditPriority = 'change'): Promise<void> {
      const key = `${ref.channel}\u0000${ref.id}`;
      const slot = slots.get(key) ?? { ref, priority: 'quiet', dirtySince: 0, waitingSince: 0, inFlight: false, lastSent: -Infinity, failures: 0, failingSince: 0, retryAt: 0, landed: [] };
      slots.set(key, slot);
      if (!slot.pending) slot.waitingSince = Date.now();
      if (!slot.pending || RANK[priority] > RANK[slot.priority]) slot.dirtySince = ++dirtyCount;
      if (RANK[priority] > RANK[slot.priority]) slot.priority = priority;
      slot.pending = reply;
      slot.ref = ref;
      requestPump();
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
    ...(surface.download ? { download: surface.download.bind(surface) } : {}),
    async flush(): Promise<void> {
      if (busy()) await new Promise<void>((resolve) => idle.push(resolve));
    },
  };
  const digestAfterMs = opts.digestAfterMs ?? MINUTE;
  const digests =
    opts.perMinute === undefined || digestAfterMs <= 0
      ? undefined
      : new Digests({
          behindMs: digestAfterMs,
          everyMs: opts.digestEveryMs ?? MINUTE,
          perMinute: opts.perMinute,
          post: (target, reply) => api.post(target, reply),
          // Someone reading the channel is waiting for it: it goes before the statuses it stands for.
          edit: (ref, reply) => void api.edit(ref, reply, 'urgent'),
          onError: (error, channel) => onError(error, { surface: surface.name, channel, id: '(status digest)' }),
        });
  return api;
}
