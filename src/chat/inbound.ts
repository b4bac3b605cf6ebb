import { z } from 'zod';
import { Action } from './action.js';

/** Which chat surface a request came from. */
export const SurfaceName = z.enum(['slack', 'discord', 'shell']);
export type SurfaceName = z.infer<typeof SurfaceName>;

/** Who is speaking: the platform's immutable user id plus the group ids access rules may match on. */
export const Who = z.object({
  id: z.string().min(1).max(200),
  /** For display only: the user chooses it (it can be set to anyone's id), so it never grants a right. */
  name: z.string().max(200).optional(),
  /** Group / role ids the user belongs to (Slack user groups, Discord roles). */
  groups: z.array(z.string().max(200)).max(500).default([]),
});
export type Who = z.infer<typeof Who>;

/**
 * Where a request was said. `thread` is the platform's thread key (Slack thread_ts, Discord
 * thread channel id, shell thread id) when the message is a reply inside a thread; `message` is
 * the platform id of the message itself (Discord starts a task's thread from it).
 */
export const Where = z.object({
  surface: SurfaceName,
  channel: z.string().min(1).max(200),
  thread: z.string().min(1).max(200).optional(),
  message: z.string().min(1).max(200).optional(),
});
export type Where = z.infer<typeof Where>;

/**
 * A file attached to a message, as the platform describes it: nothing is downloaded until a task
 * needs it. `handle` is the surface's own way to fetch it (a Slack or Discord file URL); only the
 * surface that made it reads it, and only from its platform's hosts.
 */
export const InboundFile = z.object({
  name: z.string().min(1).max(1000),
  /** Bytes, as the platform declares it (a download counts for itself). */
  size: z.number().int().nonnegative(),
  mime: z.string().max(200).optional(),
  handle: z.string().min(1).max(4000),
});
export type InboundFile = z.infer<typeof InboundFile>;

/** More files than any platform attaches to one message. */
const FILES_PER_MESSAGE = 100;

/**
 * One platform-neutral request. Adapters build it; the dispatcher decides what it means.
 * - message: text typed by a user (new request when `where.thread` is unset, else a thread reply).
 *   `task` is set when the user addressed a task explicitly (shell `#<task-id> text`).
 * - action: a button press or select-menu pick on one of our messages.
 * - input: a submitted modal / prompt (`action` is the one `openInput` was given).
 */
export const Inbound = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('message'),
    who: Who,
    where: Where,
    text: z.string(),
    task: z.string().max(200).optional(),
    /**
     * True when the bot was addressed directly (slash command, mention, DM, shell line). A plain
     * message in a thread the bot does not own is then ignored unless it was addressed.
     */
    addressed: z.boolean().optional(),
    /** Platform delivery id (Slack event_id, Discord message id) for de-duplication. */
    deliveryId: z.string().max(300).optional(),
    /** Files attached to the message (a screenshot, a log). */
    attachments: z.array(InboundFile).max(FILES_PER_MESSAGE).optional(),
  }),
  z.object({
    kind: z.literal('action'),
    who: Who,
    where: Where,
    action: Action,
    /** Surface-specific handle that lets `openInput` open a modal in answer to this press. */
    trigger: z.string().max(2000).optional(),
    deliveryId: z.string().max(300).optional(),
  }),
  z.object({
    kind: z.literal('input'),
    who: Who,
    where: Where,
    /** The action whose input this is (an answer, an alias prompt). */
    action: Action,
    value: z.string(),
    deliveryId: z.string().max(300).optional(),
  }),
]);
export type Inbound = z.infer<typeof Inbound>;
export type InboundMessage = Extract<Inbound, { kind: 'message' }>;
export type InboundAction = Extract<Inbound, { kind: 'action' }>;
export type InboundInput = Extract<Inbound, { kind: 'input' }>;
