import { UserError } from '../errors/index.js';
import type { Inbound } from '../chat/inbound.js';
import type { Config } from '../config/schema.js';
import type { TaskDraft } from '../intent/index.js';
import { queuedProgress, type TaskSpec } from '../task/index.js';
import type { TaskRecord } from '../store/records.js';
import { backendForModel, commandFor, resolveModel } from '../resolve/index.js';
import { Conversation } from './conversation.js';
import type { DispatcherDeps } from './deps.js';
import { renderStatus } from './render.js';
import { choices } from './confirm.js';
import { requireLoggedIn } from './runnable.js';
import { renderFanOut, renderSingle } from './summary.js';

/** A draft as launch takes it: a retry carries the role prompt its first run had. */
export type LaunchDraft = TaskDraft & { rolePrompt?: string };

export interface Request {
  inbound: Inbound;
  context: string;
  drafts: LaunchDraft[];
  /** The model to use for drafts that name none (the confirmed default). */
  fallbackModel?: string;
  splitHint?: string[];
}

/** Turn a resolved request into tasks: specs, one thread, a status message each, submitted. */
export async function launch(deps: DispatcherDeps, request: Request): Promise<TaskRecord[]> {
  const config = deps.config.current();
  const clis = new Set((await deps.discovery.clis()).keys());
  const specs = request.drafts.map((draft) => buildSpec(deps, config, clis, request, draft, draft.id));
  // Checked before ids are claimed: a refused request leaves nothing behind.
  await requireLoggedIn(deps, config, specs, choices(config));
  const taken = new Set<string>();
  for (const spec of specs) spec.id = await uniqueId(deps, spec.id, taken);
  const talk = Conversation.of(deps, request.inbound);
  const head = specs.length === 1 ? renderSingle(specs[0] as TaskSpec, request.splitHint) : renderFanOut(specs);
  const first = await talk.startThread(head);
  const thread = first.thread ?? request.inbound.where.thread;
  const now = (deps.now ?? Date.now)();
  const records: TaskRecord[] = [];
  for (const spec of specs) {
    const record: TaskRecord = { ...queuedProgress(), id: spec.id, spec, where: request.inbound.where, createdAt: now, updatedAt: now };
    if (thread) record.thread = thread;
    if (request.inbound.deliveryId) record.origin = request.inbound.deliveryId;
    record.status = await talk.inThread(thread, renderStatus(record, now));
    await deps.store.putTask(record);
    records.push(record);
  }
  for (const spec of specs) await deps.queue.submit(spec);
  return records;
}

function buildSpec(
  deps: DispatcherDeps,
  config: Config,
  clis: Set<string>,
  request: Request,
  draft: LaunchDraft,
  id: string,
): TaskSpec {
  const name = draft.model ?? request.fallbackModel;
  if (!name) throw new UserError(`No model for **${draft.id}**: name one (e.g. "use opus") or set a default.`);
  const resolved = resolveModel(name, config);
  const repo = pickRepo(deps, config, request.inbound.where.channel, draft.repo);
  const backend = backendForModel(resolved.model, config, clis);
  // The runner builds the command from its own config; building it here too turns a backend the
  // config cannot run into a reply now instead of a failed task later.
  commandFor({ model: resolved.model, backend }, config, deps.env);
  return {
    id,
    goal: draft.goal,
    context: request.context,
    rolePrompt: draft.rolePrompt ?? resolved.rolePrompt,
    repo: { name: repo.name, path: repo.path },
    worktree: draft.worktree || repo.worktree === 'always',
    model: resolved.model,
    backend,
    timeoutMs: config.limits.task_timeout,
    requester: request.inbound.who.id,
    resume: false,
  };
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
