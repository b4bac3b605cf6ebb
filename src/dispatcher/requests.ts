import type { InboundMessage } from '../chat/inbound.js';
import type { Config } from '../config/schema.js';
import type { PendingConfirm } from '../store/records.js';
import { parseIntent, type Intent, type TaskDraft } from '../intent/index.js';
import { Conversation } from './conversation.js';
import { askToConfirm, defaultModel, isKnown } from './confirm.js';
import { applyAccessRequest } from './access-requests.js';
import { applyConfigRequests } from './config-requests.js';
import { findTask, planControl } from './control.js';
import type { DispatcherDeps } from './deps.js';
import { launch } from './launch.js';
import { answerStatus, answerTaskStatus } from './status.js';
import { step, type Step } from './step.js';
import { warmUp } from './warm-up.js';

export function knownNames(config: Config): { models: string[]; aliases: string[]; repos: string[] } {
  return { models: Object.keys(config.models), aliases: Object.keys(config.aliases), repos: Object.keys(config.repos) };
}

export function intentOf(deps: DispatcherDeps, text: string): Intent {
  return parseIntent(text, knownNames(deps.config.current()));
}

/** A message that is not a reply in a task's thread: SPEC §2's routing, in order, with the rights each takes. */
export async function planRequest(deps: DispatcherDeps, inbound: InboundMessage): Promise<Step> {
  const intent = intentOf(deps, inbound.text);
  const talk = () => Conversation.of(deps, inbound);
  const dispatch = { kind: 'dispatch', where: inbound.where } as const;
  switch (intent.kind) {
    case 'warm-up':
      return step([{ kind: 'see' }], () => warmUp(deps, talk()));
    case 'status': {
      if (!intent.task) return step([{ kind: 'see' }], () => answerStatus(deps, talk(), inbound.where));
      const task = await findTask(deps, intent.task);
      return step([{ kind: 'read', task, where: inbound.where }], () => answerTaskStatus(deps, talk(), task));
    }
    case 'control':
      return planControl(deps, inbound, intent.action, intent.task);
    case 'config': {
      // One's own default is one's own business (where one may dispatch); the shared config is the admins'.
      const shared = intent.requests.some((r) => r.op !== 'set-my-default');
      return step([shared ? { kind: 'admin' } : dispatch], () => applyConfigRequests(deps, inbound, intent.requests));
    }
    case 'access':
      return step([intent.request.op === 'list' ? { kind: 'see' } : { kind: 'admin' }], () => applyAccessRequest(deps, inbound, intent.request));
    case 'invalid':
      return step([{ kind: 'see' }], async () => {
        await talk().answer({ text: intent.reason });
      });
    case 'tasks':
      return step([dispatch], () => requestTasks(deps, inbound, intent.context, intent.tasks, intent.splitHint));
  }
}

/** SPEC §3: discover unknown models, confirm the default when none is named, then launch. */
export async function requestTasks(
  deps: DispatcherDeps,
  inbound: InboundMessage,
  context: string,
  drafts: TaskDraft[],
  splitHint?: string[],
  fallbackModel?: string,
): Promise<void> {
  const ready = await discoverUnknown(deps, inbound, drafts);
  if (ready.length === 0) return;
  const config = deps.config.current();
  if (!fallbackModel && ready.some((d) => !d.model)) {
    const fallback = await defaultModel(deps, config, inbound.who.id, inbound.where.channel);
    await askToConfirm(deps, inbound, fallback?.model, fallback?.source);
    return;
  }
  await launch(deps, { inbound, context, drafts: ready, ...(splitHint ? { splitHint } : {}), ...(fallbackModel ? { fallbackModel } : {}) });
}

/** Drafts naming a model not in the config: look for it, add it when found, drop it when not. */
async function discoverUnknown(deps: DispatcherDeps, inbound: InboundMessage, drafts: TaskDraft[]): Promise<TaskDraft[]> {
  const talk = Conversation.of(deps, inbound);
  const out: TaskDraft[] = [];
  for (const draft of drafts) {
    const name = draft.unknownModel;
    if (!name || isKnown(deps.config.current(), name)) {
      out.push(name ? { ...draft, model: name } : draft);
      continue;
    }
    await talk.answer({ text: `${name} not in config. Checking availability…` });
    const found = await deps.discovery.discover(name);
    if (!found.found) {
      const list = found.available.length ? found.available.join(', ') : 'none (no agent CLI found on PATH)';
      await talk.answer({ text: `**${name}** is not available. Available models: ${list}.` });
      continue;
    }
    await deps.config.apply([{ op: 'add-model', model: name, backend: found.backend }]);
    await talk.answer({ text: `Found ${name} via ${found.via}. Added to config with ${found.backend} backend.` });
    out.push({ ...draft, model: name });
  }
  return out;
}

/** Go on with the request a prompt was holding, using the model its requester chose. */
export async function launchPending(deps: DispatcherDeps, pending: PendingConfirm, model: string): Promise<void> {
  const inbound: InboundMessage = { kind: 'message', who: { id: pending.requester, groups: [] }, where: pending.where, text: pending.text };
  const intent = intentOf(deps, pending.text);
  // A first-run prompt may hold any request: it goes through routing (and its access check) again.
  if (intent.kind !== 'tasks') return deps.route?.(inbound);
  await requestTasks(deps, inbound, intent.context, intent.tasks, intent.splitHint, model);
}
