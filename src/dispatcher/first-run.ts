import type { InboundMessage, Who } from '../chat/inbound.js';
import type { ConfigChange } from '../config/port.js';
import { requestOf } from '../intent/index.js';
import type { PendingConfirm } from '../store/records.js';
import type { Reply } from '../chat/reply.js';
import { postPending } from './confirm.js';
import { Conversation } from './conversation.js';
import type { DispatcherDeps } from './deps.js';
import { fillModel, proceed } from './pipeline.js';
import { intentOf } from './requests.js';

/** Models each CLI family is known to take by these names (the CLI's own aliases). */
const FAMILY_MODELS: Record<string, { backend: string; models: string[] }> = {
  claude: { backend: 'claude', models: ['opus', 'sonnet', 'haiku'] },
  codex: { backend: 'codex', models: ['gpt-5-codex'] },
  gemini: { backend: 'gemini', models: ['gemini-2.5-pro', 'gemini-2.5-flash'] },
};

/**
 * First run: no config yet. Detect the CLIs, discover models, write the config, and ask
 * the requester to pick the default; the request they made then goes on with that pick.
 */
export async function startFirstRun(deps: DispatcherDeps, inbound: InboundMessage): Promise<void> {
  const talk = Conversation.of(deps, inbound);
  const clis = await deps.discovery.clis();
  if (clis.size === 0) {
    await talk.answer({ text: 'No agent CLI found on PATH (looked for claude, agent, codex, gemini). Install one and try again; nothing was written.' });
    return;
  }
  const changes: ConfigChange[] = [...(await discoveredModels(deps, clis)), { op: 'init-access', admin: inbound.who.id }];
  const lines = await deps.config.apply(changes);
  const models = changes.flatMap((c) => (c.op === 'add-model' ? [c.model] : []));
  const found = [...clis].map(([n, v]) => `${n} ${v}`.trim()).join(', ');
  await postPending(deps, inbound, { model: '', purpose: 'first-run' }, (pending) => ({
    text: [
      `First run: found ${found}.`,
      `Wrote ${deps.config.path} with ${models.length} models (${lines.length} changes).`,
      `You (<@${inbound.who.id}>) are its admin and the only one who may dispatch; say "allow @name" or "allow everyone here" to let others in.`,
      'Pick the default model:',
    ].join('\n'),
    ...pickerOf(models, pending.id, deps.config.path),
  }));
}

/** Buttons for a few models (a menu holds at most 25 on Discord), else a menu listing every model written. */
const MAX_BUTTONS = 5;
const MAX_OPTIONS = 25;

function pickerOf(models: string[], prompt: string, path: string): Pick<Reply, 'buttons' | 'select' | 'fields'> {
  const pick = (model: string) => ({ label: model, action: { type: 'first-run' as const, prompt, model } });
  if (models.length <= MAX_BUTTONS) return { buttons: models.map(pick) };
  const options = models.slice(0, MAX_OPTIONS).map(pick);
  const more = models.length - options.length;
  return {
    select: { placeholder: 'Pick the default model', options },
    ...(more > 0 ? { fields: [{ label: 'Not in the menu', value: `${more} more: set \`default:\` in ${path}` }] } : {}),
  };
}

async function discoveredModels(deps: DispatcherDeps, clis: Map<string, string>): Promise<ConfigChange[]> {
  const changes: ConfigChange[] = [];
  const seen = new Set<string>();
  const add = (model: string, backend: string) => {
    if (seen.has(model)) return;
    seen.add(model);
    changes.push({ op: 'add-model', model, backend });
  };
  for (const [cli, family] of Object.entries(FAMILY_MODELS)) {
    if (clis.has(cli)) for (const model of family.models) add(model, family.backend);
  }
  if (clis.has('agent')) {
    for (const { id } of await deps.discovery.agentModels()) add(id, 'cursor');
  }
  return changes;
}

/**
 * The default picked: write it, then go on with the request the first run held. No config existed
 * to read it against when it was made, so it is read now; a task takes the pick as its model.
 */
export async function finishFirstRun(deps: DispatcherDeps, pending: PendingConfirm, model: string, who: Who): Promise<void> {
  const lines = await deps.config.apply([{ op: 'set-default', model }]);
  const surface = deps.surface(pending.where.surface);
  if (pending.prompt && surface) await surface.edit(pending.prompt, { text: lines.join('\n') });
  if (pending.text.trim() === '') return;
  const intent = intentOf(deps, pending.text);
  const asker = { who, where: pending.where, text: pending.text };
  // Anything but a task goes through routing (and its access check) again.
  if (intent.kind !== 'tasks') return deps.route?.({ kind: 'message', ...asker, addressed: true });
  await proceed(deps, asker, fillModel(requestOf(intent), model));
}
