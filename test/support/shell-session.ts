import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from './eventually.js';

const BIN = fileURLToPath(new URL('../../bin/dispatch-bot.js', import.meta.url));

/**
 * `dispatch-bot shell` as a real child process with piped stdin/stdout: write lines like a person
 * would, wait for what the bot prints.
 */
export class ShellSession {
  readonly child: ChildProcessWithoutNullStreams;
  output = '';
  errors = '';
  readonly exited: Promise<number | null>;

  /** `terminal`: run it in a real terminal (util-linux `script`), where Ctrl-C is the terminal's own. */
  constructor(opts: { cwd: string; env: NodeJS.ProcessEnv; args?: string[]; terminal?: boolean }) {
    const argv = [process.execPath, BIN, 'shell', ...(opts.args ?? [])];
    const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
    this.child = opts.terminal
      ? // `script -c` runs the command through $SHELL; `exec` leaves the bot alone in the terminal's
        // foreground group. Without it a dash in between also gets the Ctrl-C and, unlike bash,
        // kills itself with SIGINT once the bot has exited (exit 130 whatever the bot returned).
        spawn('script', ['-qfec', `exec ${argv.map(quote).join(' ')}`, '/dev/null'], { cwd: opts.cwd, env: opts.env })
      : spawn(argv[0] as string, argv.slice(1), { cwd: opts.cwd, env: opts.env });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.errors += chunk));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  say(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Keys as typed, e.g. `\u0003` for Ctrl-C in a terminal. */
  type(keys: string): void {
    this.child.stdin.write(keys);
  }

  end(): void {
    this.child.stdin.end();
  }

  /** Resolves with the output once `pattern` appears in it (after `from`, an index in the output). */
  async waitFor(pattern: RegExp | string, timeoutMs = 25_000, from = 0): Promise<string> {
    const test = (text: string) => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));
    const explain = (): string => `--- stdout ---\n${this.output}\n--- stderr ---\n${this.errors}`;
    await eventually(String(pattern), () => test(this.output.slice(from)), { timeoutMs, explain });
    return this.output;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }
}
