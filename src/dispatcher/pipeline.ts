import { ConfigError, UserError } from '../errors/index.js';
import { decideDiscovery, findName, resolve, type Finding, type Resolution } from '../resolve/index.js';
import type { TaskRequest } from '../intent/index.js';
import type { HeldDraft, HeldRequest, PendingConfirm } from '../store/records.js';
import { confirmPrompt, pickPrompt, postPending, type Asker } from './confirm.js';
import { Conversation } from './conversation.js';
import type { DispatcherDeps } from './deps.js';
import { launch, type Ready } from './launch.js';

/**
 * The one way a request becomes workers, whatever brought it here (a new request, a confirm
 * press, a menu pick, the first-run default, a retry): every task is resolved, an unconfigured
 * name is discovered, and then either a question is asked (the request held with it, as
 * resolved so far) or every task is launched. Nothing is dispatched while a question is open.
 */
export async function proceed(deps: DispatcherDeps, asker: Asker & { text?: string }, request: HeldRequest): Promise<void> {
  const decided: Resolution[] = [];
  for (const [index, draft] of request.tasks.entries()) {
    const resolution = await resolveDraft(deps, asker, draft);
    if (resolution.kind === 'error') throw new ConfigError(resolution.message, resolution.key);
    if (resolution.kind === 'ask') return askWhich(deps, asker, request, index, resolution);
    if (resolution.kind === 'discover') {
      const found = await discover(deps, asker, request, index, resolution.name);
      if ('next' in found) return proceed(deps, asker, found.next);
      return askFinding(deps, asker, request, index, found.finding);
    }
    decided.push(resolution);
  }
  const fallback = decided.find((r) => r.kind === 'confirm');
  if (fallback) {
    const { model, source } = fallback;
    await postPending(deps, asker, { model, purpose: 'confirm', request, question: { kind: 'default', source } }, (p) => confirmPrompt(p, deps.config.current(), source));
    return;
  }
  const ready = decided.flatMap((r, i) => (r.kind === 'model' ? [readyOf(request.tasks[i] as HeldDraft, r)] : []));
  await launch(deps, {
    asker,
    context: request.context,
    drafts: request.tasks,
    ready,
    ...(request.splitHint ? { splitHint: request.splitHint } : {}),
    ...(request.forge ? { ask: request.forge } : {}),
    ...(request.taskForge ? { taskForge: request.taskForge } : {}),
    ...(request.attachments ? { attachments: request.attachments } : {}),
  });
}

/** The resolver's decision for one task, with the requester's own default and the channel's. */
async function resolveDraft(deps: DispatcherDeps, asker: Asker, draft: HeldDraft): Promise<Resolution> {
  const own = await deps.store.getUserDefault(asker.who.id);
  return resolve(draft, { config: deps.config.current(), channel: asker.where.channel, ...(own ? { userDefault: own } : {}) });
}

function readyOf(draft: HeldDraft, resolution: Extract<Resolution, { kind: 'model' }>): Ready {
  return { model: resolution.model, rolePrompt: draft.rolePrompt ?? resolution.rolePrompt, ...(resolution.trial ? { trial: resolution.trial } : {}) };
}

/**
 * Discover a name the config lacks. Found → say where, add it to the config at once when a
 * source listed it (on trial when a family rule alone vouches for it), and go on with `next`;
 * otherwise the finding, for the question or answer it leads to.
 */
async function discover(
  deps: DispatcherDeps,
  asker: Asker,
  request: HeldRequest,
  index: number,
  name: string,
): Promise<{ next: HeldRequest } | { finding: Exclude<Finding, { kind: 'found' }> }> {
  const talk = new Conversation(deps, asker.where);
  await talk.answer({ text: `${name} not in config. Checking availability…` });
  const clis = new Set((await deps.discovery.clis()).keys());
  const listed = clis.has('agent') ? await deps.discovery.agentModels() : [];
  const finding = decideDiscovery(name, deps.config.current(), { clis, listed });
  if (finding.kind !== 'found') return { finding };
  const draft = request.tasks[index] as HeldDraft;
  if (finding.trial) {
    await talk.answer({ text: `Found ${finding.id} via ${finding.via}. It joins the config with the ${finding.backend} backend once ${finding.via} has taken it.` });
    return { next: withDraft(request, index, { ...draft, model: undefined, unknownModel: finding.id, trial: { backend: finding.backend, via: finding.via } }) };
  }
  await deps.config.apply([{ op: 'add-model', model: finding.id, backend: finding.backend }]);
  await talk.answer({ text: `Found ${finding.id} via ${finding.via}. Added to config with ${finding.backend} backend.` });
  return { next: withDraft(request, index, { ...draft, model: finding.id, unknownModel: undefined }) };
}

/** Not found as named: "did you mean …?", "which gemini?", or not available (nothing dispatched, no prompt). */
async function askFinding(deps: DispatcherDeps, asker: Asker, request: HeldRequest, index: number, finding: Exclude<Finding, { kind: 'found' }>): Promise<void> {
  if (finding.kind === 'typo') {
    const text = `**${finding.name}** is not in the config. Did you mean ${finding.suggestions.map((s) => `**${s}**`).join(' or ')}? Nothing was added.`;
    await postPending(deps, asker, { model: '', purpose: 'confirm', request, question: { kind: 'pick', task: index } }, (p) => pickPrompt(p, text, finding.suggestions));
    return;
  }
  if (finding.kind === 'ask') {
    const text = `Which **${finding.family}**? ${finding.choices.length} models are available:`;
    await postPending(deps, asker, { model: '', purpose: 'confirm', request, question: { kind: 'pick', task: index } }, (p) => pickPrompt(p, text, finding.choices));
    return;
  }
  const available = finding.available.length ? finding.available.join(', ') : 'none (no agent CLI found on PATH)';
  await new Conversation(deps, asker.where).answer({ text: `**${finding.name}** is not available. Available models: ${available}. Nothing was dispatched.` });
}

/** Nothing named and no default, or a bare family word several configured models share: ask which. */
async function askWhich(deps: DispatcherDeps, asker: Asker, request: HeldRequest, index: number, ask: Extract<Resolution, { kind: 'ask' }>): Promise<void> {
  if (ask.family === undefined) {
    await postPending(deps, asker, { model: '', purpose: 'confirm', request, question: { kind: 'default' } }, (p) => confirmPrompt(p, deps.config.current(), undefined));
    return;
  }
  const text = `Which **${ask.family}**? ${ask.choices.length} are configured:`;
  await postPending(deps, asker, { model: '', purpose: 'confirm', request, question: { kind: 'pick', task: index } }, (p) => pickPrompt(p, text, ask.choices));
}

function withDraft(request: HeldRequest, index: number, draft: HeldDraft): HeldRequest {
  const tasks = request.tasks.map((d, i) => (i === index ? stripUndefined(draft) : d));
  return { ...request, tasks };
}

/** Drafts are stored: a key set to undefined is left out, not kept as a hole. */
function stripUndefined(draft: HeldDraft): HeldDraft {
  return Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== undefined)) as HeldDraft;
}

/** The answer to "which model?" for every task that names none (a confirmed default, a first-run pick). */
export function fillModel<R extends TaskRequest>(request: R, model: string): R {
  return { ...request, tasks: request.tasks.map((d) => (d.model || d.unknownModel ? d : { ...d, model })) };
}

/** A model question answered (a confirm, a menu pick, "did you mean …?"): the held request goes on with it. */
export async function answerPending(deps: DispatcherDeps, asker: Asker, pending: PendingConfirm, model: string): Promise<void> {
  const request = pending.request;
  if (!request) throw new UserError('That prompt was made by an older version of the bot and holds no request; send the request again.');
  if (model === '') throw new UserError('No model was picked; send the request again.');
  const question = pending.question;
  const draft = question?.kind === 'pick' ? request.tasks[question.task] : undefined;
  if (question?.kind !== 'pick' || !draft) return proceed(deps, asker, fillModel(request, model));
  // A picked name the config lacks (a model `agent models` listed) goes through discovery like a typed one.
  const known = findName(deps.config.current(), model);
  const named = known ? { model: known, unknownModel: undefined } : { model: undefined, unknownModel: model };
  await proceed(deps, asker, withDraft(request, question.task, { ...draft, ...named, trial: undefined }));
}
