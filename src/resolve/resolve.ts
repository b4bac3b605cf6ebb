import { z } from 'zod';
import { ConfigError } from '../errors/index.js';
import type { Config } from '../config/schema.js';
import type { TaskSpec } from '../task/index.js';
import type { WorkerCommand } from './backend.js';
import { BUILT_IN_BACKENDS, backendNamed, backendOfCommand } from './backends.js';
import { FAMILY_WORDS, modelFamily } from './family.js';
import { secretNames } from './secrets.js';

/** Which CLIs are on PATH, by executable name (`claude`, `agent`, `codex`, `gemini`). */
export type Clis = Pick<ReadonlySet<string>, 'has'>;

export interface ResolveContext {
  config: Config;
  /** The requester's own default (TaskStore.getUserDefault). */
  userDefault?: string;
  /** The channel the request came from: its `channels.<id>.default` comes next. */
  channel?: string;
}

export type DefaultSource = 'user' | 'channel' | 'config';

export type Resolution =
  /**
   * Ready: `model` is a model id; `rolePrompt` the alias prompts ('' when none); `trial` when the
   * model was found by a family rule alone and runs on that backend until its CLI has taken it.
   */
  | { kind: 'model'; model: string; alias?: string; rolePrompt: string; command?: string; trial?: Trial }
  /** Nothing named: dispatch with this default once the requester confirms. */
  | { kind: 'confirm'; model: string; source: DefaultSource }
  /**
   * Ask which model: nothing named and no default anywhere, or a bare family word ("ask gemini")
   * that several configured names share (`family`). `choices`: models then aliases.
   */
  | { kind: 'ask'; choices: string[]; family?: string }
  /** A model-like name not in the config: run discovery for it. */
  | { kind: 'discover'; name: string }
  /** The config cannot resolve the name (alias cycle, alias to nothing). */
  | { kind: 'error'; message: string; key?: string };

/** A model discovery found by a family rule alone: the backend it runs on, the source that vouched for it. */
export const Trial = z.object({ backend: z.string(), via: z.string() });
export type Trial = z.infer<typeof Trial>;

/** What a task names: a configured model or alias, or an unconfigured model-like name (on `trial` once discovered). */
export interface Named {
  model?: string;
  unknownModel?: string;
  trial?: Trial;
}

/**
 * The one decision of which model runs a task: the name the request gave (the last one named),
 * through its aliases; a bare family word to the one configured model of that family (or a
 * question when there are several); an unconfigured name to discovery; nothing named to the
 * requester's default, else the channel's, else the config's, to be confirmed; no default at
 * all to a question. Pure: discovery's I/O and every chat reply belong to the caller.
 */
export function resolve(draft: Named, ctx: ResolveContext): Resolution {
  const config = ctx.config;
  const name = draft.model ?? draft.unknownModel;
  // Already discovered by a family rule (the request waited on a question since): its CLI decides, not a second discovery.
  if (draft.trial && draft.unknownModel !== undefined && !findName(config, draft.unknownModel)) {
    return { kind: 'model', model: draft.unknownModel, rolePrompt: '', trial: draft.trial };
  }
  if (name !== undefined) {
    const known = findName(config, name);
    if (known) return followAlias(config, known);
    const family = familyMembers(config, name);
    if (family.length === 1) return followAlias(config, family[0] as string);
    if (family.length > 1) return { kind: 'ask', choices: family, family: name.toLowerCase() };
    return { kind: 'discover', name };
  }
  const channelDefault = ctx.channel === undefined ? undefined : config.channels[ctx.channel]?.default;
  const candidates: [string | undefined, DefaultSource][] = [[ctx.userDefault, 'user'], [channelDefault, 'channel'], [config.default, 'config']];
  for (const [model, source] of candidates) {
    const known = model === undefined ? undefined : findName(config, model);
    if (known) return { kind: 'confirm', model: known, source };
  }
  return { kind: 'ask', choices: choicesOf(config) };
}

/** Every name a requester can pick: models then aliases. */
export function choicesOf(config: Config): string[] {
  return [...Object.keys(config.models), ...Object.keys(config.aliases)];
}

/** Configured names a bare family word stands for ("gemini" → gemini-2.5-flash, gemini-2.5-pro…). */
function familyMembers(config: Config, word: string): string[] {
  const family = word.toLowerCase();
  if (!FAMILY_WORDS.has(family)) return [];
  return choicesOf(config).filter((name) => name.toLowerCase().split(/[-._]/).includes(family));
}

/** The configured spelling of a model, alias or legacy agent name (case-insensitive). */
export function findName(config: Config, name: string): string | undefined {
  const lower = name.toLowerCase();
  const all = [...Object.keys(config.aliases), ...Object.keys(config.agents ?? {}), ...Object.keys(config.models)];
  return all.find((n) => n === name) ?? all.find((n) => n.toLowerCase() === lower);
}

/** An alias (or legacy agent) → its model and prompts, chains followed, cycles refused. */
export function followAlias(config: Config, name: string): Resolution {
  const seen: string[] = [];
  const prompts: string[] = [];
  let current = name;
  let command: string | undefined;
  for (;;) {
    const alias = config.aliases[current];
    const agent = alias ? undefined : config.agents?.[current];
    if (!alias && !agent) break;
    if (seen.includes(current)) {
      // An alias may share its model's name (`opus: {model: opus, prompt: …}`): that is the model.
      if (config.models[current] !== undefined) break;
      return { kind: 'error', message: `alias ${[...seen, current].join(' → ')} is a cycle`, key: `aliases.${name}.model` };
    }
    seen.push(current);
    if (alias?.prompt ?? agent?.prompt) prompts.push((alias?.prompt ?? agent?.prompt ?? '').trim());
    command ??= agent?.command;
    const next = alias?.model ?? agent?.model;
    if (next === undefined) break;
    current = findName(config, next) ?? next;
  }
  const result: Resolution = { kind: 'model', model: current, rolePrompt: prompts.join('\n\n'), ...(command ? { command } : {}) };
  return seen.length > 0 ? { ...result, alias: name } : result;
}

/** Each family's own CLI when it is on PATH, else cursor; an explicit `models.<id>.backend` wins. */
export function backendForModel(model: string, config: Config, clis: Clis): string {
  const explicit = config.models[model]?.backend ?? config.models[findName(config, model) ?? '']?.backend;
  if (explicit) return explicit;
  switch (modelFamily(model)) {
    case 'claude':
      return clis.has('claude') ? 'claude' : 'cursor';
    case 'openai':
      return clis.has('codex') ? 'codex' : 'cursor';
    case 'gemini':
      return clis.has('gemini') ? 'gemini' : 'cursor';
    default:
      return 'cursor';
  }
}

/**
 * The worker command for a model on the backend this host would pick (what `doctor` shows).
 * `command` is a legacy agent's inline command.
 */
export function workerCommand(
  model: string,
  config: Config,
  clis: Clis,
  env: Record<string, string | undefined>,
  options: { command?: string } = {},
): WorkerCommand {
  const inline = options.command;
  const backend = inline ? (backendOfCommand(inline) ?? 'custom') : backendForModel(model, config, clis);
  return buildCommand({ model, backend }, config, env, inline);
}

/**
 * The command that runs a task: its backend's argv from this host's config, and an env without
 * claude's session variables and without this host's own secrets. A runner calls it with its
 * own config and env, so nothing that arrives with a task decides what program runs.
 */
export function commandFor(task: Pick<TaskSpec, 'model' | 'backend'>, config: Config, env: Record<string, string | undefined>): WorkerCommand {
  return buildCommand(task, config, env, legacyCommand(task.model, config));
}

/**
 * A legacy `agents.<name>` that names no model of its own runs its command as written: its name
 * is not a model (`agents.codex` would otherwise run `codex exec … -m codex`).
 */
function legacyCommand(model: string, config: Config): string | undefined {
  const agent = config.agents?.[model];
  return agent && agent.model === undefined ? agent.command : undefined;
}

function buildCommand(
  { model, backend }: Pick<TaskSpec, 'model' | 'backend'>,
  config: Config,
  env: Record<string, string | undefined>,
  inline: string | undefined,
): WorkerCommand {
  const settings = config.backends[backend];
  const base = inline ?? settings?.command;
  if (!inline && settings === undefined && !(BUILT_IN_BACKENDS as readonly string[]).includes(backend)) {
    throw new ConfigError(`model ${model} uses backend "${backend}", which is not built in and has no backends.${backend}.command`, `models.${model}.backend`);
  }
  const command = backendNamed(backend, base).command(model, base, inline ? settings?.model_flag ?? false : settings?.model_flag);
  return { ...command, unset: [...new Set([...command.unset, ...secretNames(env)])] };
}
