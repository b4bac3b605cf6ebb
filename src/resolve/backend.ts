import type { StartFailure, Usage } from '../task/index.js';

/**
 * How to start one worker, built by the runner host from its own config. In `argv` the runner
 * replaces the token `{dir}` with the task's working directory (repo or worktree) and `{prompt}`
 * with the worker prompt; `promptAsLastArg` appends the prompt instead.
 */
export interface WorkerCommand {
  backend: string;
  /** The model id as configured (what the user asked for). */
  model: string;
  argv: string[];
  /** Variables to set; `unset` names are removed from the inherited environment. */
  env: Record<string, string>;
  unset: string[];
  promptAsLastArg: boolean;
  /** `stream-json` when argv asks claude for it; the runner then reads the real model id and activity. */
  output: 'text' | 'stream-json';
}

/** What a worker's output told us about it, line by line. */
export interface OutputSignal {
  /** The real model id the CLI reports (claude stream-json `system/init`). */
  model?: string;
  /** A short line for the status message: what the worker is doing right now. */
  activity?: string;
  /** A final result text (claude stream-json `result`). */
  result?: string;
  /** The CLI said it failed (e.g. `is_error: true`). */
  error?: string;
  /** What this worker has used in all, as the CLI reports it at the end of a run or turn. */
  usage?: Usage;
  /**
   * What one model call used (claude prints it with each assistant message, repeated for every
   * block of the same message): the running total is the sum over distinct `id`s until `usage` comes.
   */
  usageStep?: { id: string; usage: Usage };
}

/**
 * One agent CLI family. Pure: builds commands and reads output; the runner does the I/O.
 */
export interface Backend {
  readonly name: string;
  /** The executable this backend needs on PATH (`claude`, `agent`, `codex`, `gemini`, …). */
  readonly executable: string;
  /**
   * The worker command for `model`. `base` is the config's `backends.<name>.command` when set
   * (else the built-in one); `modelFlag: false` runs the base exactly, without a model flag.
   */
  command(model: string, base: string | undefined, modelFlag: boolean | undefined): WorkerCommand;
  /** Read one line of the worker's stdout (only meaningful for structured output). */
  readLine(line: string): OutputSignal;
  /** Recognise the CLI's own failure (missing, not logged in, bad flags) from its exit and output tail. */
  classifyFailure(exitCode: number | null, outputTail: string): StartFailure | undefined;
}
