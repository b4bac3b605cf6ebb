import { UserError } from '../errors/index.js';
import type { Inbound } from '../chat/inbound.js';
import type { Reply } from '../chat/reply.js';
import type { ConfigChange } from '../config/port.js';
import type { ConfigRequest } from '../intent/index.js';
import { backendForModel, findName } from '../resolve/index.js';
import { Conversation } from './conversation.js';
import type { DispatcherDeps } from './deps.js';

/** Change the config and say exactly what changed (the Dispatcher checked who may). Never dispatches. */
export async function applyConfigRequests(deps: DispatcherDeps, inbound: Pick<Inbound, 'who' | 'where'>, requests: ConfigRequest[]): Promise<void> {
  const talk = new Conversation(deps, inbound.where);
  const personal = requests.filter((r) => r.op === 'set-my-default');
  const shared = requests.filter((r) => r.op !== 'set-my-default');
  const lines: string[] = [];
  for (const request of personal) {
    const model = findName(deps.config.current(), request.model);
    if (!model) throw new UserError(`**${request.model}** is not in the config; add it first ("add ${request.model} to my config").`);
    await deps.store.setUserDefault(inbound.who.id, model);
    lines.push(`Your own default is now ${model} (the config's default stays ${deps.config.current().default ?? 'unset'}).`);
  }
  if (shared.length > 0) {
    const changes = await Promise.all(shared.map((r) => toChange(deps, r)));
    lines.push(...(await deps.config.apply(changes)));
  }
  const reply: Reply = { text: lines.join('\n') || 'Nothing to change.' };
  const alias = shared.find((r) => r.op === 'create-alias');
  if (alias && alias.op === 'create-alias') {
    if (alias.prompt === '') reply.text += `\nIt has no role prompt yet: press Edit prompt, or say \`create a ${alias.alias} alias using ${alias.model} with prompt: …\`.`;
    reply.buttons = [{ action: { type: 'alias-prompt', alias: alias.alias }, label: 'Edit prompt', opensInput: true }];
  }
  await talk.answer(reply);
}

async function toChange(deps: DispatcherDeps, request: Exclude<ConfigRequest, { op: 'set-my-default' }>): Promise<ConfigChange> {
  switch (request.op) {
    case 'set-default':
      return { op: 'set-default', model: request.model };
    case 'add-model': {
      const clis = new Set((await deps.discovery.clis()).keys());
      return { op: 'add-model', model: request.model, backend: backendForModel(request.model, deps.config.current(), clis) };
    }
    case 'remove-model':
      return { op: 'remove-model', model: request.model };
    case 'create-alias':
      return { op: 'set-alias', alias: request.alias, model: request.model, ...(request.prompt ? { prompt: request.prompt } : {}) };
    case 'remove-alias':
      return { op: 'remove-alias', alias: request.alias };
    case 'migrate':
      return { op: 'migrate' };
  }
}
