import type { InboundMessage } from '../chat/inbound.js';
import type { TaskRecord } from '../store/records.js';
import type { Right } from './access.js';
import { deliverAnswer } from './answers.js';
import { Conversation } from './conversation.js';
import { planControl } from './control.js';
import { planForgeAction } from './forge-actions.js';
import { nowOf, type DispatcherDeps } from './deps.js';
import { isFinal } from '../task/index.js';
import { renderStatus, renderStatusLine } from './render.js';
import { SEE_ALL, answerStatusAll } from './status.js';
import { intentOf, planRequest } from './requests.js';
import { nothing, step, type Step } from './step.js';

/** The tasks a message speaks to: `#<task-id>` in the shell, else those posted in its thread. */
export async function tasksAddressed(deps: DispatcherDeps, inbound: InboundMessage): Promise<TaskRecord[]> {
  if (inbound.task) {
    const task = await deps.store.getTask(inbound.task);
    return task ? [task] : [];
  }
  if (!inbound.where.thread) return [];
  return deps.store.tasksInThread(inbound.where.surface, inbound.where.thread);
}

/**
 * A reply in a task's thread: status and control words act; the requester's reply to an
 * open question is the answer; any other reply while the task runs becomes a note in plan.md,
 * from those who may instruct the task (a note is an instruction the worker follows).
 */
export async function planThreadReply(deps: DispatcherDeps, original: InboundMessage, all: TaskRecord[]): Promise<Step> {
  const { inbound, tasks } = narrow(original, all);
  const talk = () => Conversation.of(deps, inbound.task && tasks[0]?.thread ? { ...inbound, where: { ...inbound.where, thread: tasks[0].thread } } : inbound);
  const intent = intentOf(deps, inbound.text);
  if (intent.kind === 'status' && intent.all) return step([SEE_ALL], () => answerStatusAll(deps, talk()));
  if (intent.kind === 'status') {
    const shown = intent.task ? tasks.filter((t) => t.id === intent.task) : tasks;
    const rights: Right[] = shown.map((task) => ({ kind: 'read', task, where: inbound.where }));
    return step(rights, async () => {
      const now = nowOf(deps);
      await talk().answer(shown.length === 1 ? renderStatus(shown[0] as TaskRecord, now) : { text: shown.map((t) => renderStatusLine(t, now)).join('\n') });
    });
  }
  if (intent.kind === 'control') return planControl(deps, inbound, intent.action, intent.task);
  if (intent.kind === 'warm-up') return nothing;
  const asking = tasks.find((t) => (t.state === 'waiting' || t.state === 'blocked') && t.spec.requester === inbound.who.id);
  if (asking) {
    return step([{ kind: 'requester', requester: asking.spec.requester, what: `answer **${asking.id}**'s questions` }], async () => {
      await talk().answer({ text: await deliverAnswer(deps, asking, inbound.text) });
    });
  }
  // After answers: "open a PR" is a fine answer to a worker asking whether to open one.
  if (intent.kind === 'forge') {
    const task = intent.task ?? threadTaskFor(tasks)?.id;
    if (task) return planForgeAction(deps, inbound, intent.action, task);
  }
  const target = tasks.find((t) => !isFinal(t.state));
  if (target) {
    return step([{ kind: 'instruct', task: target }], async () => {
      await deps.queue.note(target.id, `${inbound.who.name ?? inbound.who.id}: ${inbound.text}`);
      await talk().answer({ text: `Added your note to **${target.id}**'s plan; the worker will read it.` });
    });
  }
  if (intent.kind === 'config' || intent.kind === 'tasks' || intent.kind === 'access') return planRequest(deps, inbound);
  return nothing;
}

/** The task of a thread a forge command means: its only one, else the newest one with commits to publish. */
function threadTaskFor(tasks: TaskRecord[]): TaskRecord | undefined {
  if (tasks.length === 1) return tasks[0];
  return [...tasks].sort((a, b) => b.createdAt - a.createdAt).find((t) => (t.worktree?.commits ?? 0) > 0);
}

/**
 * In a thread holding several tasks (a fan-out), `<task-id>: text` or `#<task-id> text` speaks
 * to that task alone; the prefix is not part of the answer or note.
 */
function narrow(inbound: InboundMessage, tasks: TaskRecord[]): { inbound: InboundMessage; tasks: TaskRecord[] } {
  if (tasks.length < 2) return { inbound, tasks };
  const m = /^#?([a-z0-9][a-z0-9-]{0,62})(?::\s*|\s+)([\s\S]+)$/.exec(inbound.text);
  const named = m && tasks.find((t) => t.id === m[1]);
  return named && m ? { inbound: { ...inbound, text: (m[2] as string).trim() }, tasks: [named] } : { inbound, tasks };
}
