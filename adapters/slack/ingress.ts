import { createHash } from 'node:crypto';
import { z } from 'zod';
import { decodeAction } from '../../src/chat/action.js';
import { Inbound, type InboundFile } from '../../src/chat/inbound.js';
import { encodeTrigger, InputMetadata, submittedValue } from './modal.js';
import { cleanInbound } from './text.js';

/**
 * Slack payloads → platform-neutral requests. Pure: each function takes the raw body Bolt hands
 * a listener and returns the request plus the keys that make its delivery unique, or undefined
 * when the payload is not a request for us (bot messages, edits, joins…).
 */
export interface Translated {
  inbound: Inbound;
  /** firstDelivery keys; the request is delivered only when every one is new. */
  keys: string[];
}

const SURFACE = 'slack' as const;

/** Trigger ids are short-lived capabilities: only their hash is stored. */
export function triggerKey(triggerId: string): string {
  return `trigger:${createHash('sha256').update(triggerId).digest('hex').slice(0, 32)}`;
}

const SlashCommand = z.object({
  text: z.string().default(''),
  user_id: z.string().min(1),
  user_name: z.string().optional(),
  channel_id: z.string().min(1),
  trigger_id: z.string().min(1),
});

export function fromCommand(body: unknown): Translated | undefined {
  const parsed = SlashCommand.safeParse(body);
  if (!parsed.success) return undefined;
  const c = parsed.data;
  const id = triggerKey(c.trigger_id);
  return {
    keys: [`slack:${id}`],
    inbound: Inbound.parse({
      kind: 'message',
      who: { id: c.user_id, ...(c.user_name ? { name: c.user_name } : {}) },
      where: { surface: SURFACE, channel: c.channel_id },
      text: cleanInbound(c.text, undefined),
      addressed: true,
      deliveryId: id,
    }),
  };
}

const UserMessage = z.object({
  type: z.enum(['message', 'app_mention']),
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().default(''),
  channel: z.string().min(1),
  channel_type: z.string().optional(),
  ts: z.string().min(1),
  thread_ts: z.string().optional(),
  files: z.array(z.unknown()).optional(),
});

/** A file shared with a message; one Slack holds back (`file_access: check_file_info`) has no URL and is left out. */
const SlackFile = z.object({
  name: z.string().min(1).max(1000),
  size: z.number().int().nonnegative(),
  mimetype: z.string().max(200).optional(),
  url_private_download: z.string().min(1).max(4000).optional(),
  url_private: z.string().min(1).max(4000).optional(),
});

/** The message's files as the dispatcher sees them: the handle is the private URL the bot token opens. */
function filesOf(files: unknown[] | undefined): InboundFile[] {
  // Slack shares at most 10 files with a message; a longer list is cut rather than the message refused.
  return (files ?? []).slice(0, 100).flatMap((raw) => {
    const file = SlackFile.safeParse(raw);
    const url = file.success ? (file.data.url_private_download ?? file.data.url_private) : undefined;
    if (!file.success || !url) return [];
    return [{ name: file.data.name, size: file.data.size, ...(file.data.mimetype ? { mime: file.data.mimetype } : {}), handle: url }];
  });
}

const EventEnvelope = z.object({ event_id: z.string().min(1), event: UserMessage });

/** Subtypes that are still a person saying something; everything else (edits, joins…) is not. */
const SPOKEN = new Set([undefined, 'thread_broadcast', 'file_share']);

/**
 * `app_mention` anywhere, and `message` only in DMs and inside threads (a top-level channel
 * message reaches us as app_mention when it is meant for us). A thread reply that mentions the
 * bot arrives as both; the message key makes the second one a duplicate.
 */
export function fromEvent(body: unknown, botUserId: string | undefined): Translated | undefined {
  const parsed = EventEnvelope.safeParse(body);
  if (!parsed.success) return undefined;
  const { event_id: eventId, event: e } = parsed.data;
  if (!e.user || e.bot_id || e.user === botUserId || !SPOKEN.has(e.subtype)) return undefined;
  const inThread = e.thread_ts !== undefined && e.thread_ts !== e.ts;
  if (e.type === 'message' && e.channel_type !== 'im' && !inThread) return undefined;
  const files = filesOf(e.files);
  return {
    keys: [`slack:${eventId}`, `slack:msg:${e.channel}:${e.ts}`],
    inbound: Inbound.parse({
      kind: 'message',
      who: { id: e.user },
      where: { surface: SURFACE, channel: e.channel, message: e.ts, ...(inThread ? { thread: e.thread_ts } : {}) },
      text: cleanInbound(e.text, botUserId),
      // Either copy of a mention in a thread may win the dedupe, so judge by the text itself.
      addressed: e.type === 'app_mention' || e.channel_type === 'im' || (botUserId !== undefined && e.text.includes(`<@${botUserId}>`)),
      deliveryId: eventId,
      ...(files.length ? { attachments: files } : {}),
    }),
  };
}

const Actor = z.object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional() });

const BlockActions = z.object({
  type: z.literal('block_actions'),
  trigger_id: z.string().min(1),
  user: Actor,
  channel: z.object({ id: z.string().min(1) }).optional(),
  container: z
    .object({ channel_id: z.string().optional(), message_ts: z.string().optional(), thread_ts: z.string().optional() })
    .default({}),
  message: z.object({ ts: z.string(), thread_ts: z.string().optional() }).optional(),
  actions: z
    .array(
      z.object({
        action_id: z.string().min(1),
        value: z.string().optional(),
        selected_option: z.object({ value: z.string() }).optional(),
      }),
    )
    .min(1),
});

export function fromBlockActions(body: unknown): Translated | undefined {
  const parsed = BlockActions.safeParse(body);
  if (!parsed.success) return undefined;
  const p = parsed.data;
  const channel = p.channel?.id ?? p.container.channel_id;
  const [pressed] = p.actions;
  if (!channel || !pressed) return undefined;
  // Not one of our actions (a forged payload, a button of an older build): nothing to do.
  const action = decodeAction(pressed.value ?? pressed.selected_option?.value ?? '');
  if (!action) return undefined;
  const messageTs = p.message?.ts ?? p.container.message_ts;
  const thread = p.message?.thread_ts ?? p.container.thread_ts ?? messageTs;
  const id = triggerKey(p.trigger_id);
  return {
    keys: [`slack:${id}`],
    inbound: Inbound.parse({
      kind: 'action',
      who: who(p.user),
      where: { surface: SURFACE, channel, ...(thread ? { thread } : {}), ...(messageTs ? { message: messageTs } : {}) },
      action,
      trigger: encodeTrigger({ triggerId: p.trigger_id, channel, ...(thread ? { thread } : {}) }),
      deliveryId: id,
    }),
  };
}

const ViewSubmission = z.object({
  type: z.literal('view_submission'),
  trigger_id: z.string().optional(),
  user: Actor,
  view: z.object({
    id: z.string().min(1),
    private_metadata: z.string().default(''),
    state: z.object({ values: z.unknown() }).default({ values: {} }),
  }),
});

export function fromViewSubmission(body: unknown): Translated | undefined {
  const parsed = ViewSubmission.safeParse(body);
  if (!parsed.success) return undefined;
  const p = parsed.data;
  const meta = parseMetadata(p.view.private_metadata);
  const action = meta ? decodeAction(meta.i) : undefined;
  if (!meta || !action) return undefined;
  const id = p.trigger_id ? triggerKey(p.trigger_id) : `view:${p.view.id}`;
  return {
    keys: [`slack:${id}`],
    inbound: Inbound.parse({
      kind: 'input',
      who: who(p.user),
      where: { surface: SURFACE, channel: meta.c, ...(meta.t ? { thread: meta.t } : {}) },
      action,
      value: submittedValue(p.view.state.values),
      deliveryId: id,
    }),
  };
}

function parseMetadata(raw: string): InputMetadata | undefined {
  try {
    const parsed = InputMetadata.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function who(user: z.infer<typeof Actor>): { id: string; name?: string } {
  const name = user.username ?? user.name;
  return { id: user.id, ...(name ? { name } : {}) };
}
