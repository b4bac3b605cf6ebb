import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SlackSender, startFakeSlack, type FakeSlack } from '../fakes/slack-server.js';
import { botEnv, botPaths, makeRepo, readAgentRuns } from '../support/bot-env.js';
import { recordFault } from '../support/figures.js';

const BIN = fileURLToPath(new URL('../../bin/dispatch-bot.js', import.meta.url));
const SECRET = 'kill-test-signing-secret';
const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude }\naccess:\n  admin: [UALICE]\n  dispatch: [UALICE]\n';

interface Bot {
  child: ChildProcess;
  port: number;
}

/** `dispatch-bot start` as an operator runs it, on Slack over HTTP; resolves once it listens. */
async function startBot(env: NodeJS.ProcessEnv, cwd: string): Promise<Bot> {
  const child = spawn(process.execPath, [BIN, 'start'], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    const said: string[] = [];
    lines.on('line', (line) => {
      said.push(line);
      const m = /slack: listening on port (\d+)/.exec(line);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the bot exited (${String(code)}) before listening:\n${said.join('\n')}`)));
  });
  return { child, port };
}

function killed(bot: Bot): Promise<void> {
  return new Promise((resolve) => {
    bot.child.once('exit', () => resolve());
    bot.child.kill('SIGKILL');
  });
}

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const clean of cleanups.reverse()) await clean();
  cleanups = [];
});

describe('an acknowledged request is never lost', () => {
  it('a /dispatch acknowledged with 200, the bot SIGKILLed before it said a word: after the restart the task runs, once', async (context) => {
    const root = mkdtempSync(join(tmpdir(), 'dispatch-kill-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const slack: FakeSlack = await startFakeSlack();
    cleanups.push(() => slack.close());
    const repo = makeRepo(join(root, 'repo'));
    writeFileSync(botPaths(root).configFile, CONFIG);
    const env = botEnv(root, { SLACK_BOT_TOKEN: 'xoxb-kill', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', DISCORD_TOKEN: '' });

    const first = await startBot(env, repo);
    cleanups.push(() => void first.child.kill('SIGKILL'));
    // Slack is slow to take the bot's first post: the bot is still handling the request when it dies.
    const held = slack.hold('chat.postMessage');
    const sent = await new SlackSender(`http://127.0.0.1:${first.port}/slack/events`, SECRET).command({
      text: 'use opus to review the auth module fake:items=1',
      user_id: 'UALICE',
      channel_id: 'C1',
      trigger_id: 'trigger-kill-1',
    });
    expect(sent.status).toBe(200);
    await held.seen;
    await killed(first);
    // Only once the fake has seen the dead bot hang up may it answer: the post must not land.
    await held.gone;
    held.release();
    // The task is submitted before its first post: its worker may have started before the bot died.
    expect(readAgentRuns(botPaths(root).agentLog).length).toBeLessThanOrEqual(1);

    const second = await startBot(env, repo);
    cleanups.push(() => killed(second));
    await vi.waitFor(() => expect(slack.allMessages().some((m) => /is done/.test(m.text))).toBe(true), { timeout: 25_000, interval: 100 });
    expect(readAgentRuns(botPaths(root).agentLog)).toHaveLength(1);
    expect(slack.allMessages().filter((m) => /Dispatching/.test(m.text))).toHaveLength(1);
    recordFault(context, [slack.allMessages().filter((m) => /is done/.test(m.text)).length]);
  });
});
