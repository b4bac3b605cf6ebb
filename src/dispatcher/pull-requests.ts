import { UserError, asDispatchError, messageOf } from '../errors/index.js';
import { pullRequestBody, pullRequestTitle } from '../forge/describe.js';
import { repoName, type PullRequest } from '../forge/port.js';
import { TaskForge, type PullRequestRef } from '../forge/record.js';
import type { TaskRecord } from '../store/records.js';
import { isFinal, type BranchPush, type BranchTarget } from '../task/index.js';
import { KeyedLock } from '../util/keyed-lock.js';
import { redact } from '../util/redact.js';
import { postToTask } from './conversation.js';
import { nowOf, type DispatcherDeps } from './deps.js';
import { forgesOf, repoForgeSettings } from './forge-launch.js';
import { modelLabel, stateLabel } from './render.js';

/** What a push or pull request did, for the caller to show (the status message is theirs to edit). */
export type Published =
  | { kind: 'opened'; task: TaskRecord; pr: PullRequest; push: BranchPush }
  | { kind: 'already-open'; task: TaskRecord; pr: PullRequestRef }
  | { kind: 'pushed'; task: TaskRecord; push: BranchPush };

/** One push or pull request at a time per branch: a double press opens one, a successor waits for its PR. */
function lockOf(deps: DispatcherDeps): KeyedLock {
  return deps.forgeLock ?? new KeyedLock();
}

function lockKey(task: TaskRecord): string {
  return `${task.spec.repo.path}#${task.worktree?.branch ?? task.id}`;
}

/** A finished worktree task's branch; anything else has nothing to push. */
export function branchOf(task: TaskRecord): BranchTarget {
  const tree = task.worktree;
  if (!tree) throw new UserError(`**${task.id}** did not run in a worktree, so it has no branch of its own to push.`, 'task_state');
  if (!isFinal(task.state)) throw new UserError(`**${task.id}** is still ${stateLabel(task.state)}; its branch can be pushed once it has finished.`, 'task_state');
  if (tree.commits === 0) throw new UserError(`**${task.id}** made no commits on ${tree.branch}, so there is nothing to push.`, 'task_state');
  return { taskId: task.id, repo: task.spec.repo.path, path: tree.path, branch: tree.branch };
}

async function saveForge(deps: DispatcherDeps, task: TaskRecord, patch: Partial<TaskForge>): Promise<TaskRecord> {
  const forge = { ...TaskForge.parse(task.forge ?? {}), ...patch };
  return (await deps.store.updateTask(task.id, { forge })) ?? { ...task, forge };
}

async function recordPush(deps: DispatcherDeps, task: TaskRecord, push: BranchPush): Promise<TaskRecord> {
  return saveForge(deps, task, { origin: push.origin, pushed: { head: push.head, at: nowOf(deps) } });
}

/** Push the task's branch to origin (no pull request). */
export function pushTaskBranch(deps: DispatcherDeps, taskId: string): Promise<Published> {
  return withTask(deps, taskId, async (task) => {
    const push = await deps.queue.pushBranch(branchOf(task));
    return { kind: 'pushed', task: await recordPush(deps, task, push), push };
  });
}

/**
 * Push the branch and open its pull request. Nothing half-done: origin and the forge (a token,
 * a repository the bot can name) are settled before anything is pushed, and the pull request is
 * only asked for once the branch is on origin. A second call finds the first one's PR.
 */
export function openPullRequest(deps: DispatcherDeps, taskId: string): Promise<Published> {
  return withTask(deps, taskId, async (first) => {
    const known = first.forge?.pullRequest;
    if (known) return { kind: 'already-open', task: first, pr: known };
    const target = branchOf(first);
    const where = await deps.queue.pushBranch(target, { dryRun: true });
    const { forge, repo } = forgesOf(deps).forRemote(where.origin);
    const push = await deps.queue.pushBranch(target);
    const task = await recordPush(deps, first, push);
    const fixes = task.forge?.fixes ?? [];
    const thread = task.status ? await deps.surface(task.where.surface)?.permalink?.(task.status).catch(() => undefined) : undefined;
    const pr = await forge.openPullRequest(repo, {
      head: target.branch,
      title: pullRequestTitle(task.spec.goal, fixes.flatMap((f) => (f.title ? [f.title] : [])), task.spec.model),
      body: pullRequestBody({
        report: push.report ?? task.summary,
        requester: `@${task.forge?.requesterName ?? task.spec.requester}`,
        model: modelLabel(task),
        thread,
        issues: fixes,
      }),
      draft: repoForgeSettings(deps.config.current(), task.spec.repo.name).draft,
    });
    const saved = await saveForge(deps, task, { pullRequest: { number: pr.number, url: pr.url, repo: repoName(repo), draft: pr.draft } });
    return { kind: 'opened', task: saved, pr, push };
  });
}

async function withTask(deps: DispatcherDeps, taskId: string, work: (task: TaskRecord) => Promise<Published>): Promise<Published> {
  const peek = await deps.store.getTask(taskId);
  if (!peek) throw new UserError(`There is no task **${taskId}**.`, 'unknown_task');
  // Read again under the lock: the press before this one may have opened the pull request.
  return lockOf(deps).run(lockKey(peek), async () => work((await deps.store.getTask(taskId)) ?? peek));
}

/**
 * A push or pull request that failed is said in the task's thread in one line naming what to
 * fix (everyone there is waiting on it); a request that cannot apply (no commits, still running)
 * goes back to whoever asked.
 */
export async function reportFailure(deps: DispatcherDeps, task: TaskRecord, what: string, error: unknown): Promise<void> {
  const coded = asDispatchError(error);
  if (coded.code !== 'forge') deps.log?.(`task ${task.id}: could not ${what}: ${redact(messageOf(error))}`);
  const line = coded.code === 'forge' ? coded.message : `Couldn't ${what}: ${redact(coded.message)}`;
  await postToTask(deps, task, { text: `**${task.id}**: ${line.replace(/\s*\n\s*/g, ' ')}` });
}

/** Is this failure one to say in the thread (the forge, git, the runner), rather than a refusal of the request itself? */
export function belongsInThread(error: unknown): boolean {
  const code = asDispatchError(error).code;
  return code !== 'task_state' && code !== 'unknown_task' && code !== 'access_denied';
}
