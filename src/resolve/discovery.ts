import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { modelFamily } from './family.js';
import type { Clis } from './resolve.js';

/**
 * The only I/O of src/resolve: which agent CLIs are on PATH, what `agent models` lists, and
 * whether an unknown model name is available (SPEC §3.4). Argv arrays, short timeouts, the
 * caller's env (so tests put stub CLIs on a temp PATH).
 */
export const AGENT_CLIS = ['claude', 'agent', 'codex', 'gemini'] as const;
const VERSION_TIMEOUT_MS = 5_000;
const MODELS_TIMEOUT_MS = 30_000;

type Env = Record<string, string | undefined>;

/** `id`: the name as the CLI spells it (agent models' own id when it listed the model). */
export type Discovered = { found: true; backend: string; via: string; id: string } | { found: false; available: string[] };

/** The first executable file named `name` on the env's PATH. */
export async function onPath(name: string, env: Env): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      await access(file, constants.X_OK);
      return file;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** CLI name → version (first line of `--version`, or "unknown" when it would not say). */
export async function detectClis(env: Env): Promise<Map<string, string>> {
  const found = await Promise.all(
    AGENT_CLIS.map(async (name) => {
      const file = await onPath(name, env);
      return file ? ([name, await versionOf(file, env)] as const) : undefined;
    }),
  );
  return new Map(found.filter((entry) => entry !== undefined));
}

async function versionOf(file: string, env: Env): Promise<string> {
  const run = await execa(file, ['--version'], { env, extendEnv: false, timeout: VERSION_TIMEOUT_MS, reject: false, stdin: 'ignore' });
  const text = `${String(run.stdout ?? '')}\n${String(run.stderr ?? '')}`;
  const line = text.split('\n').map((l) => stripAnsi(l).trim()).find(Boolean);
  return run.exitCode === 0 && line ? line.slice(0, 100) : 'unknown';
}

/** `agent models`: `<id> - <Display Name>` lines, `(current)` / `(default)` markers dropped. */
export async function agentModels(env: Env): Promise<{ id: string; name: string }[]> {
  const file = await onPath('agent', env);
  if (!file) return [];
  const run = await execa(file, ['models'], { env, extendEnv: false, timeout: MODELS_TIMEOUT_MS, reject: false, stdin: 'ignore' });
  return run.exitCode === 0 ? parseAgentModels(String(run.stdout ?? '')) : [];
}

const MODEL_LINE = /^\s*(?:[*>•-]\s+)?([A-Za-z0-9][A-Za-z0-9._:/[\]-]{0,79})\s+[-\u2013\u2014]\s+(.+?)\s*$/;

export function parseAgentModels(output: string): { id: string; name: string }[] {
  const models: { id: string; name: string }[] = [];
  for (const raw of output.split('\n')) {
    const line = stripAnsi(raw).replace(/\((?:current|default)\)/gi, ' ');
    const m = MODEL_LINE.exec(line);
    if (!m) continue;
    const name = (m[2] ?? '').replace(/\s+/g, ' ').trim();
    if (name && !models.some((x) => x.id === m[1])) models.push({ id: m[1] as string, name });
  }
  return models;
}

const FAMILY_CLI = { claude: 'claude', openai: 'codex', gemini: 'gemini' } as const;

/**
 * Is `name` available? `agent models` decides when the Cursor CLI is present and answers; else
 * a family CLI on PATH accepts its own family's names. `backend` follows SPEC §3's preference.
 */
export async function discoverModel(name: string, clis: Clis, env: Env): Promise<Discovered> {
  const family = modelFamily(name);
  const backend = (id: string) => {
    const f = modelFamily(id);
    return f && clis.has(FAMILY_CLI[f]) ? FAMILY_CLI[f] : 'cursor';
  };
  if (clis.has('agent')) {
    const listed = await agentModels(env);
    if (listed.length > 0) {
      const hit = listed.find((m) => m.id.toLowerCase() === name.toLowerCase());
      return hit ? { found: true, backend: backend(hit.id), via: 'agent models', id: hit.id } : { found: false, available: listed.map((m) => m.id) };
    }
  }
  if (family && clis.has(FAMILY_CLI[family])) return { found: true, backend: FAMILY_CLI[family], via: `the ${FAMILY_CLI[family]} CLI`, id: name };
  return { found: false, available: clis.has('claude') ? ['opus', 'sonnet', 'haiku'] : [] };
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}
