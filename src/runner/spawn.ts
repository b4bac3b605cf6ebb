import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import type { WorkerCommand } from '../resolve/backend.js';
import { secretNames } from '../resolve/secrets.js';
import { procInfo } from './proc.js';
import { messageOf } from '../errors/index.js';

/** Env name carrying a per-worker token: descendants inherit it, so /proc finds them all. */
export const WORKER_MARKER_ENV = 'DISPATCH_WORKER';
/** Lines the runner writes into a worker's log start with this; they are not worker output. */
export const LOG_NOTE_PREFIX = '[dispatch] ';

export interface WorkerExit {
  exitCode: number | null;
  signal?: string;
  /** The CLI could not be started at all (`ENOENT`: not on PATH). */
  spawnError?: string;
}

export interface SpawnedWorker {
  pid: number;
  /** The worker leads its own process group (detached), so the group id is its pid. */
  pgid: number;
  startTicks?: number;
  marker: string;
  exited: Promise<WorkerExit>;
  /** Let this process exit while the worker runs on (the host is being closed, not the task). */
  unref: () => void;
}

/** Fill `{dir}`/`{prompt}`; append the prompt when asked and not already placed by a token. */
export function workerArgv(command: WorkerCommand, dir: string, prompt: string): string[] {
  const hasPromptToken = command.argv.some((a) => a.includes('{prompt}'));
  const argv = command.argv.map((a) => a.replaceAll('{dir}', dir).replaceAll('{prompt}', prompt));
  if (command.promptAsLastArg && !hasPromptToken) argv.push(prompt);
  return argv;
}

/**
 * The worker's environment: this host's own, less its secrets (judged by this host's env, not by
 * whoever built the command) and what the command unsets, plus what the command sets.
 */
export function workerEnv(command: WorkerCommand, base: NodeJS.ProcessEnv, taskId: string, marker: string): Record<string, string> {
  const env: Record<string, string> = {};
  const unset = new Set([...command.unset, ...secretNames(base)]);
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !unset.has(k)) env[k] = v;
  Object.assign(env, command.env);
  env.DISPATCH_TASK_ID = taskId;
  env[WORKER_MARKER_ENV] = marker.slice(WORKER_MARKER_ENV.length + 1);
  return env;
}

export function appendLogNote(logFile: string, text: string): void {
  const fd = openLog(logFile);
  try {
    writeNote(fd, text);
  } finally {
    closeSync(fd);
  }
}

function openLog(logFile: string): number {
  mkdirSync(dirname(logFile), { recursive: true });
  return openSync(logFile, 'a');
}

function writeNote(fd: number, text: string): void {
  writeSync(fd, `${LOG_NOTE_PREFIX}${new Date().toISOString()} ${text}\n`);
}

/**
 * Start the worker detached in its own process group, stdin closed (codex reads it otherwise),
 * stdout and stderr straight into the task's log file: no pipe ties the worker to this process,
 * so it outlives a bot restart and is adopted again. Node's own spawn, not execa: nothing is
 * captured, and execa's setup cost a launch milliseconds.
 */
export async function spawnWorker(
  command: WorkerCommand,
  dir: string,
  prompt: string,
  logFile: string,
  taskId: string,
  baseEnv: NodeJS.ProcessEnv = process.env,
): Promise<SpawnedWorker | WorkerExit> {
  const [file, ...args] = workerArgv(command, dir, prompt);
  if (file === undefined) return { exitCode: null, spawnError: 'empty command' };
  const marker = `${WORKER_MARKER_ENV}=${taskId}-${randomBytes(6).toString('hex')}`;
  // One opening of the log for the note and the worker's output.
  const fd = openLog(logFile);
  let child: ChildProcess;
  try {
    writeNote(fd, `starting ${file} in ${dir}`);
    const env = workerEnv(command, baseEnv, taskId, marker);
    child = spawn(file, args, { cwd: dir, env, stdio: ['ignore', fd, fd], detached: true });
  } catch (error) {
    // Refused before a process existed (an argument with a NUL byte, say).
    return { exitCode: null, spawnError: errorCode(error) };
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<WorkerExit>((resolve) => {
    // Listened to for good: an 'error' nobody listens to would crash the bot.
    child.on('error', (error) => {
      // No process was started (`ENOENT`: not on PATH); a started one ends with 'exit'.
      if (child.pid === undefined) resolve({ exitCode: null, spawnError: errorCode(error) });
    });
    child.once('exit', (code, signal) => resolve({ exitCode: code, ...(signal ? { signal } : {}) }));
  });
  if (child.pid === undefined) return await exited;
  const info = await procInfo(child.pid);
  return { pid: child.pid, pgid: child.pid, ...(info ? { startTicks: info.startTicks } : {}), marker, exited, unref: () => child.unref() };
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ?? messageOf(error);
}
