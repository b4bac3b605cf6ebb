import { UserError } from '../errors/index.js';
import type { InboundAction } from '../chat/inbound.js';
import type { TaskRecord } from '../store/records.js';
import { Conversation } from './conversation.js';
import { retry } from './control.js';
import type { DispatcherDeps } from './deps.js';
import { continueStep, limitText } from './budget.js';
import { workSoFar } from './cost.js';

/**
 * *Continue with +$2* on a task stopped over its budget: a new worker on the same goal with that
 * much budget of its own, told what the stopped one had done (its plan as it was left), so it
 * goes on instead of starting over.
 */
export async function continueOverBudget(deps: DispatcherDeps, inbound: InboundAction, task: TaskRecord): Promise<void> {
  if (!task.budgetStop) throw new UserError(`**${task.id}** was not stopped over its budget.`);
  const more = continueStep(deps.config.current(), task);
  await Conversation.of(deps, inbound).answer({ text: `Continuing **${task.id}** with +${limitText(more)}…` });
  const earlier = workSoFar(task);
  await retry(deps, inbound, task, undefined, { budgetUsd: more, context: continuation(task), ...(earlier ? { earlier: { task: task.id, usage: earlier } } : {}) });
}

function continuation(task: TaskRecord): string {
  const marks = { pending: ' ', done: 'x', blocked: '?', error: '!' } as const;
  const plan = task.plan.map((item) => `- [${marks[item.mark]}] ${item.text}`).join('\n');
  const head = `A previous worker on this task (${task.id}) was stopped when it went over its budget.${plan ? ` Its plan as it left it:\n\n${plan}\n\nDo not redo the items marked [x]; go on from the first open item.` : ''}`;
  return [task.spec.context.trim(), head].filter(Boolean).join('\n\n');
}
