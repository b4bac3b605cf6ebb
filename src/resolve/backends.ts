
import { ConfigError } from '../errors/index.js';
import { DIR_TOKEN, PROMPT_TOKEN, splitCommand } from '../config/command.js';
import { readClaudeLine } from './claude-output.js';
import { readCodexLine } from './codex-output.js';
import { readGeminiLine } from './gemini-output.js';
import { claudeModelFlag } from './family.js';
import { logText } from './log-text.js';
import { CLAUDE_FAILURES, CODEX_FAILURES, CURSOR_FAILURES, GEMINI_FAILURES, classify, type FailureRule } from './failures.js';
import type { Backend, OutputSignal, WorkerCommand } from './backend.js';
import { CLAUDE_SESSION_VARS } from './secrets.js';

/**
 * The built-in backends (with the flags today's CLIs accept: codex has no `--full-auto`, gemini
 * needs `--skip-trust` for `--yolo` outside a trusted folder) and the generic one
 * for any other backend name. A user's `backends.<name>.command` replaces the base; the model
 * flag is still added unless `model_flag: false`, and flags today's CLIs reject are translated.
 */
export const BUILT_IN_BACKENDS = ['claude', 'cursor', 'codex', 'gemini'] as const;
export const MODEL_TOKEN = '{model}';

const CLAUDE_BASE = ['claude', '-p', '--dangerously-skip-permissions', '--output-format', 'stream-json', '--verbose'];
/** Dispatch's documented claude command: a Dispatch user's config carries it, and it means the built-in. */
const SEED_CLAUDE = ['claude', '-p', '--dangerously-skip-permissions'];

type Build = Omit<WorkerCommand, 'backend' | 'model' | 'env' | 'unset'> & { unset?: string[] };

function make(
  name: string,
  executable: string,
  build: (model: string, base: string[] | undefined, modelFlag: boolean) => Build,
  rules: FailureRule[],
  read: (line: string) => OutputSignal = () => ({}),
): Backend {
  return {
    name,
    executable,
    command(model, base, modelFlag) {
      const argv = base === undefined ? undefined : splitCommand(base).map((a) => (a === MODEL_TOKEN ? model : a));
      const built = build(model, argv, modelFlag !== false);
      return { backend: name, model, env: {}, ...built, unset: [...CLAUDE_SESSION_VARS, ...(built.unset ?? [])] };
    },
    readLine: read,
    // The CLI's JSON events read as text, so the failure's detail is words, not a JSON line.
    classifyFailure: (exitCode, tail) => classify(executable, exitCode, logText(tail), rules),
  };
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const hasAny = (argv: string[], flags: string[]) => argv.some((a) => flags.includes(a) || flags.some((f) => a.startsWith(`${f}=`)));

function withFlag(argv: string[], flags: string[], value: string | undefined, on: boolean): string[] {
  return on && value !== undefined && !hasAny(argv, flags) ? [...argv, flags[0] as string, value] : argv;
}

export const claudeBackend = make(
  'claude',
  'claude',
  (model, base, modelFlag) => {
    if (base === undefined || (modelFlag && same(base, SEED_CLAUDE)) || same(base, CLAUDE_BASE)) {
      const argv = modelFlag ? withFlag(CLAUDE_BASE, ['--model'], claudeModelFlag(model), true) : CLAUDE_BASE;
      return { argv, promptAsLastArg: true, output: 'stream-json' };
    }
    const streaming = base.some((a, i) => a === 'stream-json' && base[i - 1] === '--output-format') || base.includes('--output-format=stream-json');
    const verbose = streaming && !base.includes('--verbose') ? [...base, '--verbose'] : base;
    return { argv: withFlag(verbose, ['--model'], claudeModelFlag(model), modelFlag), promptAsLastArg: !base.includes(PROMPT_TOKEN), output: streaming ? 'stream-json' : 'text' };
  },
  CLAUDE_FAILURES,
  readClaudeLine,
);

export const cursorBackend = make(
  'cursor',
  'agent',
  (model, base, modelFlag) => {
    const argv = base ?? ['agent', '-p', '--force', '--workspace', DIR_TOKEN];
    return { argv: withFlag(argv, ['--model', '-m'], model, modelFlag), promptAsLastArg: !argv.includes(PROMPT_TOKEN), output: 'text' };
  },
  CURSOR_FAILURES,
  // `agent --output-format stream-json` prints claude's event shapes (init, assistant, result);
  // its result carries no tokens today, so a usage block is read only where it appears.
  readClaudeLine,
);

export const codexBackend = make(
  'codex',
  'codex',
  (model, base, modelFlag) => {
    if (base === undefined) {
      const head = ['codex', 'exec', '--json', '-s', 'workspace-write', '-C', DIR_TOKEN];
      return { argv: [...withFlag(head, ['-m'], model, modelFlag), '--skip-git-repo-check'], promptAsLastArg: true, output: 'text' };
    }
    return { argv: withFlag(translateFullAuto(base), ['-m', '--model'], model, modelFlag), promptAsLastArg: !base.includes(PROMPT_TOKEN), output: 'text' };
  },
  CODEX_FAILURES,
  readCodexLine,
);

/** Today's codex rejects `--full-auto` ("unexpected argument"); its sandbox flag does the same job. */
export function translateFullAuto(argv: string[]): string[] {
  const i = argv.indexOf('--full-auto');
  if (i < 0) return argv;
  const rest = argv.filter((a) => a !== '--full-auto');
  if (hasAny(rest, ['-s', '--sandbox', '--dangerously-bypass-approvals-and-sandbox'])) return rest;
  return [...rest.slice(0, i), '-s', 'workspace-write', ...rest.slice(i)];
}

export const geminiBackend = make(
  'gemini',
  'gemini',
  (model, base, modelFlag) => {
    const argv = base === undefined ? ['gemini', '-p', PROMPT_TOKEN, '--yolo', '--skip-trust'] : geminiPrompt(base);
    return { argv: withFlag(argv, ['-m', '--model'], model, modelFlag), promptAsLastArg: !argv.includes(PROMPT_TOKEN), output: 'text' };
  },
  GEMINI_FAILURES,
  readGeminiLine,
);

/** A user's gemini command: the prompt goes right after a bare `-p`, and yolo needs `--skip-trust` to stick. */
function geminiPrompt(base: string[]): string[] {
  let argv = base;
  const p = argv.findIndex((a, i) => (a === '-p' || a === '--prompt') && (i === argv.length - 1 || (argv[i + 1] ?? '').startsWith('-')));
  if (p >= 0 && !argv.includes(PROMPT_TOKEN)) argv = [...argv.slice(0, p + 1), PROMPT_TOKEN, ...argv.slice(p + 1)];
  const yolo = hasAny(argv, ['-y', '--yolo']) || argv.some((a, i) => a === 'yolo' && argv[i - 1] === '--approval-mode');
  return yolo && !argv.includes('--skip-trust') ? [...argv, '--skip-trust'] : argv;
}

/** Any other backend name: its configured command as written, the prompt last (or at `{prompt}`). */
export function genericBackend(name: string, command?: string): Backend {
  const executable = command ? (splitCommand(command)[0] ?? name) : name;
  return make(
    name,
    executable,
    (_model, base) => {
      if (base === undefined) {
        throw new ConfigError(`backend "${name}" is not built in and has no command: set backends.${name}.command`, `backends.${name}.command`);
      }
      return { argv: base, promptAsLastArg: !base.includes(PROMPT_TOKEN), output: 'text' };
    },
    [],
  );
}

const BUILT_IN: Record<string, Backend> = { claude: claudeBackend, cursor: cursorBackend, codex: codexBackend, gemini: geminiBackend };

/** The Backend for a backend name; `command` names the generic backend's executable. */
export function backendNamed(name: string, command?: string): Backend {
  return BUILT_IN[name] ?? genericBackend(name, command);
}

/** The Backend that reads and classifies a worker's output, by `WorkerCommand.backend`. */
export function backendFor(name: string): Backend {
  return backendNamed(name);
}

/** Which built-in backend a command runs, by its executable (legacy `agents:` commands carry no backend name). */
export function backendOfCommand(command: string): string | undefined {
  const exe = (splitCommand(command)[0] ?? '').split('/').at(-1);
  const byExe: Record<string, string> = { claude: 'claude', agent: 'cursor', 'cursor-agent': 'cursor', codex: 'codex', gemini: 'gemini' };
  return exe ? byExe[exe] : undefined;
}
