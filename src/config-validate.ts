import { readFile } from 'node:fs/promises';
import { configPath } from './config/paths.js';
import { validateConfigText } from './config/validate.js';

/** `dispatch-bot config validate [FILE]`: every bad key named, exit 1; a one-line summary when good. */
export async function validateCommand(file: string | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  const path = file ?? configPath(env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    process.stderr.write(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
    return 1;
  }
  const { config, errors } = validateConfigText(text, path);
  if (errors.length > 0 || !config) {
    for (const error of errors) process.stderr.write(`${path}: ${error.message}\n`);
    return 1;
  }
  const models = Object.keys(config.models).length;
  const aliases = Object.keys(config.aliases).length;
  process.stdout.write(`${path}: OK (default ${config.default ?? 'unset'}, ${models} models, ${aliases} aliases)\n`);
  return 0;
}
