import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShellSession } from '../support/shell-session.js';
import { botEnv, botPaths, makeRepo, readAgentRuns } from '../support/bot-env.js';

// The seed page's behaviours that take a conversation, through `dispatch-bot shell` (a real child
// process, the fake agent CLIs on PATH): nothing is dispatched before the default is confirmed, a
// model no source knows is not available, a worker's question is answered in its thread, and
// `status` says where every task is. (shell-seed.test.ts types the rest of the page.)
const CONFIG = `default: opus
models:
  opus: { backend: claude }
  sonnet: { backend: claude }
`;

let root: string;
let shell: ShellSession;
/** The id the bot gave the task that asked a question. */
let askingTask = '';
const runs = () => readAgentRuns(botPaths(root).agentLog);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dispatch-seed-talk-'));
  const repo = makeRepo(join(root, 'app'));
  writeFileSync(join(root, 'config.yaml'), CONFIG);
  shell = new ShellSession({ cwd: repo, env: botEnv(root, { SLACK_BOT_TOKEN: '', DISCORD_TOKEN: '' }), args: ['--user', 'alice'] });
});

afterAll(() => {
  shell.kill();
  rmSync(root, { recursive: true, force: true });
});

describe('the seed page in conversation with the shell', () => {
  it('confirms the default before dispatching: nothing runs until the requester says so', async () => {
    shell.say('/dispatch do a security review fake:items=1');
    await shell.waitFor("I'll dispatch this using opus (the config default). Sound good?");
    const from = shell.output.length;
    shell.say('status');
    await shell.waitFor('No tasks in this channel yet', 25_000, from);
    expect(runs()).toEqual([]);
    shell.say('1');
    await shell.waitFor('Dispatching security-review using opus');
    await shell.waitFor('security-review is done');
    expect(runs().map((r) => r.argv)).toEqual([expect.arrayContaining(['--model', 'opus'])]);
  });

  it('says a model no source knows is not available, with nothing dispatched and no prompt', async () => {
    const from = shell.output.length;
    shell.say('/dispatch use nova-3-pro to review this code');
    await shell.waitFor(/nova-3-pro is not available\. Available models: opus, sonnet, .*\. Nothing was dispatched\./, 25_000, from);
    expect(shell.output.slice(from)).not.toMatch(/Sound good|\(type a number or a label\)/);
    expect(runs()).toHaveLength(1);
  });

  it("posts a worker's question and takes the answer given in its thread", async () => {
    const from = shell.output.length;
    shell.say('use sonnet to set up the database fake:items=2 fake:ask=Which database should I use?');
    await shell.waitFor(/asks:\s+Which database should I use\?/, 25_000, from);
    const id = /Dispatching ([a-z0-9-]+) using sonnet/.exec(shell.output.slice(from))?.[1] as string;
    askingTask = id;
    shell.say(`#${id} Postgres, please`);
    await shell.waitFor('Answer sent. Worker is continuing.', 25_000, from);
    await shell.waitFor(`${id} is done`, 25_000, from);
    expect(runs()).toHaveLength(2);
  });

  it('answers status with every task of the channel and where it is', async () => {
    const from = shell.output.length;
    shell.say('status');
    await shell.waitFor(/0 running, 2 finished in this channel/, 25_000, from);
    await shell.waitFor(new RegExp(`${askingTask}: done 2/2 · sonnet[\\s\\S]*security-review: done 1/1 · opus`), 25_000, from);
    shell.end();
    expect(await shell.exited).toBe(0);
  });
});
