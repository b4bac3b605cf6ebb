import { CommandSyntaxError, ConfigError } from '../errors/index.js';
import { splitCommand } from './command.js';
import { configError } from './issues.js';
import { RESERVED_NAMES, reservedName, type Config } from './schema.js';

/** Backends with built-in commands (claude, cursor, codex, gemini): a model may name them without a `backends:` entry. */
export const BUILTIN_BACKENDS = ['claude', 'cursor', 'codex', 'gemini'] as const;

type Check = (config: Config, file?: string) => ConfigError[];

/** Every backend (and legacy agent) command must be one program and its arguments. */
export function commandErrors(raw: Config, file?: string): ConfigError[] {
  const entries = [
    ...Object.entries(raw.backends).map(([name, b]) => [['backends', name, 'command'], b.command] as const),
    ...Object.entries(raw.agents ?? {}).map(([name, a]) => [['agents', name, 'command'], a.command] as const),
  ];
  return entries.flatMap(([path, command]) => {
    try {
      splitCommand(command);
      return [];
    } catch (error) {
      if (!(error instanceof CommandSyntaxError)) throw error;
      return [configError(path, `${error.message} (in ${JSON.stringify(command)})`, file)];
    }
  });
}

const isName = (config: Config, name: string) => name in config.models || name in config.aliases;
const known = (config: Config) => {
  const names = [...Object.keys(config.models), ...Object.keys(config.aliases)];
  return names.length === 0 ? 'none are configured' : `configured: ${names.slice(0, 20).join(', ')}`;
};

const defaults: Check = (config, file) => {
  const errors: ConfigError[] = [];
  if (config.default !== undefined && !isName(config, config.default)) {
    errors.push(configError(['default'], `"${config.default}" is not a configured model or alias (${known(config)})`, file));
  }
  for (const [id, channel] of Object.entries(config.channels)) {
    if (channel.default !== undefined && !isName(config, channel.default)) {
      errors.push(configError(['channels', id, 'default'], `"${channel.default}" is not a configured model or alias (${known(config)})`, file));
    }
  }
  return errors;
};

const backendNames = (config: Config) => [...BUILTIN_BACKENDS, ...Object.keys(config.backends)];

const backendsExist: Check = (config, file) => {
  const names = backendNames(config);
  const unknown = (name: string) => `"${name}" is not a backend (built-in: ${BUILTIN_BACKENDS.join(', ')}; or define backends.${name}.command)`;
  return [
    ...Object.entries(config.models).flatMap(([id, model]) =>
      model.backend !== undefined && !names.includes(model.backend) ? [configError(['models', id, 'backend'], unknown(model.backend), file)] : [],
    ),
    ...Object.keys(config.limits.per_backend).flatMap((name) =>
      names.includes(name) ? [] : [configError(['limits', 'per_backend', name], unknown(name), file)],
    ),
  ];
};

const aliases: Check = (config, file) => {
  const errors: ConfigError[] = [];
  const reported = new Set<string>();
  for (const [name, alias] of Object.entries(config.aliases)) {
    if (name in config.models) {
      errors.push(configError(['aliases', name], `"${name}" is also a model; an alias needs a name of its own`, file));
    } else if (!isName(config, alias.model)) {
      errors.push(configError(['aliases', name, 'model'], `"${alias.model}" is not a configured model or alias (${known(config)})`, file));
    }
    const cycle = aliasCycle(config, name);
    const id = cycle && [...new Set(cycle)].sort().join('\u0000');
    if (cycle && id && !reported.has(id)) {
      reported.add(id);
      errors.push(configError(['aliases', name, 'model'], `aliases refer to each other in a cycle: ${cycle.join(' → ')}`, file));
    }
  }
  return errors;
};

/** The cycle that starts at `start`, as `[a, b, a]`, or undefined when the chain ends at a model. */
function aliasCycle(config: Config, start: string): string[] | undefined {
  const chain = [start];
  let next = config.aliases[start]?.model;
  while (next !== undefined && next in config.aliases && !(next in config.models)) {
    if (next === start) return [...chain, next];
    if (chain.includes(next)) return undefined; // a cycle further on: reported from its own members
    chain.push(next);
    next = config.aliases[next]?.model;
  }
  return undefined;
}

const repos: Check = (config, file) => {
  const errors: ConfigError[] = [];
  for (const [id, channel] of Object.entries(config.channels)) {
    if (channel.repo !== undefined && !(channel.repo in config.repos)) {
      const names = Object.keys(config.repos);
      errors.push(configError(['channels', id, 'repo'], `"${channel.repo}" is not in repos (${names.length ? names.join(', ') : 'none defined'})`, file));
    }
  }
  const defaults = Object.entries(config.repos).filter(([, repo]) => repo.default).map(([name]) => name);
  for (const name of defaults.slice(1)) {
    errors.push(configError(['repos', name, 'default'], `only one repo can be the default (${defaults.join(', ')} all say default: true)`, file));
  }
  return errors;
};

/** Checks that need the whole (legacy-normalised) config: names that must point at each other. */
export function crossKeyErrors(config: Config, file?: string): ConfigError[] {
  return [defaults, backendsExist, aliases, repos].flatMap((check) => check(config, file));
}

/** Sections whose keys are names (`limits.per_backend` too); channel ids are the platform's. */
const NAMED_SECTIONS = ['backends', 'models', 'aliases', 'agents', 'repos', 'channels'] as const;

const isMapping = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Reserved names used as keys, found in the raw file data: the schema alone cannot see a
 * `__proto__:` key (it reads as the object's prototype, not as an entry), so it would vanish.
 */
export function reservedKeyErrors(raw: unknown, file?: string): ConfigError[] {
  if (!isMapping(raw)) return [];
  const sections: [string[], unknown][] = NAMED_SECTIONS.map((name) => [[name], raw[name]]);
  const limits = raw.limits;
  if (isMapping(limits)) sections.push([['limits', 'per_backend'], limits.per_backend]);
  return sections.flatMap(([path, section]) =>
    isMapping(section) ? Object.keys(section).filter((key) => RESERVED_NAMES.has(key)).map((key) => configError([...path, key], reservedName(key), file)) : [],
  );
}
