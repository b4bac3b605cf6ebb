import type { InboundMessage } from '../chat/inbound.js';
import type { Config } from '../config/schema.js';
import type { PendingConfirm } from '../store/records.js';
import { parseIntent, type Intent, type TaskDraft } from '../intent/index.js';
import { Conversation } from './conversation.js';
import { askToConfirm, defaultModel, isKnown } from './confirm.js';
import { applyConfigRequests } from './config-requests.js';
import { control } from './control.js';
import type { DispatcherDeps } from './deps.js';
import { requireDispatch } from './access.js';
import { launch } from './launch.js';
import { answerStatus } from './status.js';
import { warmUp } from './warm-up.js';

export function knownNames(config: Config): { models: string[]; aliases: string[]; repos: string[] } {
  return { models: Object.keys(config.models), aliases: Object.keys(config.aliases), repos: Object.keys(config.repos) };
}

export function intentOf(deps: DispatcherDeps, text: string): Intent {
  return parseIntent(text, knownNames(deps.config.current()));
}

/** A message that is not a reply in a task's thread: SPEC §2's routing, in order. */
export async function handleRequest(deps: DispatcherDeps, inbound: InboundMessage): Promise<void> {
  const intent = intentOf(deps, inbound.text);
  const talk = Conversation.of(deps, inbound);
  switch (intent.kind) {
    case 'warm-up':
      return warmUp(deps, talk);
    case 'status':
      return answerStatus(deps, talk, inbound.where, intent.task);
    case 'control':
      return control(deps, inbound, intent.action, intent.task);
    case 'config':
      return applyConfigRequests(deps, inbound, intent.requests);
    case 'invalid':
      await talk.answer({ text: intent.reason });
      return;
    case 'tasks':
      return requestTasks(deps, inbound, intent.context, intent.tasks, intent.splitHint);
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
  requireDispatch(inbound.who, deps.config.current());
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
  if (intent.kind !== 'tasks') return handleRequest(deps, inbound);
  await requestTasks(deps, inbound, intent.context, intent.tasks, intent.splitHint, model);
}
