import { ConfigError } from '../errors/index.js';
import { isMap, type Document } from 'yaml';
import { grant, initAccess, revoke } from './access-edit.js';
import { type ConfigChange } from './port.js';
import { data, foldedPrompt, record, setUnder } from './yaml-doc.js';

type Data = Record<string, unknown>;

function ensureRoot(doc: Document): void {
  if (!isMap(doc.contents)) doc.contents = doc.createNode({});
  else if (doc.contents.items.length === 0) doc.contents.flow = false; // a file holding only `{}`
}

/** Who refers to `name` (as default, an alias's model, a channel default or a legacy agent's model). */
export function usersOf(config: Data, name: string): string[] {
  const users: string[] = [];
  if (config.default === name) users.push('it is the default');
  for (const [alias, value] of Object.entries(record(config.aliases))) {
    if (record(value).model === name) users.push(`alias ${alias} uses it`);
  }
  for (const [channel, value] of Object.entries(record(config.channels))) {
    if (record(value).default === name) users.push(`channel ${channel} has it as its default`);
  }
  for (const [agent, value] of Object.entries(record(config.agents))) {
    if (record(value).model === name) users.push(`agent ${agent} uses it`);
  }
  return users;
}

const quoted = (text: string) => JSON.stringify(text);

function preview(prompt: string): string {
  const flat = prompt.trim().replace(/\s+/g, ' ');
  return flat.length > 70 ? `${flat.slice(0, 69)}…` : flat;
}

/** Apply one change to the document; returns the line that tells the user what changed. */
export function applyChange(doc: Document, change: Exclude<ConfigChange, { op: 'migrate' }>): string {
  ensureRoot(doc);
  const config = data(doc);
  switch (change.op) {
    case 'set-default':
      return setDefault(doc, config, change.model);
    case 'add-model':
      return addModel(doc, config, change.model, change.backend);
    case 'remove-model':
      return removeModel(doc, config, change.model);
    case 'set-alias':
      return setAlias(doc, config, change);
    case 'remove-alias':
      return removeAlias(doc, config, change.alias);
    case 'set-backend':
      return setBackend(doc, config, change.backend, change.command);
    case 'init-access':
      return initAccess(doc, config, change.admin);
    case 'grant': {
      const added = grant(doc, config, change.list, change.principals);
      return added.length ? `Added ${added.join(', ')} to access.${change.list}.` : `access.${change.list} already has ${change.principals.join(', ')}.`;
    }
    case 'revoke': {
      const removed = revoke(doc, config, change.lists, change.principals);
      return removed.length ? removed.map(([key, gone]) => `Removed ${gone.join(', ')} from access.${key}.`).join('\n') : `${change.principals.join(', ')} was not in ${change.lists.map((k) => `access.${k}`).join(' or ')}.`;
    }
  }
}

function setDefault(doc: Document, config: Data, model: string): string {
  const was = config.default;
  if (was === model) return `Default is already ${model}.`;
  if (doc.has('default') || !isMap(doc.contents)) doc.set('default', model);
  else doc.contents.items.unshift(doc.createPair('default', model)); // the first thing a reader looks for
  return typeof was === 'string' ? `Set default to ${model} (was ${was}).` : `Set default to ${model}.`;
}

function addModel(doc: Document, config: Data, model: string, backend: string): string {
  const models = record(config.models);
  if (model in models) {
    const was = record(models[model]).backend;
    if (was === backend) return `${model} is already in models (${backend} backend).`;
    if (isMap(doc.getIn(['models', model]))) doc.setIn(['models', model, 'backend'], backend);
    else setUnder(doc, 'models', [model], doc.createNode({ backend }));
    return typeof was === 'string'
      ? `Changed ${model}'s backend to ${backend} (was ${was}).`
      : `Set ${model}'s backend to ${backend}.`;
  }
  setUnder(doc, 'models', [model], doc.createNode({ backend }));
  return `Added ${model} to models (${backend} backend).`;
}

function removeModel(doc: Document, config: Data, model: string): string {
  const inModels = model in record(config.models);
  const inAgents = model in record(config.agents);
  if (!inModels && !inAgents) return `${model} is not in models; nothing removed.`;
  const users = usersOf(config, model);
  if (users.length > 0) {
    throw new ConfigError(`Can't remove ${model}: ${users.join(', ')}. Change that first.`, `models.${model}`);
  }
  if (inModels) {
    doc.deleteIn(['models', model]);
    return `Removed ${model} from models.`;
  }
  doc.deleteIn(['agents', model]);
  return `Removed ${model} from agents (the old format's entry for it).`;
}

function setAlias(doc: Document, config: Data, change: { alias: string; model: string; prompt?: string }): string {
  const { alias, model, prompt } = change;
  const before = record(config.aliases)[alias];
  if (before === undefined) {
    setUnder(doc, 'aliases', [alias], doc.createNode({ model }));
    if (prompt !== undefined && prompt.trim() !== '') doc.setIn(['aliases', alias, 'prompt'], foldedPrompt(prompt));
    const withPrompt = prompt?.trim() ? ` with the prompt "${preview(prompt)}"` : '';
    return `Created alias ${alias} → ${model}${withPrompt}.`;
  }
  const was = record(before);
  const changed: string[] = [];
  if (!isMap(doc.getIn(['aliases', alias]))) setUnder(doc, 'aliases', [alias], doc.createNode({}));
  if (was.model !== model) {
    doc.setIn(['aliases', alias, 'model'], model);
    changed.push(typeof was.model === 'string' ? `model ${was.model} → ${model}` : `model ${model}`);
  }
  if (prompt !== undefined && prompt.trim() !== String(was.prompt ?? '').trim()) {
    doc.setIn(['aliases', alias, 'prompt'], foldedPrompt(prompt));
    changed.push(`prompt now "${preview(prompt)}"`);
  }
  return changed.length === 0 ? `Alias ${alias} already points to ${model}; nothing changed.` : `Updated alias ${alias}: ${changed.join(', ')}.`;
}

function removeAlias(doc: Document, config: Data, alias: string): string {
  if (!(alias in record(config.aliases))) return `${alias} is not an alias; nothing removed.`;
  const users = usersOf(config, alias);
  if (users.length > 0) {
    throw new ConfigError(`Can't remove alias ${alias}: ${users.join(', ')}. Change that first.`, `aliases.${alias}`);
  }
  doc.deleteIn(['aliases', alias]);
  return `Removed alias ${alias}.`;
}

function setBackend(doc: Document, config: Data, backend: string, command: string): string {
  const was = record(record(config.backends)[backend]).command;
  if (was === command) return `Backend ${backend} already runs ${quoted(command)}.`;
  if (!isMap(doc.getIn(['backends', backend]))) setUnder(doc, 'backends', [backend], doc.createNode({ command }));
  else doc.setIn(['backends', backend, 'command'], command);
  return typeof was === 'string'
    ? `Set backends.${backend}.command to ${quoted(command)} (was ${quoted(was)}).`
    : `Added backend ${backend}: ${quoted(command)}.`;
}
