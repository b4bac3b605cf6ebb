import type { ClarifyChoice } from '../chat/action.js';
import type { ConfigRequest, TaskRequest } from '../intent/index.js';
import type { PendingConfirm } from '../store/records.js';
import type { Right } from './access.js';
import { applyConfigRequests } from './config-requests.js';
import { cancelButton, postPending, type Asker } from './confirm.js';
import type { DispatcherDeps } from './deps.js';
import { fillModel, proceed } from './pipeline.js';


/**
 * A text that reads both as a config change and as a task ("switch to sonnet and fix the flaky
 * test"): ask which, with buttons. Nothing is changed or dispatched until the requester answers.
 */
export async function askConfigOrTask(
  deps: DispatcherDeps,
  asker: Asker & { text: string },
  requests: ConfigRequest[],
  rest: TaskRequest,
  whole: TaskRequest,
): Promise<void> {
  const changes = requests.map(describe).join(', ');
  const task = rest.tasks.map((t) => t.goal).join('; ');
  await postPending(deps, asker, { model: '', purpose: 'confirm', request: whole, question: { kind: 'clarify', requests, rest } }, (p) => ({
    text: `That reads as a config change (${changes}) and as a task (“${task}”). What should I do?`,
    buttons: [
      { action: { type: 'clarify', prompt: p.id, choice: 'both' }, label: 'Change the config, then dispatch the task', style: 'primary' },
      { action: { type: 'clarify', prompt: p.id, choice: 'config' }, label: 'Only change the config' },
      { action: { type: 'clarify', prompt: p.id, choice: 'task' }, label: 'Dispatch it all as one task' },
      cancelButton(p),
    ],
  }));
}

/** The rights an answer takes: a config change is the admins' (one's own default aside), a task needs the right to dispatch there. */
export function clarifyRights(pending: PendingConfirm, choice: ClarifyChoice): Right[] {
  const question = pending.question;
  const shared = question?.kind === 'clarify' && question.requests.some((r) => r.op !== 'set-my-default');
  const rights: Right[] = [];
  if (choice !== 'task') rights.push(shared ? { kind: 'admin' } : { kind: 'dispatch', where: pending.where });
  if (choice !== 'config') rights.push({ kind: 'dispatch', where: pending.where });
  return rights;
}

export async function answerClarify(deps: DispatcherDeps, asker: Asker, pending: PendingConfirm, choice: ClarifyChoice): Promise<void> {
  const question = pending.question;
  if (question?.kind !== 'clarify' || !pending.request) return;
  if (choice === 'task') return proceed(deps, asker, pending.request);
  await applyConfigRequests(deps, asker, question.requests);
  if (choice === 'config') return;
  // The answer chose the model the config change names: the task needs no second confirmation.
  const named = question.requests.find((r) => r.op === 'set-default' || r.op === 'set-my-default');
  await proceed(deps, asker, named && 'model' in named ? fillModel(question.rest, named.model) : question.rest);
}

/** A config request in a few words, for the question. */
function describe(request: ConfigRequest): string {
  switch (request.op) {
    case 'set-default':
      return `make ${request.model} the default`;
    case 'set-my-default':
      return `make ${request.model} your default`;
    case 'add-model':
      return `add ${request.model}`;
    case 'remove-model':
      return `remove ${request.model}`;
    case 'create-alias':
      return `create the alias ${request.alias} → ${request.model}`;
    case 'remove-alias':
      return `remove the alias ${request.alias}`;
    case 'migrate':
      return 'migrate the config';
  }
}
