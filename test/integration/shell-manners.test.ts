import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { processRuns } from '../fixtures/fake-agent-support.js';
import { botEnv, botPaths, makeRepo, readAgentRuns } from '../support/bot-env.js';
import { ShellSession } from '../support/shell-session.js';

// The shell's manners.
const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude }\n  sonnet: { backend: claude }\n';
/** util-linux `script` gives the bot a real terminal (Ctrl-C is the terminal's, not a signal we fake). */
const SCRIPT = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

let root: string;
let repo: string;
let env: NodeJS.ProcessEnv;
const stops: (() => void)[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'dispatch-manners-'));
  repo = makeRepo(join(root, 'app'));
  env = botEnv(root, { SLACK_BOT_TOKEN: '', DISCORD_TOKEN: '' });
});

afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  for (const run of readAgentRuns(botPaths(root).agentLog)) if (processRuns(run.pid)) process.kill(run.pid, 'SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function shell(): ShellSession {
  const session = new ShellSession({ cwd: repo, env, args: ['--user', 'alice'] });
  stops.push(() => session.kill());
  return session;
}

/** The fake agent's first run, once it has started and recorded itself (polled; the test's timeout bounds it). */
async function firstRun(): Promise<{ pid: number }> {
  for (;;) {
    const [run] = readAgentRuns(botPaths(root).agentLog);
    if (run) return run;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function terminal(): ShellSession {
  const session = new ShellSession({ cwd: repo, env, args: ['--user', 'alice'], terminal: true });
  stops.push(() => session.kill());
  return session;
}

/** A shell in a terminal with one task running, after Ctrl-C: the terminal, what it shows, the worker. */
async function interruptedTerminal(): Promise<{ term: ShellSession; shown: string; run: { pid: number } }> {
  writeFileSync(botPaths(root).configFile, CONFIG);
  const term = terminal();
  await term.waitFor(/dispatch> /);
  term.say('use opus to index the docs fake:items=2 fake:hang');
  await term.waitFor(/\[\S+\] ● \S+: running/);
  const run = await firstRun();
  term.type('\u0003');
  const shown = await term.waitFor(/3\) Stay/);
  return { term, shown, run };
}

describe('Ctrl-C', () => {
  it.skipIf(!SCRIPT)('in a terminal: says what keeps running and asks before cancelling; quitting leaves the workers running', async () => {
    const { term, shown, run } = await interruptedTerminal();
    const id = /1 task keeps running \((\S+)\); `dispatch-bot shell` picks it up again\./.exec(shown)?.[1];
    expect(id).toBeDefined();
    expect(shown).toMatch(/1\) Quit, it keeps running\s+2\) Cancel it and quit\s+3\) Stay/);
    term.say('1');
    expect(await term.exited).toBe(0);
    expect(processRuns(run.pid)).toBe(true);
  });

  it.skipIf(!SCRIPT)('in a terminal: "Cancel it and quit" cancels the task before the shell goes', async () => {
    const { term, run } = await interruptedTerminal();
    term.say('2');
    await term.waitFor(/■ \S+: cancelled/);
    expect(await term.exited).toBe(0);
    expect(processRuns(run.pid)).toBe(false);
  });

  it('through a pipe: says what keeps running and quits without waiting for it', async () => {
    writeFileSync(botPaths(root).configFile, CONFIG);
    const bot = shell();
    bot.say('use opus to index the docs fake:items=2 fake:hang');
    await bot.waitFor(/● \S+: running/);
    const run = await firstRun();
    bot.kill('SIGINT');
    expect(await bot.exited).toBe(0);
    expect(bot.output).toMatch(/1 task keeps running \(\S+\); `dispatch-bot shell` picks it up again\./);
    expect(processRuns(run.pid)).toBe(true);
  });
});

describe('the shell as a surface without threads', () => {
  it('a question says how to answer it here (#<task-id>), never "Reply in this thread"; plan changes print only the changed lines', async () => {
    writeFileSync(botPaths(root).configFile, CONFIG);
    const bot = shell();
    bot.say('use opus to set up the database fake:items=3 fake:ask=Which database?');
    const asked = await bot.waitFor(/asks:\s+Which database\?/);
    const id = /\[(\S+)\] @alice \S+ asks:/.exec(asked)?.[1] ?? '';
    expect(asked).toContain(`Answer with \`#${id} <your answer>\`.`);
    expect(asked).not.toMatch(/Reply in this thread|\[t\d+\]/);
    // The checklist as the worker left it to ask (printed once the status edit is due), before the answer finishes it.
    await bot.waitFor(`[ ] Step 3 of ${id}`);
    bot.say(`#${id} Postgres`);
    bot.end();
    expect(await bot.exited).toBe(0);
    // The checklist came once; later edits printed the items that changed, one line each.
    expect(bot.output.match(new RegExp(`\\[ \\] Step 3 of ${id}`, 'g'))).toHaveLength(1);
    expect(bot.output.match(new RegExp(`\\[x\\] Step 3 of ${id}`, 'g'))).toHaveLength(1);
    expect(bot.output).not.toMatch(/\[t\d+\]/);
  });
});

describe('a first run through a pipe', () => {
  it('lists every model it wrote; input that ends before the pick says how to pick, and exits 1', async () => {
    const bot = shell();
    bot.say('fix the typo in the readme fake:items=1');
    bot.end();
    expect(await bot.exited).toBe(1);
    const models = Object.keys((parse(readFileSync(botPaths(root).configFile, 'utf8')) as { models: Record<string, unknown> }).models);
    expect(models.length).toBeGreaterThan(10);
    for (const [i, model] of models.entries()) expect(bot.output).toContain(`  ${i + 1}) ${model}\n`);
    expect(bot.output).toContain('The input ended while the bot was waiting for the default model');
    expect(bot.output).toContain("printf 'fix the flaky test\\n1\\n' | dispatch-bot shell");
    expect(readAgentRuns(botPaths(root).agentLog)).toEqual([]);
  });

  it('the pick on the next line of the pipe sets the default and dispatches', async () => {
    const bot = shell();
    bot.say('fix the typo in the readme fake:items=1');
    bot.say('2');
    bot.end();
    expect(await bot.exited).toBe(0);
    expect(readFileSync(botPaths(root).configFile, 'utf8')).toMatch(/^default: sonnet$/m);
    expect(bot.output).toMatch(/✓ \S+: done/);
  });
});
