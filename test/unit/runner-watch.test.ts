import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { taskPaths } from '../../src/runner/paths.js';
import { TaskWatcher } from '../../src/runner/watcher.js';
import { LogFollower } from '../../src/runner/log.js';
import type { TaskEvent } from '../../src/task/index.js';
import { backendFor } from '../fixtures/fake-agent-support.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function watcherOn(): { plan: string; ipc: string; events: TaskEvent[]; watcher: TaskWatcher } {
  const root = mkdtempSync(join(tmpdir(), 'dispatch-watch-'));
  roots.push(root);
  const paths = taskPaths(root, 't1');
  mkdirSync(paths.ipc, { recursive: true });
  const events: TaskEvent[] = [];
  // No fs.watch help: only explicit scans, so the test sees what one look at the files finds.
  const watcher = new TaskWatcher({ taskId: 't1', paths, backend: backendFor('claude'), pollMs: 3_600_000, emit: (e) => events.push(e) });
  return { plan: paths.plan, ipc: paths.ipc, events, watcher };
}

/** One clock tick, as the file system records it: whole seconds, just ahead of now. */
const TICK = Math.ceil(Date.now() / 1000) + 1;

/** Give `path` the tick's times, as two writes within one tick of the kernel's coarse clock would. */
function inTheTick(path: string): void {
  utimesSync(path, TICK, TICK);
}

describe('the runner watching a worker\'s files', () => {
  it('sees a checklist mark written in the same clock tick as the plan it changes (same size, same mtime)', async () => {
    const { plan, events, watcher } = watcherOn();
    writeFileSync(plan, '- [ ] Read the auth module\n');
    inTheTick(plan);
    await watcher.scan();
    const seen = statSync(plan);
    writeFileSync(plan, '- [x] Read the auth module\n');
    inTheTick(plan);
    expect([statSync(plan).size, statSync(plan).mtimeMs, statSync(plan).ino]).toEqual([seen.size, seen.mtimeMs, seen.ino]);
    await watcher.scan();
    const plans = events.filter((e) => e.type === 'plan');
    expect(plans.at(-1)).toMatchObject({ items: [{ text: 'Read the auth module', mark: 'done' }] });
  });

  it('hands on what one look at the files found together: a plan mark with the output and usage that came with it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dispatch-watch-'));
    roots.push(root);
    const paths = taskPaths(root, 't1');
    mkdirSync(paths.ipc, { recursive: true });
    const log = join(root, 'worker.log');
    writeFileSync(log, '');
    // Events handed on in one run of code share a turn; an await in between starts a new one.
    const seen: { type: string; turn: number }[] = [];
    let turn = 0;
    let closing = false;
    const emit = (event: TaskEvent): void => {
      seen.push({ type: event.type, turn });
      if (closing) return;
      closing = true;
      queueMicrotask(() => {
        turn += 1;
        closing = false;
      });
    };
    const watcher = new TaskWatcher({ taskId: 't1', paths, backend: backendFor('claude'), pollMs: 3_600_000, log: new LogFollower(log, 0), emit });
    writeFileSync(paths.plan, '- [x] Read the auth module\n- [ ] Fix the token check\n');
    const message = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-opus', content: [{ type: 'text', text: 'Fixing the token check' }], usage: { input_tokens: 900, output_tokens: 40 } };
    writeFileSync(log, `${JSON.stringify({ type: 'assistant', message })}\n`);
    await watcher.scan();
    expect(seen.map((e) => e.type)).toEqual(['plan', 'usage', 'activity']);
    expect(new Set(seen.map((e) => e.turn)).size).toBe(1);
  });

  it('sees a second question written in the same clock tick as the first', async () => {
    const { ipc, events, watcher } = watcherOn();
    writeFileSync(join(ipc, '001.question'), 'Kafka or SQS?');
    inTheTick(ipc);
    await watcher.scan();
    const seen = statSync(ipc);
    writeFileSync(join(ipc, '002.question'), 'Which region?');
    inTheTick(ipc);
    expect([statSync(ipc).size, statSync(ipc).mtimeMs]).toEqual([seen.size, seen.mtimeMs]);
    await watcher.scan();
    expect(events.filter((e) => e.type === 'question').map((e) => e.type === 'question' && e.text)).toEqual(['Kafka or SQS?', 'Which region?']);
  });
});
