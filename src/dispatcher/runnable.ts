import type { Config } from '../config/schema.js';
import type { TaskSpec } from '../task/index.js';
import { AGENT_CLIS } from '../resolve/clis.js';
import { backendForModel, backendNamed, loginCommand, resolve } from '../resolve/index.js';
import type { DispatcherDeps } from './deps.js';
import { UserError } from '../errors/index.js';

/**
 * Can a worker of this CLI start here? An agent CLI must be on PATH and not known to be logged
 * out; any other CLI (a team's own) is taken on trust.
 */
async function canRun(deps: DispatcherDeps, exe: string, clis: Map<string, string>): Promise<boolean> {
  if (!(AGENT_CLIS as readonly string[]).includes(exe)) return true;
  return clis.has(exe) && (await deps.discovery.login(exe)).state !== 'out';
}

/** The executable a model's (or alias's) worker runs. */
function executableOf(name: string, config: Config, clis: Map<string, string>): string | undefined {
  const resolved = resolve({ model: name }, { config });
  if (resolved.kind !== 'model') return undefined;
  try {
    const backend = backendForModel(resolved.model, config, clis);
    return backendNamed(backend, config.backends[backend]?.command).executable;
  } catch {
    return undefined;
  }
}

/** Of these model and alias names, the ones whose CLI can run here (and is not `failed`), in order. */
export async function runnable(deps: DispatcherDeps, config: Config, names: string[], failed?: string): Promise<string[]> {
  const clis = await deps.discovery.clis();
  const ok: string[] = [];
  for (const name of names) {
    const exe = executableOf(name, config, clis);
    if (exe && exe !== failed && (await canRun(deps, exe, clis))) ok.push(name);
  }
  return ok;
}

/**
 * Refuse, before anything starts, a task whose CLI says it is logged out: codex without a login
 * retries its API until the task times out, so the task would show "running" for half an hour.
 */
export async function requireLoggedIn(deps: DispatcherDeps, config: Config, specs: TaskSpec[], names: string[]): Promise<void> {
  for (const spec of specs) {
    const exe = backendNamed(spec.backend, config.backends[spec.backend]?.command).executable;
    if ((await deps.discovery.login(exe)).state !== 'out') continue;
    const others = (await runnable(deps, config, names)).filter((n) => n !== spec.model);
    const instead = others.length ? ` Models that can run now: ${others.slice(0, 10).join(', ')}.` : '';
    throw new UserError(`The **${exe}** CLI is not logged in here, so **${spec.model}** cannot run; nothing was started. Log in with ${loginCommand(exe)}.${instead}`);
  }
}
