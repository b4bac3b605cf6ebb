import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import { parseJson } from './claude-output.js';
import { onPath } from './clis.js';

type Env = Record<string, string | undefined>;

/** Whether an agent CLI can reach its model: `in`, `out`, or `unknown` (it would not say). */
export interface Login {
  state: 'in' | 'out' | 'unknown';
  /** The CLI's own words, or where the answer came from. */
  detail: string;
  /** What a person runs to log in. */
  login: string;
  /** When the answer was found (a cached answer is older). */
  at: number;
}

interface Check {
  argv: string[];
  /** A status command that asks no model: cheap enough to run before every task. */
  free: boolean;
  /** Keys that log the CLI in without a login (the CLI reads them from its environment). */
  keys: string[];
  login: string;
  timeoutMs: number;
  read(exit: number | undefined, out: string): Pick<Login, 'state' | 'detail'>;
}

const ClaudeStatus = z.object({ loggedIn: z.boolean(), authMethod: z.string().optional() });

/**
 * Each CLI's own answer. claude and codex have a status command (`claude auth status` prints
 * JSON with `loggedIn`, whatever its exit code; `codex login status` exits 1 "Not logged in"),
 * as does Cursor's `agent status`. gemini has none: a one-word prompt is the cheapest call that
 * reaches its auth check (exit 41 "Please set an Auth method" without one).
 */
const CHECKS: Record<string, Check> = {
  claude: {
    argv: ['auth', 'status'],
    free: true,
    keys: ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN'],
    login: '`claude auth login` (or `claude setup-token` on a server, or set ANTHROPIC_API_KEY)',
    timeoutMs: 15_000,
    read(_exit, out) {
      // Pretty-printed over several lines, or one line among warnings.
      const status = ClaudeStatus.safeParse(parseJson(out) ?? out.split('\n').map(parseJson).find((j) => j !== undefined));
      if (!status.success) return { state: 'unknown', detail: firstLine(out) };
      return status.data.loggedIn ? { state: 'in', detail: status.data.authMethod ? `via ${status.data.authMethod}` : 'logged in' } : { state: 'out', detail: 'claude auth status: not logged in' };
    },
  },
  codex: {
    argv: ['login', 'status'],
    free: true,
    keys: ['OPENAI_API_KEY', 'CODEX_API_KEY'],
    login: '`codex login` (or `codex login --device-auth` on a server without a browser)',
    timeoutMs: 15_000,
    read(exit, out) {
      if (exit === 0) return { state: 'in', detail: firstLine(out) };
      if (/not logged in/i.test(out)) return { state: 'out', detail: firstLine(out) };
      return { state: 'unknown', detail: firstLine(out) };
    },
  },
  agent: {
    argv: ['status'],
    free: true,
    keys: ['CURSOR_API_KEY'],
    login: '`agent login` (or set CURSOR_API_KEY)',
    timeoutMs: 15_000,
    read(exit, out) {
      if (/not (?:logged in|authenticated)|login required/i.test(out)) return { state: 'out', detail: firstLine(out) };
      return exit === 0 ? { state: 'in', detail: firstLine(out) } : { state: 'unknown', detail: firstLine(out) };
    },
  },
  gemini: {
    argv: ['-p', 'Reply with the single word: ok'],
    free: false,
    keys: ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_GENAI_USE_GCA'],
    login: 'run `gemini` once and pick "Login with Google" (or set GEMINI_API_KEY)',
    timeoutMs: 30_000,
    read(exit, out) {
      if (exit === 41 || /Please set an Auth method|API key not valid/i.test(out)) return { state: 'out', detail: 'no auth method set' };
      return exit === 0 ? { state: 'in', detail: 'answered a one-word prompt' } : { state: 'unknown', detail: firstLine(out) };
    },
  },
};

/** A logged-in answer that cost a model call (gemini's) is kept this long. */
const CACHE_MS = 60 * 60 * 1000;
const Cached = z.record(z.string(), z.object({ state: z.literal('in'), detail: z.string(), login: z.string(), at: z.number() }));

/** The command that logs `cli` in, for messages ('' for a CLI we know nothing about). */
export function loginCommand(cli: string): string {
  return CHECKS[cli]?.login ?? '';
}

/**
 * Is `cli` logged in? Asks the CLI itself (never its credential files). With `freeOnly`, a CLI
 * whose only check is a model call answers `unknown` instead (checks before a task must be cheap).
 * A logged-in answer from a model call is cached in `cacheFile` for an hour; a logged-out one is
 * asked again each time, so logging in shows at once.
 */
export async function checkLogin(cli: string, env: Env, opts: { cacheFile?: string; freeOnly?: boolean } = {}): Promise<Login> {
  const check = CHECKS[cli];
  const now = Date.now();
  if (!check) return { state: 'unknown', detail: 'no known login check', login: '', at: now };
  const file = await onPath(cli, env);
  if (!file) return { state: 'unknown', detail: `${cli} is not on PATH`, login: check.login, at: now };
  const key = check.keys.find((name) => env[name]?.trim());
  if (key) return { state: 'in', detail: `${key} is set`, login: check.login, at: now };
  // A status command is asked every time (logging in or out shows at once); a model call is not.
  const cacheKey = `${cli}:${file}:${env.HOME ?? ''}`;
  const cached = !check.free && opts.cacheFile ? (await readCache(opts.cacheFile))[cacheKey] : undefined;
  if (cached && now - cached.at < CACHE_MS) return cached;
  if (opts.freeOnly && !check.free) return { state: 'unknown', detail: 'only a model call would tell', login: check.login, at: now };
  const run = await execa(file, check.argv, { env, extendEnv: false, timeout: check.timeoutMs, reject: false, stdin: 'ignore', all: true });
  const answer = run.timedOut ? { state: 'unknown' as const, detail: `no answer within ${check.timeoutMs / 1000}s` } : check.read(run.exitCode, String(run.all ?? ''));
  const login: Login = { ...answer, login: check.login, at: now };
  if (login.state === 'in' && opts.cacheFile) await writeCache(opts.cacheFile, cacheKey, login);
  return login;
}

/** The login cache under the bot's home. */
export function loginCacheFile(home: string): string {
  return join(home, 'cache', 'logins.json');
}

async function readCache(file: string): Promise<z.infer<typeof Cached>> {
  try {
    const parsed = Cached.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

async function writeCache(file: string, key: string, login: Login): Promise<void> {
  const all = { ...(await readCache(file)), [key]: { state: 'in' as const, detail: login.detail, login: login.login, at: login.at } };
  // A cache is best effort: an unwritable home only costs a repeated check.
  try {
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(all, null, 2)}\n`);
    await rename(temp, file);
  } catch {
    // ignored on purpose (see above)
  }
}

function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line || '(no output)';
}
