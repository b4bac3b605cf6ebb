import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunnerHost, type RunnerHost } from '../../src/runner/index.js';
import { EventRecorder, TempDirs, backendFor, fakeCommandFor, fakeSpec, processRuns, uniqueId } from '../fixtures/fake-agent-support.js';

/**
 * Two runner hosts on one machine often share a DISPATCH_HOME (systemd template units, a compose
 * volume). Each keeps the records of its own workers; starting or restarting one never touches
 * the other's workers.
 */
describe('runner hosts sharing one DISPATCH_HOME', () => {
  const temp = new TempDirs();
  const hosts: RunnerHost[] = [];
  const sweeps: { home: string; runnerId: string }[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.close({ killWorkers: true });
    // Whatever a failed test left running: each runner's recorded workers go.
    for (const { home, runnerId } of sweeps.splice(0)) {
      const sweeper = createRunnerHost({ home, runnerId, backendFor, commandFor: fakeCommandFor(), concurrency: 1, perBackend: {}, killGraceMs: 100 });
      await sweeper.reapOrphans([]);
      await sweeper.close();
    }
    temp.removeAll();
  });

  function setup() {
    const home = temp.make('home');
    const repo = temp.repo();
    const open = (runnerId: string) => {
      sweeps.push({ home, runnerId });
      const host = createRunnerHost({ home, runnerId, backendFor, commandFor: fakeCommandFor(), concurrency: 4, perBackend: {}, killGraceMs: 300, pollMs: 100 });
      hosts.push(host);
      const events = new EventRecorder();
      host.subscribe(events.listener);
      return { host, events };
    };
    const spec = (stem: string, goal: string) => fakeSpec({ id: uniqueId(stem), goal, repo, worktree: true });
    return { home, open, spec };
  }

  it("starting a second runner never signals the first one's workers", async () => {
    const { home, open, spec } = setup();
    const first = open('r1');
    const task = spec('r1-task', 'Keep going fake:items=2 fake:ask=Which region?');
    await first.host.submit(task);
    const started = await first.events.next(task.id, 'started');
    await first.events.next(task.id, 'question');

    // What a runner does on start: reap whatever of its own it no longer knows.
    const second = open('r2');
    expect(await second.host.reapOrphans([])).toEqual([]);
    expect(processRuns(started.pid)).toBe(true);
    expect(existsSync(join(home, 'workers', 'r1', `${task.id}.json`))).toBe(true);

    // The first runner's worker is still its own: the answer reaches it and it finishes there.
    await first.host.answer(task.id, '001', 'eu-west');
    const finished = await first.events.finished(task.id);
    expect(finished.state).toBe('done');
    expect(finished.summary).toContain('Answer to 001: eu-west');
    expect(second.events.events).toHaveLength(0);
  });

  it("a restarted runner re-adopts its own live workers and reaps only its own orphans, leaving the other runner's", async () => {
    const { open, spec } = setup();
    const r1 = open('r1');
    const r2 = open('r2');
    const kept = spec('r1-kept', 'Stay fake:items=2 fake:ask=Proceed?');
    const orphan = spec('r1-orphan', 'Linger fake:hang');
    const other = spec('r2-task', 'Elsewhere fake:hang');
    await r1.host.submit(kept);
    await r1.host.submit(orphan);
    await r2.host.submit(other);
    const keptStarted = await r1.events.next(kept.id, 'started');
    const orphanStarted = await r1.events.next(orphan.id, 'started');
    const otherStarted = await r2.events.next(other.id, 'started');
    await r1.events.next(kept.id, 'question');
    await r1.events.next(orphan.id, 'plan');
    await r1.host.close();

    const again = open('r1');
    expect(await again.host.reapOrphans([kept.id])).toEqual([orphan.id]);
    expect(processRuns(orphanStarted.pid)).toBe(false);
    expect(processRuns(otherStarted.pid)).toBe(true);
    expect(processRuns(keptStarted.pid)).toBe(true);

    await again.host.recover([{ spec: kept }]);
    expect((await again.events.next(kept.id, 'question')).text).toBe('Proceed?');
    await again.host.answer(kept.id, '001', 'yes');
    expect((await again.events.finished(kept.id)).state).toBe('done');
    expect(processRuns(otherStarted.pid)).toBe(true);
    expect(r2.events.of(other.id, 'finished')).toHaveLength(0);
  });

  it('the flat layout of earlier versions (workers/<task>.json) is taken over by the single-process runner: known workers re-adopted, unknown ones reaped', async () => {
    const { home, open, spec } = setup();
    const before = open('local');
    const known = spec('flat-known', 'Stay fake:items=2 fake:ask=Go on?');
    const unknown = spec('flat-unknown', 'Linger fake:hang');
    await before.host.submit(known);
    await before.host.submit(unknown);
    const knownStarted = await before.events.next(known.id, 'started');
    const unknownStarted = await before.events.next(unknown.id, 'started');
    await before.events.next(known.id, 'question');
    await before.events.next(unknown.id, 'plan');
    await before.host.close();
    // What an earlier version left behind: the same records, one directory up.
    for (const id of [known.id, unknown.id]) renameSync(join(home, 'workers', 'local', `${id}.json`), join(home, 'workers', `${id}.json`));

    const elsewhere = open('r9');
    expect(await elsewhere.host.reapOrphans([])).toEqual([]);
    expect(processRuns(unknownStarted.pid)).toBe(true);

    const after = open('local');
    expect(await after.host.reapOrphans([known.id])).toEqual([unknown.id]);
    expect(processRuns(unknownStarted.pid)).toBe(false);
    expect(existsSync(join(home, 'workers', `${unknown.id}.json`))).toBe(false);
    expect(existsSync(join(home, 'workers', 'local', `${known.id}.json`))).toBe(true);
    await after.host.recover([{ spec: known }]);
    await after.events.next(known.id, 'question');
    await after.host.answer(known.id, '001', 'yes');
    expect((await after.events.finished(known.id)).state).toBe('done');
    expect(processRuns(knownStarted.pid)).toBe(false);
  });
});
