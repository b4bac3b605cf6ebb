import type { Reply } from './reply.js';
import type { MessageRef, PostTarget } from './surface.js';

/** A status card whose newest content has not reached the platform yet. */
export interface WaitingStatus {
  ref: MessageRef;
  content: Reply;
  /** When its oldest content not yet shown was queued (ms). */
  since: number;
  /** It goes out only with spare budget (an activity line): it does not add to the backlog. */
  quiet: boolean;
}

export interface DigestOptions {
  /** Statuses further behind than this (ms) make the channel's digest appear (default 60 s). */
  behindMs: number;
  /**
   * Least time between two edits of one digest (default 60 s). Digests spend the statuses' edit
   * budget, so with many channels behind they are edited more rarely: together at most
   * BUDGET_SHARE of it.
   */
  everyMs: number;
  /** Edits a minute the platform allows the bot (how fast a backlog drains). */
  perMinute: number;
  post(target: PostTarget, reply: Reply): Promise<MessageRef>;
  edit(ref: MessageRef, reply: Reply): void;
  /** Why a channel's digest could not be posted. */
  onError(error: unknown, channel: string): void;
}

interface Digest {
  ref?: MessageRef;
  text: string;
  editedAt: number;
}

const LISTED = 12;
/** The most of the edit budget all digests together may spend: the statuses are what is behind. */
const BUDGET_SHARE = 0.1;

/**
 * Past what the platform's rate limit lets through, status cards go stale. Rather than let them
 * do so silently, each channel where they are further behind than `behindMs` (the oldest waiting
 * edit, or the time the budget needs to send what waits) gets one message saying so, with the
 * newest state of every waiting task, edited as that changes, and told it has caught up once
 * nothing waits.
 */
export class Digests {
  private readonly byChannel = new Map<string, Digest>();

  constructor(private readonly opts: DigestOptions) {}

  /** True for a message this class posted (its edits are not a status waiting). */
  owns(ref: MessageRef): boolean {
    return this.byChannel.get(ref.channel)?.ref?.id === ref.id;
  }

  review(waiting: readonly WaitingStatus[], now: number): void {
    const channels = new Map<string, WaitingStatus[]>();
    for (const status of waiting) {
      if (this.owns(status.ref)) continue;
      const list = channels.get(status.ref.channel) ?? [];
      list.push(status);
      channels.set(status.ref.channel, list);
    }
    for (const [channel, list] of channels) this.channel(channel, list, now);
    for (const [channel, digest] of this.byChannel) {
      if (!channels.has(channel)) this.caughtUp(channel, digest);
    }
  }

  private channel(channel: string, list: WaitingStatus[], now: number): void {
    const visible = list.filter((s) => !s.quiet).length;
    const oldest = Math.min(...list.map((s) => s.since));
    const behind = Math.max(now - oldest, (visible * 60_000) / this.opts.perMinute);
    const digest = this.byChannel.get(channel);
    if (!digest) {
      if (behind > this.opts.behindMs) this.open(channel, digestText(list, behind, now), now);
      return;
    }
    const every = Math.max(this.opts.everyMs, (this.byChannel.size * 60_000) / (this.opts.perMinute * BUDGET_SHARE));
    if (!digest.ref || now - digest.editedAt < every) return;
    const text = digestText(list, behind, now);
    if (text === digest.text) return;
    digest.text = text;
    digest.editedAt = now;
    this.opts.edit(digest.ref, { text });
  }

  private open(channel: string, text: string, now: number): void {
    const digest: Digest = { text, editedAt: now };
    this.byChannel.set(channel, digest);
    this.opts.post({ channel, unprompted: true }, { text }).then(
      (ref) => {
        digest.ref = ref;
        // Caught up while the post was on its way.
        if (this.byChannel.get(channel) !== digest) this.opts.edit(ref, { text: CAUGHT_UP });
      },
      (error: unknown) => {
        if (this.byChannel.get(channel) === digest) this.byChannel.delete(channel);
        this.opts.onError(error, channel);
      },
    );
  }

  private caughtUp(channel: string, digest: Digest): void {
    this.byChannel.delete(channel);
    if (digest.ref) this.opts.edit(digest.ref, { text: CAUGHT_UP });
  }
}

const CAUGHT_UP = 'Status updates have caught up: every task status here is current again.';

/** `12 tasks here have status updates waiting …  Latest: a ✓ done, b running 3/5, …` */
export function digestText(list: readonly WaitingStatus[], behindMs: number, now: number): string {
  const ordered = [...list].sort((a, b) => a.since - b.since || (a.ref.id < b.ref.id ? -1 : 1));
  const lines = ordered.slice(0, LISTED).map((s) => `• ${statusLine(s.content)}`);
  if (ordered.length > LISTED) lines.push(`• … and ${ordered.length - LISTED} more`);
  const oldest = Math.round((now - (ordered[0]?.since ?? now)) / 1000);
  const behind = Math.max(oldest, Math.round(behindMs / 1000));
  const tasks = `${list.length} task${list.length === 1 ? ' here has' : 's here have'}`;
  return `${tasks} status updates waiting: the chat's rate limit lets only so many edits through, so their status messages are about ${behind} s behind. Latest:\n${lines.join('\n')}`;
}

/** A status card in one line: its first line without markup, and its progress. */
function statusLine(content: Reply): string {
  const head = (content.text.split('\n')[0] ?? '').replace(/\*\*/g, '').trim() || (content.title ?? '');
  const progress = content.progress && content.progress.total > 0 ? ` ${content.progress.done}/${content.progress.total}` : '';
  return `${head}${progress}`;
}
