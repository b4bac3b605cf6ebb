import type { SurfaceName } from '../../src/chat/inbound.js';
import type { Reply } from '../../src/chat/reply.js';
import type { ChatSurface, InputRequest, MessageRef, PostTarget } from '../../src/chat/surface.js';
import { eventually } from './eventually.js';

export interface Posted {
  ref: MessageRef;
  target: PostTarget;
  reply: Reply;
  /** Every later edit of this message, in order. */
  edits: Reply[];
}

/** A ChatSurface that remembers everything, for testing the dispatcher once for every surface. */
export class RecordingSurface implements ChatSurface {
  readonly posts: Posted[] = [];
  readonly ephemerals: { user: string; reply: Reply }[] = [];
  readonly inputs: { trigger: string; request: InputRequest }[] = [];
  canOpenInput = true;
  /** Edits refused (as a platform outage would) before the next one is taken. */
  refuseEdits = 0;
  /** While set, every post waits for it (`holdPosts` sets it, its return value releases it). */
  private postsHeld: Promise<void> | undefined;
  private next = 1;
  private readonly waiters = new Set<() => void>();

  constructor(readonly name: SurfaceName = 'shell') {}

  async post(target: PostTarget, reply: Reply): Promise<MessageRef> {
    // A slow or paced platform: posts wait here until the test lets them through.
    await this.postsHeld;
    const id = `msg-${this.next++}`;
    const thread = target.thread ?? (target.startThread ? `thread-${id}` : undefined);
    const ref: MessageRef = { surface: this.name, channel: target.channel, id, ...(thread ? { thread } : {}) };
    this.posts.push({ ref, target, reply, edits: [] });
    this.wake();
    return ref;
  }

  async edit(ref: MessageRef, reply: Reply): Promise<void> {
    const posted = this.posts.find((p) => p.ref.id === ref.id);
    if (!posted) throw new Error(`edit of a message never posted: ${ref.id}`);
    if (this.refuseEdits > 0) {
      this.refuseEdits -= 1;
      throw new Error('internal_error (the platform refused the edit)');
    }
    posted.edits.push(reply);
    this.wake();
  }

  async ephemeral(_target: PostTarget, user: string, reply: Reply): Promise<void> {
    this.ephemerals.push({ user, reply });
    this.wake();
  }

  async openInput(trigger: string, request: InputRequest): Promise<boolean> {
    this.inputs.push({ trigger, request });
    return this.canOpenInput;
  }

  /** Hold every post until the returned function is called. */
  holdPosts(): () => void {
    let release!: () => void;
    this.postsHeld = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.postsHeld = undefined;
      release();
    };
  }

  /** The latest content of a message (its last edit, or the post). */
  latest(posted: Posted): Reply {
    return posted.edits.at(-1) ?? posted.reply;
  }

  texts(): string[] {
    return this.posts.map((p) => this.latest(p).text);
  }

  /** Wait until `check` holds over what was recorded (re-checked on every post or edit). */
  async until<T>(check: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    return eventually('the recorded chat', check, {
      timeoutMs,
      intervalMs: 250,
      subscribe: (changed) => {
        this.waiters.add(changed);
        return () => this.waiters.delete(changed);
      },
      explain: () => `recorded:\n${this.texts().join('\n---\n')}`,
    });
  }

  private wake(): void {
    for (const w of this.waiters) w();
    this.waiters.clear();
  }
}
