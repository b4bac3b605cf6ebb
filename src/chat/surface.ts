import { z } from 'zod';
import type { Action } from './action.js';
import type { Reply } from './reply.js';
import type { Download } from './download.js';
import { SurfaceName, type InboundFile } from './inbound.js';

/**
 * Where to post. With `thread` set the reply goes into that thread. Without it the reply goes to
 * the channel; `startThread: true` makes the post the start of a new thread (Slack: the bot's
 * message becomes the parent; Discord: a thread is started from `fromMessage` when given, else
 * from the bot's message) and the returned ref names that thread.
 */
export interface PostTarget {
  channel: string;
  thread?: string;
  startThread?: boolean;
  fromMessage?: string;
  /** Nobody asked for this post (a channel notice): it never answers a command waiting for its reply. */
  unprompted?: boolean;
}

/** A posted message, enough to edit it later and to post further replies in its thread. */
export const MessageRef = z.object({
  surface: SurfaceName,
  channel: z.string(),
  /** The thread the message lives in (or starts). */
  thread: z.string().optional(),
  id: z.string(),
});
export type MessageRef = z.infer<typeof MessageRef>;

export interface InputRequest {
  /** Echoed back as `Inbound.input.action`. */
  action: Action;
  title: string;
  label: string;
  initial?: string;
  multiline?: boolean;
}

/**
 * How much an edit matters to the people reading the message, for a surface that has to ration
 * edits: `urgent` (a final state, a question) goes before anything else, `change` (a checklist
 * mark, a new state) spends the edit budget in turn, `quiet` (an activity line, the elapsed time)
 * goes out only with spare budget or along with the next change.
 */
export type EditPriority = 'urgent' | 'change' | 'quiet';

/** The port every chat adapter implements. The dispatcher talks to chat only through this. */
export interface ChatSurface {
  readonly name: SurfaceName;
  post(target: PostTarget, reply: Reply): Promise<MessageRef>;
  /**
   * Edit a posted message. `priority` only matters to a surface that paces its edits (see
   * EditPriority); an adapter sends every edit it is given.
   */
  edit(ref: MessageRef, reply: Reply, priority?: EditPriority): Promise<void>;
  /** A reply only `user` sees (Slack ephemeral, Discord ephemeral follow-up, shell: printed). */
  ephemeral(target: PostTarget, user: string, reply: Reply): Promise<void>;
  /**
   * Open an input for one user in answer to an action (`trigger` from that action). Returns false
   * when the surface cannot (trigger expired); the dispatcher then asks for a thread reply instead.
   */
  openInput(trigger: string, request: InputRequest): Promise<boolean>;
  /**
   * Resolves once the latest edit of `ref` is on the platform. Only a surface that queues edits
   * (and retries refused ones) has it; on any other, an awaited `edit` has landed when it resolves.
   */
  landed?(ref: MessageRef): Promise<void>;
  /** A link a person can follow to the message (the status list links each task's thread). */
  permalink?(ref: MessageRef): Promise<string | undefined>;
  /**
   * Of `candidates` (group ids the access rules name), the ones `user` belongs to, for platforms
   * whose payloads do not carry membership (Slack user groups). Ids only, never names.
   */
  groupsOf?(user: string, candidates: readonly string[]): Promise<string[]>;
  /**
   * How a person answers a task on a surface without threads (the shell: `#<task-id> text`).
   * Without it, the answer is a reply in the task's thread.
   */
  replyHint?(task: string): string;
  /**
   * Fetch a file attached to a request on this surface (`file.handle` is one this surface made),
   * with the bot's own credentials, from the platform's own hosts only, at most `maxBytes`.
   * A surface whose requests carry no files has none.
   */
  download?(file: InboundFile, maxBytes: number): Promise<Download>;
}
