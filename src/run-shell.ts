import { createShellSurface, runShell } from '../adapters/shell/index.js';
import { createApp } from './app.js';
import { renderStatusLine } from './dispatcher/render.js';

export interface ShellRun {
  /** Who is speaking. */
  user: string;
  /** The repository tasks work on by default. */
  repo: string;
  /** The command that starts the bot again the way the user started it (`npm start`, `dispatch-bot shell`). */
  again: string;
}

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
  await runShell(surface, {
    input: process.stdin,
    output: process.stdout,
    user: run.user,
    interactive,
    onInbound: (inbound) => app.dispatcher.handle(inbound),
    onEnd: async () => {
      const tasks = await app.dispatcher.settled('shell', (t) => t.createdAt >= since || inherited.has(t.id));
      await app.flush();
      if (tasks.length > 0) {
        const now = Date.now();
        process.stdout.write(`\nFinal state:\n${tasks.map((t) => `  ${renderStatusLine(t, now)}`).join('\n')}\n`);
      }
    },
  });
  await app.close();
  return 0;
}
