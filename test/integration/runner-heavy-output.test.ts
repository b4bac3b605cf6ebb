import { readFileSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/resolve/backend.js';
import { LOG_LINE_CHARS, LOG_MAX_BYTES } from '../../src/runner/log.js';
import { createRunnerHost, logPath, type RunnerHost } from '../../src/runner/index.js';
import { PLAN_ITEMS_KEPT } from '../../src/task/index.js';
import { recordFault } from '../support/figures.js';
import { EventRecorder, TempDirs, backendFor, fakeCommandFor, fakeSpec, uniqueId } from '../fixtures/fake-agent-support.js';

describe('runner host: a worker cannot exhaust the bot', () => {
  const temp = new TempDirs();
  const hosts: RunnerHost[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.close({ killWorkers: true });
    temp.removeAll();
  });

  function setup() {
    const home = temp.make('home');
    let longestLine = 0;
    // The real backends, watched: how long is the longest line the bot ever holds and parses?
    const measuring = (name: string): Backend => {
      const real = backendFor(name);
      return {
        ...real,
        readLine: (line) => {
          longestLine = Math.max(longestLine, line.length);
          return real.readLine(line);
        },
      };
    };
    const host = createRunnerHost({ home, backendFor: measuring, commandFor: fakeCommandFor(), concurrency: 2, perBackend: {}, killGraceMs: 300 });
    hosts.push(host);
    const events = new EventRecorder();
    host.subscribe(events.listener);
    return { home, host, events, repo: temp.repo(), longestLine: () => longestLine };
  }

  it('a 40 MB single-line stdout: the log is cut back, no line past the cap is held, the task still finishes', async (context) => {
    const { home, host, events, repo, longestLine } = setup();
    const task = fakeSpec({ id: uniqueId('flood'), goal: 'Print a lot fake:flood=40 fake:items=2', repo, backend: 'claude' });
    await host.submit(task);
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('done');
    expect(statSync(logPath(home, task.id)).size).toBeLessThanOrEqual(LOG_MAX_BYTES);
    expect(readFileSync(logPath(home, task.id), 'utf8')).toMatch(/log cut back: it reached \d+\.\d MB/);
    expect(longestLine()).toBeGreaterThan(0);
    expect(longestLine()).toBeLessThanOrEqual(LOG_LINE_CHARS);
    // The model the CLI reported after the flood is still read.
    expect(events.of(task.id, 'model').at(-1)?.model).toBe('claude-opus-4-6');
    const tail = await host.logs(task.id, 40);
    expect(tail.length).toBeLessThan(40 * 2002);
    recordFault(context, [events.of(task.id, 'finished').length]);
  });

  it('a plan of 216,263 items: the first items are kept, every one is counted', async (context) => {
    const { host, events, repo } = setup();
    const task = fakeSpec({ id: uniqueId('bigplan'), goal: 'List every file fake:bigplan=216263', repo });
    await host.submit(task);
    await events.finished(task.id);
    const plans = events.of(task.id, 'plan');
    const last = plans.at(-1);
    expect(last?.items).toHaveLength(PLAN_ITEMS_KEPT);
    expect(last).toMatchObject({ total: 216_263, done: 216_263 });
    for (const plan of plans) expect(plan.items.length).toBeLessThanOrEqual(PLAN_ITEMS_KEPT);
    recordFault(context, [events.of(task.id, 'finished').length]);
  });
});
