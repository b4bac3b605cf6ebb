/**
 * Runs every built-in worker command src/resolve builds (the code's real argv, not a copy)
 * against the real CLIs in BIN_DIR, with no credentials, a temp HOME and a timeout, and checks
 * that each one got as far as the CLI's own authentication step. Usage: check-clis.ts BIN_DIR
 */
import { mkdtemp, rm, chown, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ConfigFile } from '../src/config/schema.js';
import type { WorkerCommand } from '../src/resolve/backend.js';
import { backendNamed, DIR_TOKEN, PROMPT_TOKEN, splitCommand, workerCommand } from '../src/resolve/index.js';

const TIMEOUT_MS = 25_000;
const NOBODY = 65534;
const PROMPT = 'Reply with the single word: ok';

interface Case {
  label: string;
  command: WorkerCommand;
  /** What reaching the auth check looks like for this CLI. */
  reachedAuth: (exit: number | undefined, out: string, timedOut: boolean) => boolean;
  expect: string;
}

const clis = new Set(['claude', 'codex', 'gemini']);
const builtIn = ConfigFile.parse({ models: { opus: {}, 'claude-opus-4-6': {}, 'gpt-5.3-codex': {}, 'gemini-2.5-flash': {} } });
const seedCodex = ConfigFile.parse({ backends: { codex: { command: 'codex exec --full-auto -C $(pwd)' } } });
const seedClaude = ConfigFile.parse({ backends: { claude: { command: 'claude -p --dangerously-skip-permissions', model_flag: false } } });

const claudeAuth = (exit: number | undefined, out: string) => exit === 1 && /Not logged in/.test(out);
const geminiAuth = (exit: number | undefined, out: string) => exit === 41 && /Please set an Auth method/.test(out);
const codexNoFlagError = (exit: number | undefined, out: string, timedOut: boolean) =>
  !/unexpected argument/.test(out) && (timedOut || /Not logged in|401|Unauthorized|OPENAI_API_KEY|stream disconnected|error sending request/i.test(out));

const cases: Case[] = [
  { label: 'claude, family alias (opus)', command: workerCommand('opus', builtIn, clis, {}), reachedAuth: claudeAuth, expect: 'exit 1, "Not logged in"' },
  { label: 'claude, full id', command: workerCommand('claude-opus-4-6', builtIn, clis, {}), reachedAuth: claudeAuth, expect: 'exit 1, "Not logged in"' },
  { label: 'claude, seed command, model_flag: false', command: workerCommand('opus', seedClaude, clis, {}), reachedAuth: claudeAuth, expect: 'exit 1, "Not logged in"' },
  { label: 'codex, built-in', command: workerCommand('gpt-5.3-codex', builtIn, clis, {}), reachedAuth: codexNoFlagError, expect: 'no "unexpected argument"; retries the network until the timeout' },
  { label: 'codex, seed --full-auto (translated)', command: workerCommand('gpt-5.3-codex', seedCodex, clis, {}), reachedAuth: codexNoFlagError, expect: 'no "unexpected argument"' },
  {
    label: 'control: the documented Dispatch codex command (with --full-auto) run untranslated must hit a flag error',
    command: { ...workerCommand('gpt-5.3-codex', builtIn, clis, {}), argv: [...splitCommand('codex exec --full-auto -C $(pwd)'), '--model', 'gpt-5.3-codex'] },
    reachedAuth: (exit, out) => exit === 2 && /unexpected argument/.test(out),
    expect: 'exit 2, "unexpected argument \'--full-auto\'" (proves the check can tell)',
  },
  { label: 'gemini, built-in', command: workerCommand('gemini-2.5-flash', builtIn, clis, {}), reachedAuth: geminiAuth, expect: 'exit 41, "Please set an Auth method"' },
];

async function main(): Promise<void> {
  const bin = process.argv[2];
  if (!bin) throw new Error('usage: check-clis.ts BIN_DIR');
  const asRoot = process.getuid?.() === 0;
  console.log(`running as ${asRoot ? 'root: CLIs run as uid 65534 (nobody) via setpriv, since claude refuses --dangerously-skip-permissions as root' : 'a normal user'}\n`);
  let failed = 0;
  for (const c of cases) if (!(await check(c, bin, asRoot))) failed += 1;
  await codexLoginStatus(bin, asRoot);
  console.log(failed === 0 ? `\nall ${cases.length} commands reached their CLI's auth check` : `\n${failed} of ${cases.length} commands FAILED`);
  process.exitCode = failed === 0 ? 0 : 1;
}

async function check(c: Case, bin: string, asRoot: boolean): Promise<boolean> {
  const root = await mkdtemp(join(tmpdir(), 'check-clis-'));
  try {
    const home = join(root, 'home');
    const dir = join(root, 'work');
    await mkdir(home);
    await mkdir(dir);
    await execa('git', ['init', '-q', dir]);
    if (asRoot) for (const p of [root, home, dir]) await chownTree(p);
    const argv = c.command.argv.map((a) => (a === DIR_TOKEN ? dir : a === PROMPT_TOKEN ? PROMPT : a));
    if (c.command.promptAsLastArg) argv.push(PROMPT);
    const [file, ...args] = argv as [string, ...string[]];
    const env = { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, HOME: home, TERM: 'dumb', ...c.command.env };
    const wrapped = asRoot ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', file, ...args] : argv;
    const run = await execa(wrapped[0] as string, wrapped.slice(1), { env, extendEnv: false, cwd: dir, timeout: TIMEOUT_MS, reject: false, stdin: 'ignore', all: true });
    const out = String(run.all ?? '');
    const ok = c.reachedAuth(run.exitCode, out, run.timedOut);
    const failure = backendNamed(c.command.backend).classifyFailure(run.exitCode ?? null, out);
    console.log(`${ok ? 'OK  ' : 'FAIL'} ${c.label}`);
    console.log(`     argv: ${JSON.stringify(argv.map((a) => (a === PROMPT ? '<prompt>' : a.startsWith(root) ? a.replace(root, '$TMP') : a)))}`);
    console.log(`     result: ${run.timedOut ? `still running after ${TIMEOUT_MS / 1000}s (killed)` : `exit ${run.exitCode}`}; classified: ${failure ? `${failure.reason} (${failure.cli})` : 'none'}; expected: ${c.expect}`);
    const said = c.command.output === 'stream-json' ? out.split('\n').map((l) => backendNamed(c.command.backend).readLine(l)) : [];
    const model = said.find((x) => x.model)?.model;
    const error = said.find((x) => x.error)?.error;
    if (model || error) console.log(`     stream-json, read by the backend: model=${model ?? '-'} error=${JSON.stringify(error ?? '-')}`);
    else console.log(`     output: ${excerpt(out)}`);
    return ok;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** codex never fails fast without credentials; its own login check says why it keeps retrying. */
async function codexLoginStatus(bin: string, asRoot: boolean): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'check-clis-home-'));
  try {
    if (asRoot) await chownTree(home);
    const argv = ['codex', 'login', 'status'];
    const wrapped = asRoot ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', ...argv] : argv;
    const env = { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, HOME: home };
    const run = await execa(wrapped[0] as string, wrapped.slice(1), { env, extendEnv: false, timeout: TIMEOUT_MS, reject: false, stdin: 'ignore', all: true });
    console.log(`info codex login status → exit ${run.exitCode}: ${excerpt(String(run.all ?? ''))}`);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function chownTree(path: string): Promise<void> {
  await chown(path, NOBODY, NOBODY);
  await execa('chown', ['-R', `${NOBODY}:${NOBODY}`, path]);
}

function excerpt(out: string): string {
  const lines = out.split('\n').map((l) => l.trim()).filter(Boolean);
  const key =
    lines.find((l) => /Not logged in|Auth method|unexpected argument/.test(l) && !l.startsWith('{')) ??
    lines.find((l) => /Not logged in|Auth method|unexpected argument|ERROR|401/.test(l)) ??
    lines.at(-1) ??
    '(none)';
  return key.length > 300 ? `${key.slice(0, 299)}…` : key;
}

await main();
