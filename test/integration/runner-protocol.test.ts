import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunnerHost, taskPaths, type RunnerHost } from '../../src/runner/index.js';
import { EventRecorder, TempDirs, agentStarts, backendFor, fakeCommandFor, fakeSpec, uniqueId, type FakeSpecOptions } from '../fixtures/fake-agent-support.js';

describe('runner host: the plan and question protocol with a real worker process', () => {
  const temp = new TempDirs();
  const hosts: RunnerHost[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.close({ killWorkers: true });
    temp.removeAll();
  });

  function setup() {
    const home = temp.make('home');
    const agentLog = join(home, 'agent-starts.jsonl');
    const host = createRunnerHost({ home, backendFor, commandFor: fakeCommandFor(agentLog), concurrency: 4, perBackend: {}, killGraceMs: 300 });
    hosts.push(host);
    const events = new EventRecorder();
    host.subscribe(events.listener);
    const repo = temp.repo();
    const spec = (stem: string, goal: string, more: Partial<FakeSpecOptions> = {}) => fakeSpec({ id: uniqueId(stem), goal, repo, ...more });
    return { host, events, repo, agentLog, spec };
  }

  it('an answered question lets the same worker continue to the end', async () => {
    const { host, events, agentLog, spec } = setup();
    const task = spec('db', 'Add persistence fake:items=3 fake:ask=Which database?');
    await host.submit(task);
    const started = await events.next(task.id, 'started');
    await events.next(task.id, 'question');
    await host.answer(task.id, '001', 'SQLite');
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('done');
    expect(finished.summary).toContain('Answer to 001: SQLite');
    const starts = agentStarts(agentLog);
    expect(starts).toHaveLength(1);
    expect(starts[0]?.pid).toBe(started.pid);
    const paths = taskPaths(task.repo.path, task.id);
    expect(readFileSync(join(paths.ipc, '001.answer'), 'utf8')).toBe('SQLite\n');
    expect(existsSync(join(paths.ipc, '001.done'))).toBe(true);
    expect(existsSync(paths.done)).toBe(true);
  });

  it('a worker that gave up ([?]) is followed, after the answer, by a successor that reads context.md', async () => {
    const { host, events, agentLog, spec } = setup();
    const task = spec('giveup', 'Migrate the schema fake:items=3 fake:ask=Keep the old columns? fake:giveup fake:wait=150');
    await host.submit(task);
    const question = await events.next(task.id, 'question');
    const gaveUp = await events.next(task.id, 'gave-up');
    expect(gaveUp.seq).toBe(question.seq);
    const blocked = events.of(task.id, 'plan').at(-1)?.items.find((i) => i.mark === 'blocked');
    expect(blocked?.note).toContain('Waiting for an answer to 001');
    expect(readFileSync(taskPaths(task.repo.path, task.id).context, 'utf8')).toContain('Done so far: Step 1');

    await host.answer(task.id, '001', 'Drop them');
    await events.next(task.id, 'answered');
    await host.submit({ ...task, resume: true });
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('done');
    expect(finished.summary).toContain('Context read: Done so far: Step 1');
    expect(finished.summary).toContain('Answer: Drop them');
    expect(events.of(task.id, 'finished')).toHaveLength(1);
    expect(events.of(task.id, 'started')).toHaveLength(2);
    expect(events.of(task.id, 'plan').at(-1)?.items.every((i) => i.mark === 'done')).toBe(true);
    const starts = agentStarts(agentLog);
    expect(starts).toHaveLength(2);
    expect(starts[1]?.prompt).toContain('You are continuing this task');
    expect(starts[0]?.prompt).not.toContain('You are continuing this task');
    expect(starts[1]?.pid).not.toBe(starts[0]?.pid);
  });

  it('a note appended mid-run lands in plan.md under its own heading and is never read as a plan item', async () => {
    const { host, events, spec } = setup();
    const task = spec('note', 'Write the changelog fake:items=2 fake:await-note');
    await host.submit(task);
    await events.next(task.id, 'plan');
    await host.note(task.id, 'Mention the [x] marker fix\nand the CLI flags');
    const finished = await events.finished(task.id);
    expect(finished.summary).toContain('Notes read: Mention the (x) marker fix');
    const plan = readFileSync(taskPaths(task.repo.path, task.id).plan, 'utf8');
    expect(plan).toContain('## Notes from the team');
    expect(plan).toContain('  and the CLI flags');
    for (const p of events.of(task.id, 'plan')) expect(p.items).toHaveLength(2);
  });

  it('puts a note back when the worker rewrites plan.md without it', async () => {
    const { host, events, spec } = setup();
    const task = spec('clobber', 'Rewrite freely fake:items=2 fake:await-note fake:clobber-notes');
    await host.submit(task);
    await events.next(task.id, 'plan');
    await host.note(task.id, 'Keep the API stable');
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('done');
    expect(finished.summary).toContain('Notes read: Keep the API stable');
  });

  it('gives the worker its role prompt, task, shared context and plan path, and a clean environment', async () => {
    const { host, events, agentLog, spec } = setup();
    process.env.CLAUDECODE = '1';
    try {
      const task = spec('prompt', 'Review auth fake:items=1', { rolePrompt: 'You are a security reviewer.', context: 'Launch is Thursday.', backend: 'claude' });
      await host.submit(task);
      await events.finished(task.id);
      const start = agentStarts(agentLog)[0];
      const prompt = start?.prompt ?? '';
      expect(prompt.indexOf('You are a security reviewer.')).toBe(0);
      expect(prompt.indexOf('Review auth')).toBeLessThan(prompt.indexOf('Launch is Thursday.'));
      expect(prompt).toContain(`Plan file: ${taskPaths(task.repo.path, task.id).plan}`);
      expect(start?.env.CLAUDECODE).toBe(false);
      expect(start?.env.DISPATCH_TASK_ID).toBe(true);
      expect(start?.stdin).toBe('devnull');
      expect(start?.cwd).toBe(task.repo.path);
    } finally {
      delete process.env.CLAUDECODE;
    }
  });

  it('starts a worker whose instructions are too long for a command line (150 kB), handing it the whole text in a file', async () => {
    const { host, events, agentLog, spec } = setup();
    // Shared context of a long request written in Japanese: 3 bytes a character on the command line.
    const context = '認証フローを確認してください。'.repeat(3_400);
    expect(Buffer.byteLength(context)).toBeGreaterThan(150_000);
    const task = spec('long-prompt', 'Review auth fake:items=1', { context, backend: 'claude' });
    await host.submit(task);
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('done');
    const start = agentStarts(agentLog)[0];
    expect(Buffer.byteLength(start?.argv.at(-1) ?? '')).toBeLessThan(1_000);
    expect(start?.argv.at(-1)).toContain(taskPaths(task.repo.path, task.id).prompt);
    expect(start?.prompt).toContain(context);
    expect(start?.prompt).toContain('Review auth');
  });

  it("reads claude's stream-json for the real model id and what the worker is doing", async () => {
    const { host, events, agentLog, spec } = setup();
    const task = spec('stream', 'Refactor fake:items=2', { backend: 'claude', model: 'opus' });
    await host.submit(task);
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('done');
    expect(events.of(task.id, 'model').map((e) => e.model)).toEqual(['claude-opus-4-6']);
    expect(events.of(task.id, 'activity').length).toBeGreaterThan(0);
    expect(agentStarts(agentLog)[0]?.argv).toEqual(expect.arrayContaining(['--output-format', 'stream-json', '--model', 'opus']));
  });

  it("runs codex's built-in command in the task directory and reads its --json events for activity", async () => {
    const { host, events, agentLog, spec } = setup();
    const task = spec('codex', 'Port the script fake:items=2', { backend: 'codex', model: 'gpt-5.3-codex' });
    await host.submit(task);
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('done');
    expect(events.of(task.id, 'activity').at(-1)?.text).toContain(`Done: Step 2 of ${task.id}`);
    const start = agentStarts(agentLog)[0];
    expect(start?.argv.slice(0, 2)).toEqual(['exec', '--json']);
    expect(start?.argv).toEqual(expect.arrayContaining(['-C', task.repo.path, '-m', 'gpt-5.3-codex']));
    expect(start?.stdin).toBe('devnull');
  });

  it('ends a codex worker that retries the network for ever at the task timeout, with its log tail', async () => {
    const { host, events, spec } = setup();
    const task = spec('codex-auth', 'Anything fake:auth', { backend: 'codex', model: 'gpt-5.3-codex', timeoutMs: 700 });
    await host.submit(task);
    const finished = await events.finished(task.id);
    expect(finished.state).toBe('timed_out');
    expect(finished.logTail).toContain('retrying');
    expect(finished.failure).toMatchObject({ cli: 'codex', reason: 'network' });
  });

  it('reports a failing worker with its exit code, the tail of its log and the failed plan item', async () => {
    const { host, events, spec } = setup();
    const task = spec('fail', 'Build it fake:items=3 fake:fail=3');
    await host.submit(task);
    const finished = await events.finished(task.id);
    expect(finished).toMatchObject({ state: 'failed', exitCode: 3 });
    expect(finished.logTail).toContain('simulated failure');
    expect(events.of(task.id, 'plan').at(-1)?.items.map((i) => i.mark)).toEqual(['done', 'error', 'pending']);
  });

  it("recognises each CLI's no-credential failure and says which CLI failed", async () => {
    const { host, events, spec } = setup();
    const claude = spec('auth-claude', 'Anything fake:auth', { backend: 'claude' });
    const gemini = spec('auth-gemini', 'Anything fake:auth', { backend: 'gemini', model: 'gemini-2.5-flash' });
    await host.submit(claude);
    await host.submit(gemini);
    const [c, g] = await Promise.all([events.finished(claude.id), events.finished(gemini.id)]);
    expect(c).toMatchObject({ state: 'failed', exitCode: 1, failure: { cli: 'claude', reason: 'auth' } });
    expect(c.failure?.detail).toContain('Not logged in');
    expect(g).toMatchObject({ state: 'failed', exitCode: 41, failure: { cli: 'gemini', reason: 'auth' } });
  });

  it('reports a CLI that is not installed as missing, without a started event', async () => {
    const { host, events, spec } = setup();
    const task = spec('missing', 'Anything', { backend: 'no-such-agent-cli' });
    await host.submit(task);
    const finished = await events.finished(task.id);
    expect(finished).toMatchObject({ state: 'failed', failure: { cli: 'no-such-agent-cli', reason: 'missing' } });
    expect(events.of(task.id, 'started')).toHaveLength(0);
  });
});
