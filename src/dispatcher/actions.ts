import { UserError } from '../errors/index.js';
import type { InboundAction, InboundInput } from '../chat/inbound.js';
import type { TaskRecord } from '../store/records.js';
import type { Right } from './access.js';
import { deliverAnswer } from './answers.js';
import type { ClarifyChoice } from '../chat/action.js';
import { answerClarify, clarifyRights } from './clarify.js';
import { Conversation, postToTask } from './conversation.js';
import { expiredReply } from './confirm.js';
import { findTask, planControl, retry } from './control.js';
import { nowOf, type DispatcherDeps } from './deps.js';
import { finishFirstRun } from './first-run.js';
import { planForgeAction } from './forge-actions.js';
import { forgeActionOf } from './forge-buttons.js';
import { answerPending } from './pipeline.js';
import { step, type Step } from './step.js';
import { continueOverBudget } from './continue.js';

const ADMIN: Right = { kind: 'admin' };

/** Only the task's requester: answers to its questions, a pick of another model after a failed start. */
function requesterOf(task: TaskRecord, what: string): Right {
  return { kind: 'requester', requester: task.spec.requester, what };
}

/** A button press or menu pick on one of our messages. */
export async function planAction(deps: DispatcherDeps, inbound: InboundAction): Promise<Step> {
  const action = inbound.action;
  switch (action.type) {
    case 'confirm':
      return planPending(deps, inbound, action.prompt, { kind: 'model' });
    case 'pick-model':
    case 'first-run':
      return planPending(deps, inbound, action.prompt, { kind: 'model', model: action.model });
    case 'cancel-prompt':
      return planPending(deps, inbound, action.prompt, { kind: 'cancel' });
    case 'clarify':
      return planClarify(deps, inbound, action.prompt, action.choice);
    case 'open-pr':
    case 'push-branch':
    case 'fix-review':
      return planForgeAction(deps, inbound, forgeActionOf(action), action.task);
    case 'cancel-task':
      return planControl(deps, inbound, 'cancel', action.task);
    case 'logs':
      return planControl(deps, inbound, 'logs', action.task);
    case 'retry':
      return planControl(deps, inbound, 'retry', action.task);
    case 'continue-task': {
      const task = await findTask(deps, action.task);
      const rights: Right[] = [requesterOf(task, `continue **${task.id}**`), { kind: 'dispatch', where: task.where }];
      return step(rights, () => continueOverBudget(deps, inbound, task));
    }
    case 'recover': {
      const task = await findTask(deps, action.task);
      const rights: Right[] = [requesterOf(task, `pick a model for **${task.id}**`), { kind: 'dispatch', where: task.where }];
      return step(rights, () => recover(deps, inbound, task, action.model));
    }
    case 'set-default':
      return step([ADMIN], async () => {
        await Conversation.of(deps, inbound).answer({ text: (await deps.config.apply([{ op: 'set-default', model: action.model }])).join('\n') });
      });
    case 'answer': {
      const task = await findTask(deps, action.task);
      return step([requesterOf(task, `answer **${task.id}**'s questions`)], () => openAnswer(deps, inbound, task, action.seq));
    }
    case 'alias-prompt':
      return step([ADMIN], () => openAliasPrompt(deps, inbound, action.alias));
    case 'quit':
      // The shell's own question: its surface takes the answer before the dispatcher sees it.
      return step([], async () => undefined);
  }
}

/** What a press on a prompt says: a model (none: the one proposed), a "config or task?" choice, or cancel. */
type Answer = { kind: 'model'; model?: string } | { kind: 'clarify'; choice: ClarifyChoice } | { kind: 'cancel' };

/**
 * A press on a prompt: only its requester's counts; confirming or picking dispatches, so it takes
 * the right to dispatch where the request was made (it may have been withdrawn meanwhile), and the
 * first-run pick of a default changes the config, so it takes an admin.
 */
async function planPending(deps: DispatcherDeps, inbound: InboundAction, id: string, answer: Answer): Promise<Step> {
  const peek = await deps.store.getPending(id);
  // A model for a "config or task?" prompt is a forged press: it answers nothing.
  if (!peek || (answer.kind === 'model' && peek.question?.kind === 'clarify')) return step([], () => alreadyAnswered(deps, inbound));
  const rights: Right[] = [{ kind: 'requester', requester: peek.requester, what: 'answer that prompt' }];
  if (answer.kind !== 'cancel') rights.push(peek.purpose === 'first-run' ? ADMIN : { kind: 'dispatch', where: peek.where });
  return step(rights, () => resolvePending(deps, inbound, id, answer));
}

/** "Config change or task?": the rights follow the answer (a config change is the admins'). */
async function planClarify(deps: DispatcherDeps, inbound: InboundAction, id: string, choice: ClarifyChoice): Promise<Step> {
  const peek = await deps.store.getPending(id);
  if (!peek || peek.question?.kind !== 'clarify') return step([], () => alreadyAnswered(deps, inbound));
  const rights: Right[] = [{ kind: 'requester', requester: peek.requester, what: 'answer that prompt' }, ...clarifyRights(peek, choice)];
  return step(rights, () => resolvePending(deps, inbound, id, { kind: 'clarify', choice }));
}

function alreadyAnswered(deps: DispatcherDeps, inbound: InboundAction): Promise<void> {
  return Conversation.of(deps, inbound).ephemeral(inbound.who.id, { text: 'That prompt was already answered or has expired.' });
}

/**
 * Confirm (the proposed model), pick (a model named), answer "config or task?" or cancel a
 * pending prompt. Only its requester's press counts, a press counts once, and an expired prompt
 * says so.
 */
async function resolvePending(deps: DispatcherDeps, inbound: InboundAction, id: string, answer: Answer): Promise<void> {
  const talk = Conversation.of(deps, inbound);
  const pending = await deps.store.takePending(id);
  if (!pending) return; // another press of the same requester won the race
  const surface = talk.surface;
  if (nowOf(deps) >= pending.expiresAt) {
    if (pending.prompt) await surface.edit(pending.prompt, expiredReply(pending));
    else await talk.answer(expiredReply(pending));
    return;
  }
  if (answer.kind === 'cancel') {
    if (pending.prompt) await surface.edit(pending.prompt, { text: 'Cancelled; nothing was dispatched.' });
    return;
  }
  const asker = { who: inbound.who, where: pending.where, ...(inbound.deliveryId ? { deliveryId: inbound.deliveryId } : {}) };
  if (answer.kind === 'clarify') {
    if (pending.prompt) await surface.edit(pending.prompt, { text: `${CLARIFY_DONE[answer.choice]} (answered by <@${pending.requester}>).` });
    return answerClarify(deps, asker, pending, answer.choice);
  }
  const chosen = answer.model ?? pending.model;
  if (pending.purpose === 'first-run') return finishFirstRun(deps, pending, chosen, inbound.who);
  const said = pending.question?.kind === 'pick' ? `Going on with **${chosen}** (picked by` : `Dispatching with **${chosen}** (confirmed by`;
  if (pending.prompt) await surface.edit(pending.prompt, { text: `${said} <@${pending.requester}>).` });
  await answerPending(deps, asker, pending, chosen);
}

const CLARIFY_DONE: Record<ClarifyChoice, string> = {
  both: 'Changing the config, then dispatching the task',
  config: 'Changing the config only',
  task: 'Dispatching it as one task',
};

async function recover(deps: DispatcherDeps, inbound: InboundAction, task: TaskRecord, model: string): Promise<void> {
  await retry(deps, inbound, task, model);
  await Conversation.of(deps, inbound).answer({
    text: `Retrying with **${model}**. Make it the config's default?`,
    buttons: [{ action: { type: 'set-default', model }, label: `Make ${model} the default` }],
  });
}

async function openAnswer(deps: DispatcherDeps, inbound: InboundAction, task: TaskRecord, seq: string): Promise<void> {
  const opened = inbound.trigger
    ? await Conversation.of(deps, inbound).surface.openInput(inbound.trigger, {
        action: { type: 'answer', task: task.id, seq },
        title: `Answer ${task.id}`.slice(0, 24),
        label: 'Your answer',
        multiline: true,
      })
    : false;
  if (!opened) await Conversation.of(deps, inbound).ephemeral(inbound.who.id, { text: 'Reply in this thread to answer.' });
}

async function openAliasPrompt(deps: DispatcherDeps, inbound: InboundAction, alias: string): Promise<void> {
  const current = Object.hasOwn(deps.config.current().aliases, alias) ? deps.config.current().aliases[alias] : undefined;
  if (!current) throw new UserError(`There is no alias **${alias}**.`);
  const opened = inbound.trigger
    ? await Conversation.of(deps, inbound).surface.openInput(inbound.trigger, {
        action: { type: 'alias-prompt', alias },
        title: 'Edit alias prompt',
        label: `Prompt for ${alias}`,
        ...(current.prompt ? { initial: current.prompt } : {}),
        multiline: true,
      })
    : false;
  if (!opened) await Conversation.of(deps, inbound).ephemeral(inbound.who.id, { text: `Edit \`aliases.${alias}.prompt\` in ${deps.config.path}.` });
}

/** A submitted modal: an answer to a worker question (its requester's only), or an alias prompt (admins). */
export async function planInput(deps: DispatcherDeps, inbound: InboundInput): Promise<Step> {
  const action = inbound.action;
  if (action.type === 'answer') {
    const task = await findTask(deps, action.task);
    return step([requesterOf(task, `answer **${task.id}**'s questions`)], async () => {
      await postToTask(deps, task, { text: await deliverAnswer(deps, task, inbound.value, action.seq) });
    });
  }
  if (action.type === 'alias-prompt') {
    return step([ADMIN], async () => {
      const config = deps.config.current();
      const alias = Object.hasOwn(config.aliases, action.alias) ? config.aliases[action.alias] : undefined;
      if (!alias) throw new UserError(`There is no alias **${action.alias}**.`);
      const lines = await deps.config.apply([{ op: 'set-alias', alias: action.alias, model: alias.model, prompt: inbound.value }]);
      await Conversation.of(deps, inbound).answer({ text: lines.join('\n') });
    });
  }
  return step([], async () => deps.log?.(`ignored an input for ${action.type}, which opens none`));
}
