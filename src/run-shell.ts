import { createShellSurface, runShell, SHELL_CHANNEL, type ShellSurface } from '../adapters/shell/index.js';
import type { Inbound } from './chat/inbound.js';
import { createApp, type App } from './app.js';
import { renderStatusLine } from './dispatcher/render.js';
import type { TaskRecord } from './store/records.js';

export interface ShellRun {
  /** Who is speaking. */
  user: string;
  /** The repository tasks work on by default. */
  repo: string;
  /** The command that starts the bot again the way the user started it (`npm start`, `dispatch-bot shell`). */
  again: string;
}

/** The choice Ctrl-C offers; handled here, never by the dispatcher. */

/** `dispatch-bot shell`: the terminal (or a pipe) as a chat surface. */
export async function runShellSurface(env: NodeJS.ProcessEnv, run: ShellRun): Promise<number> {
  const interactive = Boolean(process.stdin.isTTY);
  const since = Date.now();
  const inherited = new Set<string>();
  const app = await createApp({ env, cwd: run.repo });
  const surface = createShellSurface(process.stdout, interactive);
  // The terminal has no rate limit worth the name; coalescing still collapses bursts of plan edits.
  app.attach(surface, 600, { minIntervalMs: 250 });
  await app.recover();
  // Tasks a killed earlier session left running are this session's to see through, too.
  for (const task of await app.store.listTasks({ surface: 'shell', active: true })) inherited.add(task.id);
  if (interactive) process.stdout.write(`dispatch-bot shell: you are ${run.user}, working on ${run.repo}. Type a request, "status", or Ctrl-D to quit.\n`);
  const quit = new AbortController();
  const interrupt = interrupter(app, surface, run, interactive, quit);
  process.on('SIGINT', interrupt.onSigint);
  let code = 0;
  try {
    await runShell(surface, {
      input: process.stdin,
      output: process.stdout,
      user: run.user,
      interactive,
      quit: quit.signal,
      onInbound: (inbound) => (interrupt.owns(inbound) ? interrupt.choose(inbound) : app.dispatcher.handle(inbound)),
      onEnd: async () => {
        // Ctrl-C while piped input waits for its tasks: they keep running, the shell goes.
        const stopped = new Promise<undefined>((resolve) => quit.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
        const tasks = await Promise.race([app.dispatcher.settled('shell', (t) => t.createdAt >= since || inherited.has(t.id)), stopped]);
        if (!tasks) return;
        await app.flush();
        if (tasks.length > 0) {
          const now = Date.now();
          process.stdout.write(`\nFinal state:\n${tasks.map((t) => `  ${renderStatusLine(t, now)}`).join('\n')}\n`);
        }
        code = await unanswered(app, run, since);
      },
    });
  } finally {
    process.off('SIGINT', interrupt.onSigint);
  }
  await app.close();
  // Reading stopped on a quit; the terminal must not hold the process open.
  if (quit.signal.aborted) process.stdin.destroy();
  return code;
}

/**
 * A prompt still waiting when piped input ends (a first run's default, a confirm) cannot be
 * answered any more: say how to answer it next time, and exit 1 (nothing was dispatched).
 */
async function unanswered(app: App, run: ShellRun, since: number): Promise<number> {
  const waiting = (await app.store.listPending()).filter((p) => p.where.surface === 'shell' && p.requester === run.user && p.createdAt >= since);
  if (waiting.length === 0) return 0;
  const what = waiting.some((p) => p.purpose === 'first-run') ? 'the default model' : 'a choice';
  process.stdout.write(
    `\nThe input ended while the bot was waiting for ${what} (above); nothing was dispatched for it.\n` +
      `Answer on the line after the request, e.g. printf 'fix the flaky test\\n1\\n' | ${run.again}, or run ${run.again} in a terminal.\n`,
  );
  return 1;
}

/** Ctrl-C: say what keeps running, and ask before cancelling anything (a second Ctrl-C just quits). */
function interrupter(app: App, surface: ShellSurface, run: ShellRun, interactive: boolean, quit: AbortController) {
  let asked = false;
  const running = async (): Promise<TaskRecord[]> => app.store.listTasks({ surface: 'shell', active: true });
  const keepRunning = (tasks: TaskRecord[]): string => {
    const they = tasks.length === 1 ? 'task keeps' : 'tasks keep';
    return `${tasks.length} ${they} running (${tasks.map((t) => t.id).join(', ')}); \`${run.again}\` picks ${tasks.length === 1 ? 'it' : 'them'} up again.`;
  };
  const leave = async (): Promise<void> => {
    const tasks = await running();
    if (tasks.length > 0) process.stdout.write(`\n${keepRunning(tasks)}\n`);
    quit.abort();
  };
  return {
    onSigint: (): void => {
      void (async () => {
        const tasks = await running();
        if (tasks.length === 0 || asked || !interactive) return leave();
        asked = true;
        const them = tasks.length === 1 ? 'it' : 'them';
        await surface.post(
          { channel: SHELL_CHANNEL },
          {
            text: `\n${keepRunning(tasks)}\nQuit now?`,
            buttons: [
              { action: { type: 'quit', choice: 'leave' }, label: `Quit, ${them} keep${tasks.length === 1 ? 's' : ''} running` },
              { action: { type: 'quit', choice: 'cancel' }, label: `Cancel ${them} and quit` },
              { action: { type: 'quit', choice: 'stay' }, label: 'Stay' },
            ],
          },
        );
      })();
    },
    owns: (inbound: Inbound): boolean => inbound.kind === 'action' && inbound.action.type === 'quit',
    async choose(inbound: Inbound): Promise<void> {
      asked = false;
      const value = inbound.kind === 'action' && inbound.action.type === 'quit' ? inbound.action.choice : 'stay';
      if (value === 'stay') return;
      if (value === 'cancel') {
        const ids = new Set((await running()).map((t) => t.id));
        for (const id of ids) await app.queue.cancel(id);
        await app.dispatcher.settled('shell', (t) => ids.has(t.id));
        await app.flush();
        quit.abort();
        return;
      }
      await leave();
    },
  };
}
