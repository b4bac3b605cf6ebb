import { UnknownTaskError, UserError } from '../errors/index.js';
import type { InboundMessage } from '../chat/inbound.js';
import type { ControlAction } from '../intent/index.js';
import type { EarlierWork, TaskRecord } from '../store/records.js';
import type { Right } from './access.js';
import { Conversation } from './conversation.js';
import type { DispatcherDeps } from './deps.js';
import { proceed } from './pipeline.js';
import { retryForge } from './forge-launch.js';
import { isFinal } from '../task/index.js';
import { step, type Step } from './step.js';
import { logText } from '../resolve/index.js';

const LOG_LINES = 40;

export async function findTask(deps: DispatcherDeps, id: string): Promise<TaskRecord> {
  const task = await deps.store.getTask(id);
  if (!task) throw new UnknownTaskError(id);
  return task;
}

type Asker = Pick<InboundMessage, 'who' | 'where'>;

/**
 * `logs` reads a task of the channel asked in; cancel and cleanup belong to its requester and the
 * admins; retry starts it again, so it also takes the right to dispatch in the task's channel.
 */
function controlRights(action: ControlAction, task: TaskRecord, asker: Asker): Right[] {
  if (action === 'logs') return [{ kind: 'read', task, where: asker.where }];
  if (action === 'retry') return [{ kind: 'own', task }, { kind: 'dispatch', where: task.where }];
  return [{ kind: 'own', task }];
}

export async function planControl(deps: DispatcherDeps, asker: Asker, action: ControlAction, id: string): Promise<Step> {
  const task = await findTask(deps, id);
  return step(controlRights(action, task, asker), () => control(deps, asker, action, task));
}

async function control(deps: DispatcherDeps, asker: Asker, action: ControlAction, task: TaskRecord): Promise<void> {
  const talk = new Conversation(deps, asker.where);
  if (action === 'logs') {
    // Read well past the lines shown: the CLIs' bookkeeping events drop out when read as text.
    const tail = logText(await deps.queue.logs(task.id, LOG_LINES * 5)).trim().split('\n').slice(-LOG_LINES).join('\n');
    await talk.answer({ text: `Last ${LOG_LINES} lines of **${task.id}**'s log:`, code: tail.trim() || '(the log is empty)' });
    return;
  }
  if (action === 'cancel') {
    if (isFinal(task.state)) throw new UserError(`**${task.id}** has already finished (${task.state}).`);
    await talk.answer({ text: `Cancelling **${task.id}**…` });
    await deps.queue.cancel(task.id);
    return;
  }
  if (!isFinal(task.state)) throw new UserError(`**${task.id}** is still running; cancel it first to ${action === 'retry' ? 'retry' : 'clean up'}.`);
  if (action === 'cleanup') {
    await talk.answer({ text: await cleanUp(deps, task) });
    return;
  }
  await retry(deps, asker, task);
}

/** Remove a finished task's worktree on request (kept when it has uncommitted work). */
export async function cleanUp(deps: DispatcherDeps, task: TaskRecord): Promise<string> {
  const tree = task.worktree;
  if (!tree) throw new UserError(`**${task.id}** did not run in a worktree; there is nothing to clean up.`);
  const { message } = await deps.queue.removeWorktree({ taskId: task.id, repo: task.spec.repo.path, path: tree.path, branch: tree.branch });
  return message;
}

/**
 * Run a finished task again under a fresh id, in the same thread: its model (or `model`, a pick
 * after a failed start) goes through the resolver like any request's, its role prompt is kept.
 */
export async function retry(
  deps: DispatcherDeps,
  inbound: Pick<InboundMessage, 'who' | 'where'>,
  task: TaskRecord,
  model?: string,
  more: { budgetUsd?: number; context?: string; earlier?: EarlierWork } = {},
): Promise<void> {
  const where = task.thread ? { ...task.where, thread: task.thread } : task.where;
  await proceed(
    deps,
    { who: inbound.who, where },
    {
      context: more.context ?? task.spec.context,
      tasks: [
        {
          id: task.id,
          goal: task.spec.goal,
          model: model ?? task.spec.model,
          // The alias's role prompt stays with the task (the alias itself resolved to the model).
          rolePrompt: task.spec.rolePrompt,
          worktree: task.spec.worktree,
          // A review successor continues its pull request's branch; any other task gets a new one.
          ...(task.spec.existingBranch && task.spec.branch ? { branch: task.spec.branch, existingBranch: true } : {}),
          ...(task.spec.repo.name === deps.defaultRepo.name ? {} : { repo: task.spec.repo.name }),
          ...(more.budgetUsd ? { budgetUsd: more.budgetUsd } : {}),
          ...(more.earlier ? { earlier: more.earlier } : {}),
        },
      ],
      taskForge: retryForge(task),
      // The request's files are fetched again for the new worker.
      ...(task.attachments ? { attachments: task.attachments } : {}),
    },
  );
}
