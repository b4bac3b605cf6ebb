import type { InboundMessage } from '../chat/inbound.js';
import type { Reply } from '../chat/reply.js';
import { UserError } from '../errors/index.js';
import { reviewContext } from '../forge/describe.js';
import { TaskForge } from '../forge/record.js';
import type { ForgeAction } from '../intent/index.js';
import type { TaskRecord } from '../store/records.js';
import { isFinal } from '../task/index.js';
import type { Right } from './access.js';
import { Conversation, postToTask } from './conversation.js';
import { findTask } from './control.js';
import { nowOf, type DispatcherDeps } from './deps.js';
import { editStatus } from './events.js';
import { forgesOf } from './forge-launch.js';
import { proceed } from './pipeline.js';
import { forgeButton, canPublish } from './forge-buttons.js';
import { belongsInThread, openPullRequest, pushTaskBranch, reportFailure, type Published } from './pull-requests.js';
import { stateLabel } from './render.js';
import { step, type Step } from './step.js';

type Asker = Pick<InboundMessage, 'who' | 'where'>;

/** Said outside a task's thread without a task id. */
export function forgeWhichTask(action: ForgeAction): string {
  const say = { 'open-pr': 'open a PR for <task-id>', push: 'push <task-id>', 'fix-review': 'address the review comments on <task-id>' }[action];
  return `Which task? Say that in the task's thread, or \`${say}\` (\`status\` lists them).`;
}

/** A forge action on a task: its requester's or an admin's; addressing a review dispatches, so it takes that right too. */
export async function planForgeAction(deps: DispatcherDeps, asker: Asker, action: ForgeAction, taskId: string): Promise<Step> {
  const task = await findTask(deps, taskId);
  const rights: Right[] = [{ kind: 'publish', task }];
  if (action === 'fix-review') rights.push({ kind: 'dispatch', where: task.where });
  return step(rights, () => runForgeAction(deps, asker, action, task));
}

async function runForgeAction(deps: DispatcherDeps, asker: Asker, action: ForgeAction, task: TaskRecord): Promise<void> {
  if (action === 'fix-review') return fixReview(deps, asker, task);
  if (action === 'open-pr' && !isFinal(task.state) && task.spec.worktree) return openWhenDone(deps, asker, task);
  try {
    await announce(deps, action === 'open-pr' ? await openPullRequest(deps, task.id) : await pushTaskBranch(deps, task.id), asker);
  } catch (error) {
    // Not this task's kind of request (no commits, still running): the asker alone is told.
    if (!belongsInThread(error)) throw error;
    await reportFailure(deps, task, action === 'open-pr' ? 'open a pull request' : 'push the branch', error);
  }
}

/** "open a PR" while the task runs: it is opened when the task is done, as with `auto_pr`. */
async function openWhenDone(deps: DispatcherDeps, asker: Asker, task: TaskRecord): Promise<void> {
  await deps.store.updateTask(task.id, { forge: { ...TaskForge.parse(task.forge ?? {}), autoPr: true } });
  await new Conversation(deps, asker.where).answer({ text: `I'll open a pull request for **${task.id}** when it is done (if it made commits).` });
}

/**
 * After a task's final report: open its pull request when asked to (`auto_pr`, "… and open a
 * PR"), or push a review successor's commits to the pull request it continues.
 */
export async function publishFinished(deps: DispatcherDeps, task: TaskRecord): Promise<void> {
  if (task.state !== 'done' || !canPublish(task)) return;
  const forge = task.forge;
  const continuing = forge?.pullRequest !== undefined && forge.continues !== undefined;
  if (!continuing && !forge?.autoPr) return;
  try {
    await announce(deps, continuing ? await pushTaskBranch(deps, task.id) : await openPullRequest(deps, task.id));
  } catch (error) {
    await reportFailure(deps, task, continuing ? 'push to its pull request' : 'open a pull request', error);
  }
}

async function announce(deps: DispatcherDeps, done: Published, asker?: Asker): Promise<void> {
  const { task } = done;
  await editStatus(deps, task, nowOf(deps));
  const pr = task.forge?.pullRequest;
  if (done.kind === 'already-open') {
    if (asker) await new Conversation(deps, asker.where).ephemeral(asker.who.id, { text: `**${task.id}**'s pull request is already open: #${done.pr.number} ${done.pr.url}` });
    return;
  }
  const left = done.push.uncommitted > 0 ? `\n_${done.push.uncommitted} uncommitted change${done.push.uncommitted === 1 ? ' is' : 's are'} left in the worktree, not in what was pushed._` : '';
  const branch = task.worktree?.branch ?? '';
  let reply: Reply;
  if (done.kind === 'opened') {
    reply = { text: `Opened ${done.pr.draft ? 'a draft pull request' : 'pull request'} #${done.pr.number} for **${task.id}**: ${done.pr.url}${left}`, buttons: [forgeButton('fix-review', task.id, 'Fix review')] };
  } else if (pr && task.forge?.continues) {
    const commits = task.worktree?.commits ?? 0;
    reply = { text: `Pushed ${commits} commit${commits === 1 ? '' : 's'} of **${task.id}** to pull request #${pr.number}: ${pr.url}${left}`, buttons: [forgeButton('fix-review', task.id, 'Fix review')] };
  } else {
    reply = { text: `Pushed ${branch} to origin (${done.push.head.slice(0, 7)}).${left}` };
  }
  await postToTask(deps, task, reply);
}

/**
 * A successor on the same branch whose prompt carries the pull request's unresolved review
 * comments; once done, its commits are pushed to that pull request.
 */
async function fixReview(deps: DispatcherDeps, asker: Asker, task: TaskRecord): Promise<void> {
  const pr = task.forge?.pullRequest;
  const tree = task.worktree;
  if (!pr || !tree) throw new UserError(`**${task.id}** has no pull request yet: press *Open PR* (or say "open a PR for ${task.id}") first.`, 'task_state');
  if (!isFinal(task.state)) throw new UserError(`**${task.id}** is still ${stateLabel(task.state)}; address the review once it has finished.`, 'task_state');
  const busy = (await deps.store.listTasks({ active: true })).find((t) => t.forge?.pullRequest?.url === pr.url);
  if (busy) throw new UserError(`**${busy.id}** is already working on pull request #${pr.number}.`, 'task_state');
  let context: string;
  try {
    const { forge, repo } = forgesOf(deps).forRemote(task.forge?.origin ?? (await deps.queue.pushBranch({ taskId: task.id, repo: task.spec.repo.path, path: tree.path, branch: tree.branch }, { dryRun: true })).origin);
    const comments = await forge.unresolvedReviewComments(repo, pr.number);
    if (comments.length === 0) {
      await postToTask(deps, task, { text: `Pull request #${pr.number} of **${task.id}** has no unresolved review comments: nothing to address.` });
      return;
    }
    context = reviewContext(pr, comments);
  } catch (error) {
    if (!belongsInThread(error)) throw error;
    await reportFailure(deps, task, 'read the review comments', error);
    return;
  }
  const goal = `Address the unresolved review comments on pull request #${pr.number} (${pr.url}): change the code as each one asks, or say in output.md why not, and commit your changes on this branch (${tree.branch}).`;
  const where = task.thread ? { ...task.where, thread: task.thread } : task.where;
  await proceed(deps, { who: asker.who, where }, {
    context: [context, task.spec.context].filter((part) => part.trim()).join('\n\n'),
    tasks: [
      {
        id: `${task.forge?.continues ?? task.id}-review`,
        goal,
        model: task.spec.model,
        rolePrompt: task.spec.rolePrompt,
        worktree: true,
        branch: tree.branch,
        existingBranch: true,
        ...(task.spec.repo.name === deps.defaultRepo.name ? {} : { repo: task.spec.repo.name }),
      },
    ],
    taskForge: {
      autoPr: false,
      fixes: task.forge?.fixes ?? [],
      requesterName: asker.who.name ?? asker.who.id,
      ...(task.forge?.origin ? { origin: task.forge.origin } : {}),
      pullRequest: pr,
      continues: task.forge?.continues ?? task.id,
    },
  });
}
