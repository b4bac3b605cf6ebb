import { UserError } from '../errors/index.js';
import type { Config } from '../config/schema.js';
import { queuedProgress, type TaskSpec } from '../task/index.js';
import type { HeldDraft, TaskRecord } from '../store/records.js';
import { backendForModel, choicesOf, commandFor, type Trial } from '../resolve/index.js';
import type { Asker } from './confirm.js';
import { Conversation } from './conversation.js';
import { nowOf, type DispatcherDeps } from './deps.js';
import { renderStatus } from './render.js';
import { requireLoggedIn } from './runnable.js';
import { renderFanOut, renderSingle } from './summary.js';
import { branchFor, planForge, withIssueContext } from './forge-launch.js';
import type { TaskForge } from '../forge/record.js';
import type { ForgeAsk } from '../intent/index.js';
import { requireDailyBudget } from './budget.js';
import { fetchAttachments } from './attachments.js';
import type { InboundFile } from '../chat/inbound.js';
import type { Reply } from '../chat/reply.js';

/** What the resolver settled for one task: the model id, the role prompt, and a family-rule trial. */
export interface Ready {
  model: string;
  rolePrompt: string;
  /** Found by a family rule alone: the task runs on `backend`, and the model joins the config once its CLI has taken it. */
  trial?: Trial;
}

export interface Request {
  asker: Asker;
  context: string;
  drafts: HeldDraft[];
  /** What the resolver settled for each draft, in the same order. */
  ready: Ready[];
  splitHint?: string[];
  /** What the request's words asked of the forge (issues to read, a pull request when done). */
  ask?: ForgeAsk;
  /** A retry's or review successor's forge side, carried over as it is (nothing is read again). */
  taskForge?: TaskForge;
  /** Files attached to the request, fetched for every task's worker. */
  attachments?: InboundFile[];
}

/** Turn a resolved request into tasks: stored and submitted, then one thread and a status card each. */
export async function launch(deps: DispatcherDeps, request: Request): Promise<TaskRecord[]> {
  const config = deps.config.current();
  const clis = new Set((await deps.discovery.clis()).keys());
  const specs = request.drafts.map((draft, i) => buildSpec(deps, config, clis, request, draft, request.ready[i] as Ready, draft.id));
  // Checked before ids are claimed: a refused request leaves nothing behind.
  await requireDailyBudget(deps, config, request.asker.who.id, nowOf(deps));
  await requireLoggedIn(deps, config, specs, choicesOf(config));
  const forge = await forgeOfRequest(deps, request, specs);
  const taken = new Set<string>();
  for (const spec of specs) {
    spec.id = await uniqueId(deps, spec.id, taken);
    if (spec.worktree) spec.branch ??= branchFor(config, spec);
  }
  // Fetched before anything runs; a file left out is said once the thread is up.
  const notices: Reply[] = [];
  const files = await fetchAttachments(deps, request.asker, request.attachments ?? [], async (reply) => notices.push(reply));
  const now = nowOf(deps);
  const records = specs.map((spec, i) => newRecord(config, request, spec, i, forge, now));
  for (const record of records) await deps.store.putTask(record);
  // Submitted before anything is posted: posts are paced per channel (about one a second), and
  // workers waiting for their cards started up to a minute late when many requests came at once.
  // Their events wait until the cards are up.
  const cardsUp = holdEvents(deps, records);
  const submitted: string[] = [];
  try {
    for (const spec of specs) {
      // The files go to the runner with each task; the task as stored keeps none of their bytes.
      await deps.queue.submit(files.length ? { ...spec, files } : spec);
      submitted.push(spec.id);
    }
    return await postCards(deps, request, specs, records, notices);
  } catch (error) {
    // Nothing may run that its requester cannot see or stop.
    for (const id of submitted) await deps.queue.cancel(id).catch(() => undefined);
    throw error;
  } finally {
    cardsUp();
  }
}

function newRecord(config: Config, request: Request, spec: TaskSpec, i: number, forge: TaskForge, now: number): TaskRecord {
  const record: TaskRecord = { ...queuedProgress(), id: spec.id, spec, where: request.asker.where, createdAt: now, updatedAt: now };
  if (request.asker.where.thread) record.thread = request.asker.where.thread;
  if (request.asker.deliveryId) record.origin = request.asker.deliveryId;
  record.forge = forge;
  if (request.attachments?.length) record.attachments = request.attachments;
  const budget = request.drafts[i]?.budgetUsd ?? config.limits.max_cost_usd;
  if (budget !== undefined) record.budgetUsd = budget;
  const earlier = request.drafts[i]?.earlier;
  if (earlier) record.earlier = earlier;
  const trial = request.ready[i]?.trial;
  if (trial) record.modelTrial = { via: trial.via };
  return record;
}

/** Hold the tasks' events until the returned function is called. */
function holdEvents(deps: DispatcherDeps, records: TaskRecord[]): () => void {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  for (const record of records) deps.posting?.set(record.id, held);
  return () => {
    for (const record of records) if (deps.posting?.get(record.id) === held) deps.posting.delete(record.id);
    release();
  };
}

/** The request's thread (its first message says what was dispatched), then a status card per task. */
async function postCards(deps: DispatcherDeps, request: Request, specs: TaskSpec[], records: TaskRecord[], notices: Reply[]): Promise<TaskRecord[]> {
  const talk = new Conversation(deps, request.asker.where);
  const head = specs.length === 1 ? renderSingle(specs[0] as TaskSpec, request.splitHint) : renderFanOut(specs);
  const first = await talk.startThread(head);
  const thread = first.thread ?? request.asker.where.thread;
  for (const notice of notices) await talk.inThread(thread, notice);
  const shown: TaskRecord[] = [];
  for (const record of records) shown.push(await postStatusCard(deps, talk, record, thread));
  return shown;
}

async function postStatusCard(deps: DispatcherDeps, talk: Conversation, record: TaskRecord, thread: string | undefined): Promise<TaskRecord> {
  const status = await talk.inThread(thread, renderStatus(record, nowOf(deps)));
  const patch: Partial<TaskRecord> = thread ? { thread, status } : { status };
  return (await deps.store.updateTask(record.id, patch)) ?? { ...record, ...patch };
}

/**
 * A task stored and submitted whose card was never posted (the bot stopped in between): its
 * thread and card are posted now, showing where the task has got to.
 */
export async function postMissingCard(deps: DispatcherDeps, task: TaskRecord): Promise<void> {
  if (task.status) return;
  const talk = new Conversation(deps, task.where);
  const thread = task.thread ?? (await talk.startThread(renderSingle(task.spec))).thread;
  await postStatusCard(deps, talk, task, thread);
}

function buildSpec(deps: DispatcherDeps, config: Config, clis: Set<string>, request: Request, draft: HeldDraft, ready: Ready, id: string): TaskSpec {
  const repo = pickRepo(deps, config, request.asker.where.channel, draft.repo);
  const backend = ready.trial?.backend ?? backendForModel(ready.model, config, clis);
  // The runner builds the command from its own config; building it here too turns a backend the
  // config cannot run into a reply now instead of a failed task later.
  commandFor({ model: ready.model, backend }, config, deps.env);
  return {
    id,
    goal: draft.goal,
    context: request.context,
    rolePrompt: ready.rolePrompt,
    repo: { name: repo.name, path: repo.path },
    worktree: draft.worktree || repo.worktree === 'always',
    ...(draft.branch ? { branch: draft.branch, existingBranch: draft.existingBranch === true } : {}),
    model: ready.model,
    backend,
    timeoutMs: config.limits.task_timeout,
    stallAfterMs: config.limits.stall_after,
    requester: request.asker.who.id,
    resume: false,
  };
}

/**
 * The forge side of a request: carried over (a retry, a review successor), or read from what its
 * words asked, the issues it names fetched into every task's context.
 */
async function forgeOfRequest(deps: DispatcherDeps, request: Request, specs: TaskSpec[]): Promise<TaskForge> {
  if (request.taskForge) return request.taskForge;
  const [first] = specs;
  const requester = request.asker.who.name ?? request.asker.who.id;
  const plan = await planForge(deps, request.ask ?? { issues: [], openPr: false }, first?.repo ?? deps.defaultRepo, requester);
  for (const spec of specs) spec.context = withIssueContext(plan.context, spec.context);
  return plan.forge;
}

interface PickedRepo {
  name: string;
  path: string;
  worktree: 'always' | 'ask';
}

/** The request's `in <repo>` / `repo=`, else the channel's bound repo, else the default repo. */
export function pickRepo(deps: DispatcherDeps, config: Config, channel: string, named?: string): PickedRepo {
  const wanted = named ?? config.channels[channel]?.repo;
  if (wanted) {
    const repo = config.repos[wanted];
    if (!repo) throw new UserError(`There is no repo **${wanted}** in the config (\`repos:\`).`);
    return { name: wanted, path: repo.path, worktree: repo.worktree };
  }
  const fallback = Object.entries(config.repos).find(([, r]) => r.default);
  if (fallback) return { name: fallback[0], path: fallback[1].path, worktree: fallback[1].worktree };
  return { ...deps.defaultRepo, worktree: 'ask' };
}

/** Longer than any launch takes from picking an id to storing the task. */
const ID_CLAIM_MS = 24 * 60 * 60 * 1000;

/**
 * A task id unused in this workspace (and in this request): `perf-audit`, then `perf-audit-2`…
 * The store's first-sighting claim makes the pick atomic: two requests launched at once with the
 * same words (two channels asking the same thing) get two ids, not one task and one error.
 */
async function uniqueId(deps: DispatcherDeps, base: string, taken: Set<string>): Promise<string> {
  for (let n = 1; ; n += 1) {
    const suffix = n === 1 ? '' : `-${n}`;
    const id = `${base.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!taken.has(id) && !(await deps.store.hasTask(id)) && (await deps.store.firstDelivery(`task-id:${id}`, ID_CLAIM_MS))) {
      taken.add(id);
      return id;
    }
  }
}
