import type { Reply } from '../chat/reply.js';
import type { EditPriority } from '../chat/surface.js';
import { messageOf } from '../errors/index.js';
import { isFinal, transition, type TaskEvent, type TaskReport } from '../task/index.js';
import type { TaskRecord } from '../store/records.js';
import { choicesOf } from '../resolve/index.js';
import { postToTask } from './conversation.js';
import { nowOf, type DispatcherDeps } from './deps.js';
import { idleText, renderFinish, renderStatus } from './render.js';
import { loginCommand, logText } from '../resolve/index.js';
import { runnable } from './runnable.js';
import { settleTrial } from './trial.js';
import { priceOf, priced as pricedUsage } from './cost.js';
import { budgetFinish, enforceBudget } from './budget.js';
import { attachOutFiles } from './attachments.js';

/**
 * Events that must be stored, and acted on, before the next one is applied: each moves the
 * task's state or makes the thread hear of it (a question is stored before it is shown, a final
 * state before the chat is told). Plan marks, activity lines, usage and the model only refresh
 * the status: a burst of them is applied in memory and written once.
 */
function landsAlone(event: TaskEvent): boolean {
  return !(event.type === 'plan' || event.type === 'activity' || event.type === 'usage' || event.type === 'model' || event.type === 'note' || (event.type === 'stall' && !event.stalled));
}

/**
 * Apply a task's events, in order: each through `transition`, the record kept in memory between
 * them and written once per run of refresh-only events (two writes per plan line, each decoding
 * and re-encoding the record, were most of the bot's work with many workers). An event that
 * lands alone is written, shown and announced before the next is applied. Returns the record as
 * it was left (undefined when the task is unknown).
 */
export async function onTaskEvents(deps: DispatcherDeps, events: readonly TaskEvent[]): Promise<TaskRecord | undefined> {
  const [first] = events;
  if (!first) return undefined;
  let task = await deps.store.getTask(first.taskId);
  if (!task) return undefined;
  let pending: TaskEvent[] = [];
  let patch: Partial<TaskRecord> = {};
  for (const event of events) {
    // A finished task has had its one final report; a repeated or late event changes nothing.
    if (isFinal(task.state)) break;
    const alone = landsAlone(event);
    if (alone && pending.length > 0) {
      task = (await land(deps, task, patch, pending)) ?? task;
      pending = [];
      patch = {};
    }
    // A give-up reported after the requester already answered (a successor is on its way) is old news.
    if (event.type === 'gave-up' && (await deps.store.openQuestions(task.id)).length === 0) continue;
    const step = stepOf(deps, task, event);
    patch = { ...patch, ...step };
    if (!alone) {
      task = { ...task, ...step };
      pending.push(event);
      continue;
    }
    const landed = await land(deps, task, patch, [event]);
    patch = {};
    if (!landed) return undefined;
    task = landed;
  }
  return pending.length > 0 ? ((await land(deps, task, patch, pending)) ?? task) : task;
}

/** One event's change to the task, priced (a CLI that gives tokens alone gets the config's price). */
function stepOf(deps: DispatcherDeps, task: TaskRecord, event: TaskEvent): Partial<TaskRecord> {
  const priced = event.type === 'usage' ? { ...event, usage: pricedUsage(event.usage, priceOf(deps.config.current(), task.spec.model)) } : event;
  const step: Partial<TaskRecord> = transition(task, priced, nowOf(deps));
  if (step.state && isFinal(step.state) && task.status) step.finalEditPending = true;
  return step;
}

/**
 * Store what `events` changed (one write), then act on it: the budget, the status edit (as
 * pressing as the most pressing event), what the thread must hear, the model trial.
 */
async function land(deps: DispatcherDeps, task: TaskRecord, patch: Partial<TaskRecord>, events: readonly TaskEvent[]): Promise<TaskRecord | undefined> {
  const now = nowOf(deps);
  const changed = await deps.store.updateTask(task.id, patch);
  if (!changed) return undefined;
  try {
    const updated = (await enforceBudget(deps, changed)) ?? changed;
    await editStatus(deps, updated, now, mostPressing(events.map((event) => priorityOf(event, updated))));
    const last = events.at(-1);
    if (last && landsAlone(last)) await announce(deps, updated, last, now);
    const trialEvent = events.find((event) => event.type === 'plan') ?? last;
    if (trialEvent) await settleTrial(deps, updated, trialEvent);
    return updated;
  } catch (error) {
    // Stored already: the events after these still apply (a finish must not wait on a failed post).
    deps.log?.(`task ${task.id}: could not report ${events.map((event) => event.type).join(', ')}: ${(error as Error).stack ?? String(error)}`);
    return changed;
  }
}

const PRESSING: readonly EditPriority[] = ['urgent', 'change', 'quiet'];

function mostPressing(priorities: readonly EditPriority[]): EditPriority {
  return PRESSING.find((p) => priorities.includes(p)) ?? 'quiet';
}

/**
 * What an edit is worth to the people in the thread: a final state or a question is awaited, a
 * plan mark or a state is news; the model id, an activity line or the tokens used so far are
 * colour that can wait for the next change (the chat platform allows only so many edits a
 * minute for all tasks together).
 */
function priorityOf(event: TaskEvent, task: TaskRecord): EditPriority {
  if (isFinal(task.state) || event.type === 'question' || event.type === 'gave-up') return 'urgent';
  return event.type === 'activity' || event.type === 'model' || event.type === 'usage' ? 'quiet' : 'change';
}

export async function editStatus(deps: DispatcherDeps, task: TaskRecord, now: number, priority: EditPriority = 'change'): Promise<void> {
  const surface = deps.surface(task.where.surface);
  const ref = task.status;
  if (!surface || !ref) return;
  await surface.edit(ref, renderStatus(task, now), isFinal(task.state) ? 'urgent' : priority);
  if (!task.finalEditPending) return;
  // The final state must reach the card even through a chat outage: the surface retries the edit,
  // and until it has landed the task says so, so that the next start edits it again.
  const landed = surface.landed ? surface.landed(ref) : Promise.resolve();
  void landed
    .then(() => deps.store.updateTask(task.id, { finalEditPending: false }))
    .catch((error: unknown) => deps.log?.(`task ${task.id}: its final status did not land: ${messageOf(error)}`));
}

async function announce(deps: DispatcherDeps, task: TaskRecord, event: TaskEvent, now: number): Promise<void> {
  if (event.type === 'question') {
    // Stored before it is shown: a reply may come the moment the question appears. A question
    // re-emitted after a restart is posted again (the old post may be far up the thread); an
    // answer already recorded is kept by putQuestion.
    const question = { taskId: task.id, seq: event.seq, text: event.text, askedAt: now };
    await deps.store.putQuestion(question);
    const ref = await postQuestion(deps, task, event.seq, event.text);
    if (ref) await deps.store.putQuestion({ ...question, posted: ref });
  } else if (event.type === 'gave-up') {
    const hint = deps.surface(task.where.surface)?.replyHint?.(task.id);
    await postToTask(deps, task, {
      text: `**${task.id}** stopped waiting for an answer and left its notes. ${hint ?? 'Reply here with the answer.'} A new worker will continue from the blocked item.`,
      mention: task.spec.requester,
    });
  } else if (event.type === 'stall' && event.stalled) {
    await postToTask(deps, task, {
      mention: task.spec.requester,
      text: `**${task.id}** has made no progress for ${idleText(event.idleMs)}: no plan change, no output and no question. It may be stuck; *Cancel* it on its status message, or leave it running.`,
    });
  } else if (event.type === 'finished') {
    const finish = renderFinish(task);
    // The outcome is what its requester is notified of (a failed start: the offer that follows).
    if (!event.failure) finish.mention = task.spec.requester;
    if (event.report) attachReport(finish, task.id, event.report);
    attachOutFiles(deps.config.current(), finish, event);
    budgetFinish(deps.config.current(), task, finish);
    const cleanup = await autoCleanUp(deps, task);
    if (cleanup) finish.text += `\n${cleanup}`;
    await postToTask(deps, task, finish);
    if (event.failure) await offerRecovery(deps, task);
  }
}

/** A report longer than a message goes whole with the finish message, as output.md. */
function attachReport(finish: Reply, id: string, report: TaskReport): void {
  const lines = report.text.split('\n').length;
  finish.text += `\n_That was the start of the report; all ${lines.toLocaleString('en')} lines are in output.md._`;
  finish.attachments = [{ filename: 'output.md', title: `${id}: output.md`, content: report.text, path: report.path }];
}

async function postQuestion(deps: DispatcherDeps, task: TaskRecord, seq: string, text: string) {
  const shared = task.thread ? (await deps.store.tasksInThread(task.where.surface, task.thread)).length > 1 : false;
  const hint = deps.surface(task.where.surface)?.replyHint?.(task.id);
  const how = hint ?? (shared ? `Reply in this thread starting with \`${task.id}:\` to answer.` : 'Reply in this thread to answer.');
  return postToTask(deps, task, {
    mention: task.spec.requester,
    text: `**${task.id}** asks:\n${text}\n_${how}_`,
    buttons: [{ action: { type: 'answer', task: task.id, seq }, label: 'Answer', style: 'primary', opensInput: true }],
  });
}

/** `limits.worktree_cleanup: when-empty`: a done task that left no commits and no changes gives its worktree back. */
async function autoCleanUp(deps: DispatcherDeps, task: TaskRecord): Promise<string | undefined> {
  const tree = task.worktree;
  if (task.state !== 'done' || !tree || tree.commits > 0) return undefined;
  if (deps.config.current().limits.worktree_cleanup !== 'when-empty') return undefined;
  try {
    return (await deps.queue.removeWorktree({ taskId: task.id, repo: task.spec.repo.path, path: tree.path, branch: tree.branch })).message;
  } catch (error) {
    deps.log?.(`task ${task.id}: could not remove its worktree: ${(error as Error).message}`);
    return undefined;
  }
}

/** A worker that failed to start: say which CLI, and offer the configured models another CLI runs. */
async function offerRecovery(deps: DispatcherDeps, task: TaskRecord): Promise<void> {
  const failure = task.failure;
  if (!failure) return;
  // Only models whose CLI can run: another model of a CLI that is missing or logged out fails the same way.
  const config = deps.config.current();
  const sameFate = failure.reason === 'flags' || failure.reason === 'other' || failure.reason === 'model' ? undefined : failure.cli;
  const others = (await runnable(deps, config, choicesOf(config), sameFate)).filter((m) => m !== task.spec.model).slice(0, 10);
  const why = {
    missing: 'is not installed on this runner',
    auth: 'is not logged in',
    network: `kept retrying its API until the task timed out (logged in? try \`${failure.cli} login status\`)`,
    flags: 'rejected its command line (see `dispatch-bot doctor`)',
    model: `does not take the model **${task.spec.model}**`,
    other: 'refused to start',
  }[failure.reason];
  const reply: Reply = {
    mention: task.spec.requester,
    text: `The **${failure.cli}** CLI ${why}: ${logText(failure.detail).slice(0, 300)}${failure.reason === 'auth' && loginCommand(failure.cli) ? `\nLog in with ${loginCommand(failure.cli)}.` : ''}`,
  };
  if (others.length) {
    reply.text += '\nRetry with another model?';
    reply.buttons = others.map((model) => ({ action: { type: 'recover', task: task.id, model }, label: `Retry with ${model}` }));
  }
  await postToTask(deps, task, reply);
}
