import { readFile, stat } from 'node:fs/promises';
import { configPath, dispatchHome } from './config/paths.js';
import type { Config } from './config/schema.js';
import { validateConfigText } from './config/validate.js';
import { accessWarnings } from './dispatcher/access.js';
import { backendForModel, backendNamed, commandFor, showCommand } from './resolve/index.js';
import { AGENT_CLIS, detectClis } from './resolve/clis.js';
import { checkLogin, loginCacheFile, type Login } from './resolve/login.js';

type Say = (line: string) => void;

/** What doctor found about the CLIs on this host. */
interface Host {
  versions: Map<string, string>;
  logins: Map<string, Login>;
}

/**
 * `dispatch-bot doctor`: the CLIs on PATH and whether each is logged in, config validity, what each
 * model and alias runs, and warnings. Exits 1 when the config is invalid or nothing can run.
 */
export async function doctor(env: NodeJS.ProcessEnv, say: Say): Promise<number> {
  const host = await inspectHost(env);
  say('Agent CLIs on PATH:');
  for (const name of AGENT_CLIS) say(`  ${cliLine(name, host)}`);
  const path = configPath(env);
  const config = await loadConfig(path, say);
  if (!config) return 1;
  const runnable = (exe: string): boolean => host.versions.has(exe) && host.logins.get(exe)?.state !== 'out';
  const available = new Set(host.versions.keys());
  // A config not written yet gets its access rules on first run; one on disk without them is open.
  const onDisk = await stat(path).then(() => true, () => false);
  const warnings = [...collectWarnings(config, available), ...(onDisk ? accessWarnings(config) : [])];
  say('Models:');
  const canRun: string[] = [];
  for (const model of Object.keys(config.models)) {
    const exe = executableOf(model, config, available);
    if (runnable(exe)) canRun.push(model);
    const why = host.versions.has(exe) ? (runnable(exe) ? '' : ` (cannot run: ${exe} is not logged in)`) : ` (cannot run: ${exe} is not on PATH)`;
    say(`  ${model} → ${describe(model, config, available, env)}${why}`);
  }
  say('Aliases:');
  for (const [alias, { model }] of Object.entries(config.aliases)) say(`  ${alias} → ${model}${config.models[model] ? '' : ' (alias)'}`);
  if (warnings.length) {
    say('Warnings:');
    for (const warning of warnings) say(`  ! ${warning}`);
  }
  const models = Object.keys(config.models).length;
  const anyCli = [...host.versions.keys()].some(runnable);
  if ((models > 0 && canRun.length === 0) || (models === 0 && !anyCli)) {
    say(models > 0 ? 'No configured model can run here: install or log in to one of their CLIs (see above).' : 'No agent CLI can run here: install one and log in (see above).');
    return 1;
  }
  say(warnings.length ? `${warnings.length} warning(s).` : 'All good.');
  return 0;
}

async function inspectHost(env: NodeJS.ProcessEnv): Promise<Host> {
  const versions = await detectClis(env);
  const cacheFile = loginCacheFile(dispatchHome(env));
  const checked = await Promise.all([...versions.keys()].map(async (cli) => [cli, await checkLogin(cli, env, { cacheFile })] as const));
  return { versions, logins: new Map(checked) };
}

function cliLine(name: string, host: Host): string {
  const version = host.versions.get(name);
  if (version === undefined) return `✗ ${name} (not found)`;
  const login = host.logins.get(name);
  if (!login) return `✓ ${name} ${version}`;
  const age = Date.now() - login.at > 60_000 ? `, checked ${Math.round((Date.now() - login.at) / 60_000)} min ago` : '';
  if (login.state === 'in') return `✓ ${name} ${version} · logged in (${login.detail}${age})`;
  if (login.state === 'out') return `✗ ${name} ${version} · NOT logged in (${login.detail}); log in with ${login.login}`;
  return `? ${name} ${version} · could not tell whether it is logged in (${login.detail}); to log in: ${login.login}`;
}

/** The executable a model's worker runs (`claude`, `agent`, `codex`, `gemini`, or a custom one). */
function executableOf(model: string, config: Config, clis: Set<string>): string {
  const backend = backendForModel(model, config, clis);
  return backendNamed(backend, config.backends[backend]?.command).executable;
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

/** The command exactly as the runner will start it (the prompt once, where it goes). */
function describe(model: string, config: Config, clis: Set<string>, env: NodeJS.ProcessEnv): string {
  const backend = backendForModel(model, config, clis);
  try {
    return `${backend}: ${showCommand(commandFor({ model, backend }, config, env))}`;
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
  if (!config.default) warnings.push('no `default:` model: requests that name no model will ask which to use.');
  return warnings;
}
