import { UserError } from '../errors/index.js';
import type { TaskRecord } from '../store/records.js';
import { transition } from '../task/index.js';
import { nowOf, type DispatcherDeps } from './deps.js';

/**
 * Deliver an answer to the task's open question (the Dispatcher has checked it comes from the
 * requester). A worker still waiting gets `NNN.answer`; one that gave up (`[?]`) gets the answer
 * file too and a successor worker that resumes from it. Returns what to tell the requester.
 */
export async function deliverAnswer(deps: DispatcherDeps, task: TaskRecord, text: string, seq?: string): Promise<string> {
  const open = await deps.store.openQuestions(task.id);
  const question = seq ? open.find((q) => q.seq === seq) : open[0];
  if (!question) throw new UserError(`**${task.id}** has no open question${seq ? ` ${seq}` : ''} (it may have been answered already).`);
  if (!(await deps.store.answerQuestion(task.id, question.seq, text))) {
    throw new UserError(`Question ${question.seq} of **${task.id}** was already answered.`);
  }
  await deps.queue.answer(task.id, question.seq, text);
  if (task.state === 'blocked') {
    await deps.store.updateTask(task.id, transition(task, { type: 'resumed', taskId: task.id }, nowOf(deps)));
    await deps.queue.submit({ ...task.spec, resume: true });
    return `Answer sent. The worker had stopped waiting, so a new worker is continuing **${task.id}** from the blocked item.`;
  }
  return 'Answer sent. Worker is continuing.';
}
