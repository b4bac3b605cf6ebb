import { randomUUID } from 'node:crypto';
import type { InboundMessage } from '../chat/inbound.js';
import type { Reply } from '../chat/reply.js';
import type { Config } from '../config/schema.js';
import { resolveModel } from '../resolve/index.js';
import type { PendingConfirm } from '../store/records.js';
import { Conversation } from './conversation.js';
import type { DispatcherDeps } from './deps.js';

export type DefaultSource = 'your default' | 'the channel default' | 'the config default';

const SOURCE: Record<'user' | 'channel' | 'config', DefaultSource> = {
  user: 'your default',
  channel: 'the channel default',
  config: 'the config default',
};

/** The requester's own default, else the channel's, else the config's `default:` (the resolver's order). */
export async function defaultModel(
  deps: DispatcherDeps,
  config: Config,
  user: string,
  channel: string,
): Promise<{ model: string; source: DefaultSource } | undefined> {
  const own = await deps.store.getUserDefault(user);
  const resolution = resolveModel({}, { config, channel, ...(own ? { userDefault: own } : {}) });
  return resolution.kind === 'confirm' ? { model: resolution.model, source: SOURCE[resolution.source] } : undefined;
}

export function isKnown(config: Config, name: string): boolean {
  return name in config.models || name in config.aliases;
}

/** Every name a user can pick: models then aliases. */
export function choices(config: Config): string[] {
  return [...Object.keys(config.models), ...Object.keys(config.aliases)];
}

/**
 * Post a prompt only the requester can answer, and remember it (with the request it holds) until
 * it is answered or expires.
 */
export async function postPending(
  deps: DispatcherDeps,
  inbound: InboundMessage,
  fields: Pick<PendingConfirm, 'model' | 'purpose'>,
  prompt: (pending: PendingConfirm) => Reply,
): Promise<PendingConfirm> {
  const now = (deps.now ?? Date.now)();
  const pending: PendingConfirm = {
    id: randomUUID().slice(0, 12),
    requester: inbound.who.id,
    where: inbound.where,
    text: inbound.text,
    createdAt: now,
    expiresAt: now + deps.config.current().limits.confirm_timeout,
    ...(inbound.deliveryId ? { origin: inbound.deliveryId } : {}),
    ...fields,
  };
  pending.prompt = await Conversation.of(deps, inbound).answer(prompt(pending));
  await deps.store.putPending(pending);
  deps.later?.(pending.expiresAt - now, () => expirePending(deps, pending.id));
  return pending;
}

/** An unanswered prompt says, at its deadline, that it expired (a press afterwards is told the same). */
export async function expirePending(deps: DispatcherDeps, id: string): Promise<void> {
  const pending = await deps.store.takePending(id);
  if (!pending?.prompt) return;
  await deps.surface(pending.where.surface)?.edit(pending.prompt, expiredReply(pending));
}

/** Ask the requester to confirm (or pick) the model for a request that named none. */
export function askToConfirm(
  deps: DispatcherDeps,
  inbound: InboundMessage,
  model: string | undefined,
  source: DefaultSource | undefined,
): Promise<PendingConfirm> {
  const config = deps.config.current();
  return postPending(deps, inbound, { model: model ?? '', purpose: 'confirm' }, (pending) => confirmPrompt(pending, config, source));
}

export function confirmPrompt(pending: PendingConfirm, config: Config, source: DefaultSource | undefined): Reply {
  const lasts = formatDuration(pending.expiresAt - pending.createdAt);
  const others = choices(config).filter((name) => name !== pending.model);
  const reply: Reply = {
    text: pending.model
      ? `I'll dispatch this using **${pending.model}** (${source ?? 'your default'}). Sound good?`
      : 'No model was named and no default is set. Which model should I use?',
    buttons: [],
  };
  if (pending.model) reply.buttons?.push({ action: 'confirm', value: pending.id, label: `Dispatch with ${pending.model}`, style: 'primary' });
  reply.buttons?.push({ action: 'cancel-confirm', value: pending.id, label: 'Cancel' });
  if (others.length > 0) {
    reply.select = {
      action: 'pick-model',
      placeholder: 'Pick another model or alias',
      options: others.slice(0, 100).map((name) => ({ label: name, value: `${pending.id}|${name}` })),
    };
  }
  reply.text += `\n_Only <@${pending.requester}> can answer; this prompt expires in ${lasts}._`;
  return reply;
}

export function expiredReply(pending: PendingConfirm): Reply {
  return { text: `This prompt expired after ${formatDuration(pending.expiresAt - pending.createdAt)}; nothing was dispatched. Send the request again to dispatch it.` };
}

/** `15 min`, `90 s`, `1 h 30 min`: how long a prompt lasts, in words a person reads at once. */
function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}
