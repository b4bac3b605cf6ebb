import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processRuns, processesOfTask } from '../fixtures/fake-agent-support.js';
import { eventually } from '../support/eventually.js';
import { shellPerTest } from '../support/shell-bench.js';
import type { ShellSession } from '../support/shell-session.js';

// The worker protocol through the shell surface: questions, give-up and resume, notes, cancel,
// timeout, and the bot killed with SIGKILL mid-task then started again.
// A stopped worker gets the shortest grace the config allows before SIGKILL (production: 3 s).
const CONFIG = `default: sonnet
models:
  sonnet: { backend: claude }
  opus: { backend: claude }
limits:
  kill_grace: 1s
`;

const bench = shellPerTest(CONFIG);
const { shell, runs } = bench;
const alive = processRuns;

/** The task id the bot announced for the latest dispatch. */
async function dispatchedId(session: ShellSession, from = 0): Promise<string> {
  await session.waitFor(/Dispatching ([a-z0-9-]+) using/, 20_000, from);
  const matches = [...session.output.slice(from).matchAll(/Dispatching ([a-z0-9-]+) using/g)];
  return matches.at(-1)?.[1] as string;
}

describe('the shell surface runs the worker protocol', () => {
  it('a question answered with #<task-id> reaches the same worker, which continues', async () => {
    const bot = shell();
    bot.say('use sonnet to set up the database fake:items=2 fake:ask=Which database should I use?');
    const id = await dispatchedId(bot);
    await bot.waitFor(/asks:\s+Which database should I use\?/);
    bot.say(`#${id} Postgres, please`);
    await bot.waitFor('Answer sent. Worker is continuing.');
    bot.end();
    expect(await bot.exited).toBe(0);
    expect(bot.output).toMatch(new RegExp(`${id}: done`));
    expect(runs()).toHaveLength(1);
  });

  it('a worker that gave up ([?]) is resumed by a successor that reads context.md', async () => {
    const bot = shell();
    bot.say('use sonnet to migrate the billing tables fake:items=2 fake:giveup fake:wait=200 fake:ask=Drop the legacy column?');
    const id = await dispatchedId(bot);
    await bot.waitFor('stopped waiting for an answer');
    bot.say(`#${id} yes, drop it`);
    await bot.waitFor('a new worker is continuing');
    bot.end();
    expect(await bot.exited).toBe(0);
    expect(bot.output).toMatch(new RegExp(`${id}: done`));
    const [first, second] = runs();
    expect(runs()).toHaveLength(2);
    expect(second?.prompt).toContain('context.md');
    expect(second?.cwd).toBe(first?.cwd);
  });

  it('a reply that is not an answer is appended to plan.md as a note the worker reads', async () => {
    const bot = shell();
    bot.say('use sonnet to tidy the README fake:items=2 fake:await-note');
    const id = await dispatchedId(bot);
    await bot.waitFor(`[${id}]`);
    bot.say(`#${id} also fix the broken badge`);
    await bot.waitFor(`Added your note to ${id}'s plan`);
    bot.end();
    expect(await bot.exited).toBe(0);
    expect(bot.output).toMatch(new RegExp(`${id}: done`));
    expect(readFileSync(join(bench.repo, '.dispatch', 'tasks', id, 'plan.md'), 'utf8')).toContain('also fix the broken badge');
  });

  it('cancel stops the whole process tree, a SIGTERM-ignoring grandchild included', async () => {
    const pidFile = join(bench.root, 'grandchild.pid');
    const bot = shell();
    bot.say(`use sonnet to watch the logs forever fake:hang fake:ignore-term fake:grandchild=${pidFile}`);
    const id = await dispatchedId(bot);
    await eventually('the worker and its grandchild', () => existsSync(pidFile) && runs().length === 1);
    const worker = runs()[0]?.pid as number;
    const grandchild = Number(readFileSync(pidFile, 'utf8').trim());
    expect(alive(worker) && alive(grandchild)).toBe(true);
    bot.say(`cancel ${id}`);
    await bot.waitFor(`${id} was cancelled`);
    bot.end();
    expect(await bot.exited).toBe(0);
    expect(alive(worker)).toBe(false);
    expect(alive(grandchild)).toBe(false);
    expect(processesOfTask(id, bench.root)).toEqual([]);
  });

  it('a task past limits.task_timeout is stopped, tree and all, and reported as timed out', async () => {
    writeFileSync(bench.configFile, `${CONFIG}  task_timeout: 2s\n`);
    const bot = shell();
    bot.say('use sonnet to wait on a server that never answers fake:hang fake:ignore-term fake:grandchild');
    const id = await dispatchedId(bot);
    await bot.waitFor(`${id} timed out and was stopped`);
    bot.end();
    expect(await bot.exited).toBe(0);
    const worker = runs()[0]?.pid as number;
    expect(alive(worker)).toBe(false);
    const pidFile = join(bench.repo, '.dispatch', 'tasks', id, 'grandchild.pid');
    expect(existsSync(pidFile)).toBe(true);
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
    expect(processesOfTask(id, bench.root)).toEqual([]);
  });
});

describe('the bot killed with SIGKILL mid-task', () => {
  it('after a restart reports the task, re-surfaces its question, and the answer still reaches the worker', async () => {
    const first = shell();
    first.say('use sonnet to pick a queue library fake:items=2 fake:ask=RabbitMQ or NATS?');
    const id = await dispatchedId(first);
    await first.waitFor(/asks:\s+RabbitMQ or NATS\?/);
    first.kill('SIGKILL');
    await first.exited;
    const worker = runs()[0]?.pid as number;
    expect(alive(worker)).toBe(true); // the worker does not depend on the bot's pipes

    const second = shell();
    await second.waitFor(/asks:\s+RabbitMQ or NATS\?/);
    second.say(`#${id} NATS`);
    await second.waitFor('Answer sent. Worker is continuing.');
    second.say(`status ${id}`);
    second.end();
    expect(await second.exited).toBe(0);
    expect(second.output).toMatch(new RegExp(`${id} is done`));
    expect(runs()).toHaveLength(1);
    expect(readFileSync(join(bench.repo, '.dispatch', 'tasks', id, 'output.md'), 'utf8')).toContain('NATS');
  });

  it('a task whose worker died with the bot is reported interrupted and can be retried', async () => {
    const first = shell();
    first.say('use sonnet to rebuild the search index fake:hang');
    const id = await dispatchedId(first);
    await eventually('the worker', () => runs().length === 1);
    first.kill('SIGKILL');
    await first.exited;
    process.kill(runs()[0]?.pid as number, 'SIGKILL');

    const second = shell();
    await second.waitFor(`${id} was interrupted`);
    second.say(`retry ${id}`);
    await second.waitFor(`Dispatching ${id}-2 using sonnet`);
    await eventually('the retried worker', () => runs().length === 2);
    second.say(`cancel ${id}-2`);
    second.end();
    expect(await second.exited).toBe(0);
    expect(second.output).toMatch(new RegExp(`${id}-2 was cancelled`));
    expect(runs()[1]?.prompt).toContain('rebuild the search index');
  });

  it('a confirm prompt left unanswered by a killed bot still expires, and says so, after the restart', async () => {
    writeFileSync(bench.configFile, `${CONFIG}  confirm_timeout: 2s\n`);
    const first = shell();
    first.say('do a security review');
    await first.waitFor('this prompt expires in 2 s');
    first.kill('SIGKILL');
    await first.exited;
    const second = shell();
    await second.waitFor('This prompt expired after 2 s; nothing was dispatched.');
    second.end();
    expect(await second.exited).toBe(0);
    expect(runs()).toHaveLength(0);
  });
});
