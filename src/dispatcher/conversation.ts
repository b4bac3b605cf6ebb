import type { Inbound, Where } from '../chat/inbound.js';
import type { Reply } from '../chat/reply.js';
import type { ChatSurface, MessageRef, PostTarget } from '../chat/surface.js';
import type { TaskRecord } from '../store/records.js';
import type { DispatcherDeps } from './deps.js';

/** Post in a task's thread (or its channel when it has none), on the surface it was asked on. */
export async function postToTask(deps: DispatcherDeps, task: TaskRecord, reply: Reply): Promise<MessageRef | undefined> {
  const target: PostTarget = task.thread ? { channel: task.where.channel, thread: task.thread } : { channel: task.where.channel };
  return deps.surface(task.where.surface)?.post(target, reply);
}

/** Posting helpers bound to the surface a request came from. */
export class Conversation {
  readonly surface: ChatSurface;

  constructor(
    deps: DispatcherDeps,
    readonly where: Where,
  ) {
    const surface = deps.surface(where.surface);
    if (!surface) throw new Error(`no chat surface named ${where.surface} is running`);
    this.surface = surface;
  }

  static of(deps: DispatcherDeps, inbound: Inbound): Conversation {
    return new Conversation(deps, inbound.where);
  }

  /** Answer in place: in the thread when the request was made in one, else in the channel. */
  answer(reply: Reply): Promise<MessageRef> {
    return this.surface.post(this.inPlace(), reply);
  }

  /** The first message of a request that will have a thread of its own. */
  startThread(reply: Reply): Promise<MessageRef> {
    if (this.where.thread) return this.surface.post(this.inPlace(), reply);
    const target: PostTarget = { channel: this.where.channel, startThread: true };
    if (this.where.message) target.fromMessage = this.where.message;
    return this.surface.post(target, reply);
  }

  inThread(thread: string | undefined, reply: Reply): Promise<MessageRef> {
    return this.surface.post(thread ? { channel: this.where.channel, thread } : this.inPlace(), reply);
  }

  ephemeral(user: string, reply: Reply): Promise<void> {
    return this.surface.ephemeral(this.inPlace(), user, reply);
  }

  private inPlace(): PostTarget {
    return this.where.thread ? { channel: this.where.channel, thread: this.where.thread } : { channel: this.where.channel };
  }
}
