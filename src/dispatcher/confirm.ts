import { randomUUID } from 'node:crypto';
import type { Inbound } from '../chat/inbound.js';
import type { Button, Reply } from '../chat/reply.js';
import type { Config } from '../config/schema.js';
import { choicesOf, type DefaultSource } from '../resolve/index.js';
import type { PendingConfirm } from '../store/records.js';
import { Conversation } from './conversation.js';
import { nowOf, type DispatcherDeps } from './deps.js';

/**
 * Who asked and where: all a prompt or a launch needs of the request that brought it. Its
 * `deliveryId` becomes the `origin` of what it starts, so a request replayed after a crash is not
 * acted on twice.
 */
export type Asker = Pick<Inbound, 'who' | 'where' | 'deliveryId'>;

const SOURCE: Record<DefaultSource, string> = {
  user: 'your default',
  channel: 'the channel default',
  config: 'the config default',
};

/** Beyond this many choices a prompt offers a menu instead of a button each. */
const MAX_BUTTONS = 5;

/**
 * Post a prompt only the requester can answer, and remember it (with the request it holds) until
 * it is answered or expires.
 */
export async function postPending(
  deps: DispatcherDeps,
  asker: Asker & { text?: string },
  fields: Pick<PendingConfirm, 'model' | 'purpose'> & Partial<Pick<PendingConfirm, 'request' | 'question'>>,
  prompt: (pending: PendingConfirm) => Reply,
): Promise<PendingConfirm> {
  const now = nowOf(deps);
  const pending: PendingConfirm = {
    id: randomUUID().slice(0, 12),
    requester: asker.who.id,
    where: asker.where,
    text: asker.text ?? '',
    createdAt: now,
    expiresAt: now + deps.config.current().limits.confirm_timeout,
    ...(asker.deliveryId ? { origin: asker.deliveryId } : {}),
    ...fields,
  };
  const reply = prompt(pending);
  reply.text += `\n_Only <@${pending.requester}> can answer; this prompt expires in ${formatDuration(pending.expiresAt - pending.createdAt)}._`;
  // Remembered before anyone can see it: a bot killed between the post and the store would leave a
  // prompt on screen that no restart knows about (it would never expire or say so).
  await deps.store.putPending(pending);
  try {
    pending.prompt = await new Conversation(deps, asker.where).answer(reply);
  } catch (error) {
    await deps.store.takePending(pending.id);
    throw error;
  }
  await deps.store.putPending(pending);
  deps.later?.(pending.expiresAt - now, () => expirePending(deps, pending.id));
  return pending;
}

/** An unanswered prompt says, at its deadline, that it expired (a press afterwards is told the same). */
export async function expirePending(deps: DispatcherDeps, id: string): Promise<void> {
  const pending = await deps.store.takePending(id);
  if (!pending) return;
  // Without the prompt's message (the bot stopped right after posting it) the expiry is said anew.
  if (pending.prompt) await deps.surface(pending.where.surface)?.edit(pending.prompt, expiredReply(pending));
  else await new Conversation(deps, pending.where).answer(expiredReply(pending));
}

/** "I'll dispatch this using opus (your default). Sound good?", or which model when there is no default. */
export function confirmPrompt(pending: PendingConfirm, config: Config, source: DefaultSource | undefined): Reply {
  const others = choicesOf(config).filter((name) => name !== pending.model);
  const reply: Reply = {
    text: pending.model
      ? `I'll dispatch this using **${pending.model}** (${SOURCE[source ?? 'user']}). Sound good?`
      : 'No model was named and no default is set. Which model should I use?',
    buttons: [],
  };
  if (pending.model) reply.buttons?.push({ action: { type: 'confirm', prompt: pending.id }, label: `Dispatch with ${pending.model}`, style: 'primary' });
  reply.buttons?.push(cancelButton(pending));
  if (others.length > 0) {
    reply.select = {
      placeholder: 'Pick another model or alias',
      options: others.slice(0, 100).map((model) => ({ label: model, action: { type: 'pick-model', prompt: pending.id, model } })),
    };
  }
  return reply;
}

/** A question with one answer per model ("did you mean …?", "which gemini?"): buttons, or a menu when there are many. */
export function pickPrompt(pending: PendingConfirm, text: string, choices: string[]): Reply {
  const picks = choices.map((model) => ({ label: model, action: { type: 'pick-model' as const, prompt: pending.id, model } }));
  if (picks.length <= MAX_BUTTONS) {
    const buttons: Button[] = picks;
    return { text, buttons: [...buttons, cancelButton(pending)] };
  }
  return { text, buttons: [cancelButton(pending)], select: { placeholder: 'Pick a model', options: picks.slice(0, 100) } };
}

export function cancelButton(pending: PendingConfirm): Button {
  return { action: { type: 'cancel-prompt', prompt: pending.id }, label: 'Cancel' };
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
