import { UserError } from '../errors/index.js';
import type { InboundAction, InboundInput } from '../chat/inbound.js';
import { requireAdmin } from './access.js';
import { deliverAnswer } from './answers.js';
import { Conversation, postToTask } from './conversation.js';
import { expiredReply } from './confirm.js';
import { control, findTask, retry } from './control.js';
import type { DispatcherDeps } from './deps.js';
import { finishFirstRun } from './first-run.js';
import { launchPending } from './requests.js';

/** A button press or menu pick on one of our messages. */
export async function handleAction(deps: DispatcherDeps, inbound: InboundAction): Promise<void> {
  const [first = '', second = ''] = inbound.value.split('|');
  switch (inbound.action) {
    case 'confirm':
      return resolvePending(deps, inbound, first, undefined);
    case 'pick-model':
      return resolvePending(deps, inbound, first, second);
    case 'first-run':
      return resolvePending(deps, inbound, first, second);
    case 'cancel-confirm':
      return resolvePending(deps, inbound, first, null);
    case 'cancel-task':
      return control(deps, inbound, 'cancel', first);
    case 'logs':
      return control(deps, inbound, 'logs', first);
    case 'retry':
      return control(deps, inbound, 'retry', first);
    case 'recover':
      return recover(deps, inbound, first, second);
    case 'set-default':
      requireAdmin(inbound.who, deps.config.current());
      await Conversation.of(deps, inbound).answer({ text: (await deps.config.apply([{ op: 'set-default', model: first }])).join('\n') });
      return;
    case 'input:answer':
      return openAnswer(deps, inbound, first, second);
    case 'input:alias-prompt':
      return openAliasPrompt(deps, inbound, first);
    default:
      deps.log?.(`ignored unknown action ${inbound.action}`);
  }
}

/**
 * Confirm (`model` undefined: the proposed one), pick (`model` named) or cancel (`null`) a pending
 * prompt. Only its requester's press counts, a press counts once, and an expired prompt says so.
 */
async function resolvePending(deps: DispatcherDeps, inbound: InboundAction, id: string, model: string | undefined | null): Promise<void> {
  const talk = Conversation.of(deps, inbound);
  const peek = await deps.store.getPending(id);
  if (!peek) {
    await talk.ephemeral(inbound.who.id, { text: 'That prompt was already answered or has expired.' });
    return;
  }
  if (peek.requester !== inbound.who.id) {
    await talk.ephemeral(inbound.who.id, { text: `Only <@${peek.requester}> can answer that prompt.` });
    return;
  }
  const pending = await deps.store.takePending(id);
  if (!pending) return; // another press of the same requester won the race
  const surface = talk.surface;
  if ((deps.now ?? Date.now)() >= pending.expiresAt) {
    if (pending.prompt) await surface.edit(pending.prompt, expiredReply(pending));
    else await talk.answer(expiredReply(pending));
    return;
  }
  if (model === null) {
    if (pending.prompt) await surface.edit(pending.prompt, { text: 'Cancelled; nothing was dispatched.' });
    return;
  }
  const chosen = model ?? pending.model;
  if (pending.purpose === 'first-run') return finishFirstRun(deps, pending, chosen);
  if (pending.prompt) await surface.edit(pending.prompt, { text: `Dispatching with **${chosen}** (confirmed by <@${pending.requester}>).` });
  await launchPending(deps, pending, chosen);
}

async function recover(deps: DispatcherDeps, inbound: InboundAction, taskId: string, model: string): Promise<void> {
  const task = await findTask(deps, taskId);
  if (inbound.who.id !== task.spec.requester) throw new UserError(`Only <@${task.spec.requester}> can pick a model for **${task.id}**.`);
  await retry(deps, inbound, task, model);
  await Conversation.of(deps, inbound).answer({
    text: `Retrying with **${model}**. Make it the config's default?`,
    buttons: [{ action: 'set-default', value: model, label: `Make ${model} the default` }],
  });
}

async function openAnswer(deps: DispatcherDeps, inbound: InboundAction, taskId: string, seq: string): Promise<void> {
  const task = await findTask(deps, taskId);
  if (inbound.who.id !== task.spec.requester) throw new UserError(`Only <@${task.spec.requester}> can answer **${task.id}**'s questions.`);
  const opened = inbound.trigger
    ? await Conversation.of(deps, inbound).surface.openInput(inbound.trigger, {
        inputId: `answer|${taskId}|${seq}`,
        title: `Answer ${taskId}`.slice(0, 24),
        label: 'Your answer',
        multiline: true,
      })
    : false;
  if (!opened) await Conversation.of(deps, inbound).ephemeral(inbound.who.id, { text: 'Reply in this thread to answer.' });
}

async function openAliasPrompt(deps: DispatcherDeps, inbound: InboundAction, alias: string): Promise<void> {
  requireAdmin(inbound.who, deps.config.current());
  const current = deps.config.current().aliases[alias];
  if (!current) throw new UserError(`There is no alias **${alias}**.`);
  const opened = inbound.trigger
    ? await Conversation.of(deps, inbound).surface.openInput(inbound.trigger, {
        inputId: `alias-prompt|${alias}`,
        title: 'Edit alias prompt',
        label: `Prompt for ${alias}`,
        ...(current.prompt ? { initial: current.prompt } : {}),
        multiline: true,
      })
    : false;
  if (!opened) await Conversation.of(deps, inbound).ephemeral(inbound.who.id, { text: `Edit \`aliases.${alias}.prompt\` in ${deps.config.path}.` });
}

/** A submitted modal: an answer to a worker question, or an alias prompt. */
export async function handleInput(deps: DispatcherDeps, inbound: InboundInput): Promise<void> {
  const [kind, first = '', second = ''] = inbound.inputId.split('|');
  const talk = Conversation.of(deps, inbound);
  if (kind === 'answer') {
    const task = await findTask(deps, first);
    const text = await deliverAnswer(deps, inbound.who, task, inbound.value, second);
    await postToTask(deps, task, { text });
    return;
  }
  if (kind === 'alias-prompt') {
    requireAdmin(inbound.who, deps.config.current());
    const alias = deps.config.current().aliases[first];
    if (!alias) throw new UserError(`There is no alias **${first}**.`);
    const lines = await deps.config.apply([{ op: 'set-alias', alias: first, model: alias.model, prompt: inbound.value }]);
    await talk.answer({ text: lines.join('\n') });
  }
}
