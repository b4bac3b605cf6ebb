import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';

/**
 * The only I/O of src/resolve: which agent CLIs are on PATH and what `agent models` lists (what
 * discovery decides from them is `decideDiscovery`, pure). Argv arrays, short timeouts, the
 * caller's env (so tests put stub CLIs on a temp PATH).
 */
export const AGENT_CLIS = ['claude', 'agent', 'codex', 'gemini'] as const;
const VERSION_TIMEOUT_MS = 5_000;
const MODELS_TIMEOUT_MS = 30_000;

type Env = Record<string, string | undefined>;

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

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}
