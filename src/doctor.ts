import { readFile, stat } from 'node:fs/promises';
import { configPath } from './config/paths.js';
import type { Config } from './config/schema.js';
import { validateConfigText } from './config/validate.js';
import { accessWarnings } from './dispatcher/access.js';
import { backendForModel, workerCommand } from './resolve/index.js';
import { detectClis } from './resolve/discovery.js';

type Say = (line: string) => void;

const EXECUTABLE: Record<string, string> = { claude: 'claude', cursor: 'agent', codex: 'codex', gemini: 'gemini' };

/** `dispatch-bot doctor`: CLIs on PATH, config validity, what each model and alias resolves to, and warnings. */
export async function doctor(env: NodeJS.ProcessEnv, say: Say): Promise<number> {
  const clis = await detectClis(env);
  say('Agent CLIs on PATH:');
  for (const name of ['claude', 'agent', 'codex', 'gemini']) say(`  ${clis.has(name) ? '✓' : '✗'} ${name}${clis.has(name) ? ` ${clis.get(name)}` : ' (not found)'}`);
  const path = configPath(env);
  const config = await loadConfig(path, say);
  if (!config) return 1;
  const available = new Set(clis.keys());
  // A config not written yet gets its access rules on first run; one on disk without them is open.
  const onDisk = await stat(path).then(() => true, () => false);
  const warnings = [...collectWarnings(config, available), ...(onDisk ? accessWarnings(config) : [])];
  say('Models:');
  for (const model of Object.keys(config.models)) say(`  ${model} → ${describe(model, config, available, env)}`);
  say('Aliases:');
  for (const [alias, { model }] of Object.entries(config.aliases)) say(`  ${alias} → ${model}${config.models[model] ? '' : ' (alias)'}`);
  if (warnings.length) {
    say('Warnings:');
    for (const warning of warnings) say(`  ! ${warning}`);
  }
  say(warnings.length ? `${warnings.length} warning(s).` : 'All good.');
  return 0;
}

async function loadConfig(path: string, say: Say): Promise<Config | undefined> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    say(`Config: ${path} does not exist yet (the first request writes it after detecting the CLIs).`);
    return validateConfigText('').config;
  }
  const { config, errors } = validateConfigText(text, path);
  if (!config || errors.length) {
    say(`Config: ${path} is INVALID:`);
    for (const error of errors) say(`  ✗ ${error.message}`);
    return undefined;
  }
  say(`Config: ${path} is valid (default ${config.default ?? 'unset'}).`);
  return config;
}

function describe(model: string, config: Config, clis: Set<string>, env: NodeJS.ProcessEnv): string {
  const backend = backendForModel(model, config, clis);
  try {
    const argv = workerCommand(model, config, clis, env).argv;
    return `${backend}: ${argv.join(' ')} <prompt>`;
  } catch (error) {
    return `${backend}: cannot build a command (${(error as Error).message})`;
  }
}

export function collectWarnings(config: Config, clis: Set<string>): string[] {
  const warnings: string[] = [];
  const used = new Set(Object.keys(config.models).map((m) => backendForModel(m, config, clis)));
  if (process.getuid?.() === 0 && used.has('claude')) {
    warnings.push('running as root: claude refuses --dangerously-skip-permissions under root/sudo; run the bot (or its runners) as a normal user.');
  }
  for (const [name, backend] of Object.entries(config.backends)) {
    if (/\bcodex\b/.test(backend.command) && backend.command.includes('--full-auto')) {
      warnings.push(`backends.${name}.command uses "codex exec --full-auto", which current codex rejects; it is translated when run. Say "migrate my config" to rewrite it.`);
    }
  }
  if (config.agents) warnings.push('the config uses the old `agents:` format; it works, and "migrate my config" rewrites it as backends/models/aliases.');
  for (const backend of used) {
    const exe = EXECUTABLE[backend];
    if (exe && !clis.has(exe)) warnings.push(`models use the ${backend} backend but \`${exe}\` is not on PATH.`);
  }
  if (!config.default) warnings.push('no `default:` model: requests that name no model will ask which to use.');
  return warnings;
}
