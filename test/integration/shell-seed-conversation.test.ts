import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShellSession } from '../support/shell-session.js';
import { botEnv, botPaths, makeRepo, readAgentRuns, type AgentRun } from '../support/bot-env.js';

// The behaviours of Dispatch's model-selection page that take a conversation, through `dispatch-bot shell` (a real child
// process, the fake agent CLIs on PATH): nothing is dispatched before the default is confirmed, a
// model no source knows is not available, a worker's question is answered in its thread, and
// `status` says where every task is. (shell-seed.test.ts types the rest of the page.) The
// conversation runs once, waiting on what the bot says; each test reads its part of it.
const CONFIG = `default: opus
models:
  opus: { backend: claude }
  sonnet: { backend: claude }
`;

let root: string;
/** What the bot said in each part of the conversation, and the workers started by then. */
const said: Record<'confirm' | 'unavailable' | 'question' | 'status', string> = { confirm: '', unavailable: '', question: '', status: '' };
let runsBeforeConfirm: AgentRun[] = [];
let runsAfterUnavailable: AgentRun[] = [];
let runs: AgentRun[] = [];
let askingTask = '';
let exitCode: number | null = null;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dispatch-seed-talk-'));
  const repo = makeRepo(join(root, 'app'));
  writeFileSync(join(root, 'config.yaml'), CONFIG);
  const shell = new ShellSession({ cwd: repo, env: botEnv(root, { SLACK_BOT_TOKEN: '', DISCORD_TOKEN: '' }), args: ['--user', 'alice'] });
  const agentRuns = () => readAgentRuns(botPaths(root).agentLog);
  try {
    let from = shell.output.length;
    shell.say('/dispatch do a security review fake:items=1');
    await shell.waitFor("I'll dispatch this using opus (the config default). Sound good?", 25_000, from);
    shell.say('status');
    await shell.waitFor('No tasks in this channel yet', 25_000, from);
    runsBeforeConfirm = agentRuns();
    shell.say('1');
    await shell.waitFor('security-review is done', 25_000, from);
    said.confirm = shell.output.slice(from);

    from = shell.output.length;
    shell.say('/dispatch use nova-3-pro to review this code');
    await shell.waitFor(/nova-3-pro is not available\. .*\n/, 25_000, from);
    runsAfterUnavailable = agentRuns();
    said.unavailable = shell.output.slice(from);

    from = shell.output.length;
    shell.say('use sonnet to set up the database fake:items=2 fake:ask=Which database should I use?');
    await shell.waitFor(/asks:\s+Which database should I use\?/, 25_000, from);
    askingTask = /Dispatching ([a-z0-9-]+) using sonnet/.exec(shell.output.slice(from))?.[1] ?? '';
    shell.say(`#${askingTask} Postgres, please`);
    await shell.waitFor(`${askingTask} is done`, 25_000, from);
    said.question = shell.output.slice(from);

    from = shell.output.length;
    shell.say('status');
    await shell.waitFor(/2 finished in this channel[\s\S]*security-review/, 25_000, from);
    said.status = shell.output.slice(from);
    shell.end();
    exitCode = await shell.exited;
    runs = agentRuns();
  } finally {
    shell.kill();
  }
}, 150_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('model selection in conversation with the shell', () => {
  it('confirms the default before dispatching: nothing runs until the requester says so', () => {
    expect(said.confirm).toMatch(/Sound good\?[\s\S]*No tasks in this channel yet[\s\S]*Dispatching security-review using opus/);
    expect(runsBeforeConfirm).toEqual([]);
    expect(runs.filter((r) => r.prompt.includes('do a security review')).map((r) => r.argv)).toEqual([expect.arrayContaining(['--model', 'opus'])]);
  });

  it('says a model no source knows is not available, with nothing dispatched and no prompt', () => {
    expect(said.unavailable).toMatch(/nova-3-pro is not available\. Available models: opus, sonnet, .*\. Nothing was dispatched\./);
    expect(said.unavailable).not.toMatch(/Sound good|\(type a number or a label\)/);
    expect(runsAfterUnavailable).toHaveLength(1);
  });

  it("posts a worker's question and takes the answer given in its thread", () => {
    expect(said.question).toContain('Answer sent. Worker is continuing.');
    const [run] = runs.filter((r) => r.prompt.includes('set up the database'));
    expect(run?.argv).toEqual(expect.arrayContaining(['--model', 'sonnet']));
    expect(runs.filter((r) => r.prompt.includes('set up the database'))).toHaveLength(1);
  });

  it('answers status with every task of the channel and where it is, and the shell ends cleanly', () => {
    expect(said.status).toMatch(new RegExp(`0 running, 2 finished in this channel[\\s\\S]*${askingTask}: done 2/2 · sonnet[\\s\\S]*security-review: done 1/1 · opus`));
    expect(exitCode).toBe(0);
  });
});
