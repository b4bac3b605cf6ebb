import { ConfigError, messageOf } from '../errors/index.js';
import { parseDocument } from 'yaml';
import { commandErrors, crossKeyErrors, reservedKeyErrors } from './checks.js';
import { configError, issuesToErrors, yamlErrorToConfigError } from './issues.js';
import { normaliseLegacy } from './legacy.js';
import { ConfigFile, knownKeys, type Config } from './schema.js';

export { BUILTIN_BACKENDS } from './checks.js';
export { normaliseLegacy } from './legacy.js';

/** More than this and the user is looking at the wrong file; the rest is summed up in one line. */
const MAX_ERRORS = 50;

export interface Validation {
  config?: Config;
  errors: ConfigError[];
}

/** Parse and check a config file's text; every problem is reported, each naming its key. */
export function validateConfigText(text: string, file?: string): Validation {
  const yaml = parseYaml(text, file);
  if ('errors' in yaml) return { errors: cap(yaml.errors, file) };
  const reserved = reservedKeyErrors(yaml.data, file);
  const parsed = ConfigFile.safeParse(yaml.data ?? {}, { reportInput: true });
  const reported = new Set(reserved.map((e) => e.key));
  const schemaErrors = parsed.success ? [] : issuesToErrors(parsed.error.issues, knownKeys, file).filter((e) => !reported.has(e.key));
  if (!parsed.success || reserved.length > 0) return { errors: cap([...reserved, ...schemaErrors], file) };
  const config = normaliseLegacy(parsed.data);
  const errors = [...commandErrors(parsed.data, file), ...crossKeyErrors(config, file)];
  return errors.length > 0 ? { errors: cap(errors, file) } : { config, errors: [] };
}

/** Like validateConfigText, but throws the first problem (its message lists them all). */
export function parseConfigText(text: string, file?: string): Config {
  const { config, errors } = validateConfigText(text, file);
  const first = errors[0];
  if (config && !first) return config;
  if (!first) throw new ConfigError('the config could not be read', undefined, file);
  throw errors.length === 1 ? first : new ConfigError(errors.map((e) => e.message).join('\n'), first.key, file);
}

/** The plain data of the YAML text, or the syntax errors found in it. */
function parseYaml(text: string, file?: string): { data: unknown } | { errors: ConfigError[] } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) return { errors: doc.errors.map((e) => yamlErrorToConfigError(e, text, file)) };
  try {
    // maxAliasCount guards against alias bombs ("billion laughs") in a hand-edited file.
    return { data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    const why = messageOf(error);
    return { errors: [configError([], `the YAML could not be read: ${why}`, file)] };
  }
}

function cap(errors: ConfigError[], file?: string): ConfigError[] {
  if (errors.length <= MAX_ERRORS) return errors;
  const rest = errors.length - MAX_ERRORS;
  return [...errors.slice(0, MAX_ERRORS), new ConfigError(`…and ${rest} more problems`, undefined, file)];
}
