import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { ManualClock } from '../support/manual-clock.js';
import { Stack } from '../support/stack.js';

const DAY = 86_400_000;
const CONFIG = `default: opus
models:
  opus: { backend: claude }
access:
  admin: [alice]
  dispatch: [alice, bob]
`;

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Dispatch one task and return its id. */
async function dispatch(s: Stack, text: string): Promise<string> {
  const before = new Set((await s.app.store.listTasks()).map((t) => t.id));
  await s.say(text);
  const task = (await s.app.store.listTasks()).find((t) => !before.has(t.id));
  if (!task) throw new Error(`nothing dispatched for: ${text}`);
  return task.id;
}

/** Wait until the task has finished and its final status has landed (only then may it go). */
async function finished(s: Stack, id: string): Promise<void> {
  await until(s, `${id} finished and shown`, async () => {
    const task = await s.app.store.getTask(id);
    return task?.finishedAt !== undefined && task.finalEditPending !== true;
  });
}

function until<T>(s: Stack, what: string, check: () => T | Promise<T>): Promise<T> {
  return eventually(what, check, { explain: () => s.logs.join('\n') });
}

function filesOf(s: Stack, id: string): { log: string; folder: string } {
  return { log: join(s.home, 'logs', `${id}.log`), folder: join(s.repo, '.dispatch', 'tasks', id) };
}

const kept = (s: Stack, id: string): boolean => existsSync(filesOf(s, id).log) && existsSync(filesOf(s, id).folder);
const gone = (s: Stack, id: string): boolean => !existsSync(filesOf(s, id).log) && !existsSync(filesOf(s, id).folder);

describe('retention: finished tasks older than limits.retention are removed with their files', () => {
  it('`cleanup` (admins) removes tasks finished 31 days ago and says what it removed; a recent task and a running one stay', async () => {
    const clock = new ManualClock();
    const s = (stack = await Stack.start({ config: CONFIG, clock }));
    const done = await dispatch(s, 'use opus to tidy the docs fake:items=2');
    const failed = await dispatch(s, 'use opus to fix the flaky build fake:items=2 fake:fail=3');
    for (const id of [done, failed]) await finished(s, id);
    expect((await s.app.store.getTask(failed))?.state).toBe('failed');
    const running = await dispatch(s, 'use opus to watch the queue fake:hang');
    await until(s, `${running} running`, async () => (await s.app.store.getTask(running))?.state === 'running');

    clock.advance(31 * DAY);
    const recent = await dispatch(s, 'use opus to write the changelog fake:items=1');
    await finished(s, recent);
    for (const id of [done, failed, recent, running]) expect(kept(s, id), id).toBe(true);

    await s.say('cleanup', 'bob');
    await s.waitForEphemeral(/^Only admins \(.*\) can remove old finished tasks\.$/, 'bob');
    expect(await s.app.store.hasTask(done)).toBe(true);

    await s.say('cleanup');
    const reply = await s.waitFor(/^Removed 2 finished tasks older than 30 days \(2 logs, 2 task folders, \d+(\.\d)? [KM]B\)\.$/);
    expect(reply.reply.text).not.toMatch(/ 0 KB/);
    for (const id of [done, failed]) {
      expect(await s.app.store.getTask(id), id).toBeUndefined();
      expect(gone(s, id), id).toBe(true);
    }
    expect((await s.app.store.listTasks()).map((t) => t.id).sort()).toEqual([recent, running].sort());
    for (const id of [recent, running]) expect(kept(s, id), id).toBe(true);
    expect((await s.app.store.getTask(running))?.state).toBe('running');

    await s.say('cleanup');
    await s.waitFor(/^Nothing older than 30 days to remove\.$/);
  });

  it('sweeps at start-up and then hourly without a command, by the clock', async () => {
    const clock = new ManualClock();
    const s = (stack = await Stack.start({ config: CONFIG, clock }));
    const old = await dispatch(s, 'use opus to tidy the docs fake:items=1');
    await finished(s, old);
    clock.advance(31 * DAY);
    await s.restart();
    await until(s, `${old} removed at start-up`, async () => !(await s.app.store.hasTask(old)) && gone(s, old));

    const later = await dispatch(s, 'use opus to write the changelog fake:items=1');
    await finished(s, later);
    clock.advance(31 * DAY);
    // Each hour of the clock that passes brings a sweep (the next is set once the last is done).
    await until(s, `${later} removed by the hourly sweep`, async () => {
      clock.advance(60 * 60_000);
      return !(await s.app.store.hasTask(later)) && gone(s, later);
    });
    expect(s.logs.filter((l) => l.startsWith('retention:'))).toEqual([
      expect.stringMatching(/^retention: Removed 1 finished task older than 30 days \(1 log, 1 task folder, /),
      expect.stringMatching(/^retention: Removed 1 finished task older than 30 days \(1 log, 1 task folder, /),
    ]);
  });

  it('keeps everything with limits.retention: off', async () => {
    const clock = new ManualClock();
    const s = (stack = await Stack.start({ config: `${CONFIG}limits:\n  retention: off\n`, clock }));
    const old = await dispatch(s, 'use opus to tidy the docs fake:items=1');
    await finished(s, old);
    clock.advance(400 * DAY);
    await s.say('cleanup');
    await s.waitFor(/kept for ever/);
    expect(await s.app.store.hasTask(old)).toBe(true);
    expect(kept(s, old)).toBe(true);
  });
});
