/**
 * The dispatcher's event path alone: `tasks` tasks, each reporting `lines` plan lines (a plan, an
 * activity and a usage event a line, the way a runner host reports a checked-off item), through
 * the real Dispatcher and SQLite store to a recording chat surface. Each task's three events of a
 * line arrive together; tasks take turns, a turn of the event loop apart. Prints the CPU the
 * bot's process spent per event and the store writes per event.
 *
 *   node bin/run-ts.js bench/event-path.ts [tasks=100] [lines=30]
 */
import { pathToFileURL } from 'node:url';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { TaskEvent } from '../src/task/index.js';
import { systemClock } from '../src/util/clock.js';
import { ScriptedBot } from '../test/support/scripted-runner.js';

const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude, price: { input: 3, output: 15 } }\n';

function lineEvents(taskId: string, done: number, lines: number): TaskEvent[] {
  const items = Array.from({ length: lines }, (_, i) => ({ text: `step ${i + 1} of the plan`, mark: i < done ? ('done' as const) : ('pending' as const) }));
  return [
    { type: 'plan', taskId, items },
    { type: 'activity', taskId, text: `Editing src/module-${done}.ts` },
    { type: 'usage', taskId, usage: { inputTokens: 12_000 * done, outputTokens: 900 * done } },
  ];
}

export async function runEventPathBench(tasks = 100, lines = 30): Promise<void> {
  const ids = Array.from({ length: tasks }, (_, i) => `task-${i}`);
  const [first = 'task-0', ...rest] = ids;
  const bot = await ScriptedBot.open(CONFIG, systemClock, { id: first });
  try {
    for (const id of rest) await bot.addTask(Date.now(), { id });
    for (const id of ids) bot.runner.emit({ type: 'started', taskId: id, pid: 1, dir: `/tmp/${id}` });
    await bot.dispatcher.settled('shell', () => false);
    const writesBefore = bot.writes();
    const cpu = process.cpuUsage();
    const started = performance.now();
    let events = 0;
    for (let done = 1; done <= lines; done += 1) {
      for (const id of ids) {
        for (const event of lineEvents(id, done, lines)) bot.runner.emit(event);
        events += 3;
        await nextTurn();
      }
    }
    for (const id of ids) bot.runner.emit({ type: 'finished', taskId: id, state: 'done', summary: 'done' });
    events += tasks;
    await bot.dispatcher.settled('shell');
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const writes = bot.writes() - writesBefore;
    console.log(`${tasks} tasks × ${lines} plan lines: ${events} events in ${(performance.now() - started).toFixed(0)} ms`);
    console.log(`CPU per event          ${((cpuMs * 1000) / events).toFixed(0)} µs  (${cpuMs.toFixed(0)} ms in all)`);
    console.log(`store writes per event ${(writes / events).toFixed(2)}  (${writes} writes)`);
  } finally {
    await bot.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [tasks, lines] = process.argv.slice(2).map(Number);
  await runEventPathBench(tasks || 100, lines || 30);
}
