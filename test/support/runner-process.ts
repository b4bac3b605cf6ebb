import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/dispatch-bot.js', import.meta.url));

export interface RunnerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** Resolves once the runner serves the queue. */
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  /** What it wrote to stderr so far. */
  log(): string;
}

/** `dispatch-bot runner` as its own process, under `id` (DISPATCH_RUNNER_ID). */
export function startRunnerProcess(env: NodeJS.ProcessEnv, id: string): RunnerProcess {
  const child = spawn(process.execPath, [BIN, 'runner'], { env: { ...env, DISPATCH_RUNNER_ID: id }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      if (err.includes('serving the queue')) resolve();
    });
    void exited.then((code) => reject(new Error(`runner ${id} exited ${code}: ${err}`)));
  });
  ready.catch(() => undefined);
  return { id, child, ready, exited, log: () => err };
}
