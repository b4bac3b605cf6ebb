import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack } from '../fakes/slack-server.js';
import { botEnv, botPaths } from '../support/bot-env.js';

// Start-up says what is wrong and exits non-zero.
const BIN = fileURLToPath(new URL('../../bin/dispatch-bot.js', import.meta.url));
const NO_CHAT = { SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: '', SLACK_API_URL: '', DISCORD_TOKEN: '', DISCORD_GUILD_ID: '', DISCORD_API_URL: '' };

let root: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dispatch-start-'));
  env = botEnv(root, NO_CHAT);
  writeFileSync(botPaths(root).configFile, 'default: opus\nmodels:\n  opus: { backend: claude }\n');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Started {
  code: Promise<number | null>;
  err: () => string;
  stop: () => void;
  /** Resolves once stderr matches. */
  said: (pattern: RegExp) => Promise<void>;
}

/** `dispatch-bot start` as a service runs it: no terminal, stdin closed. */
function start(extra: Record<string, string>): Started {
  const child = spawn(process.execPath, [BIN, 'start'], { cwd: root, env: { ...env, PORT: '0', ...extra }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    for (const w of waiters.filter((x) => x.pattern.test(err))) w.resolve();
  });
  const code = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return {
    code,
    err: () => err,
    stop: () => child.kill('SIGTERM'),
    said: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(err)) return resolve();
        waiters.push({ pattern, resolve });
        void code.then((c) => reject(new Error(`exited ${c} before saying ${String(pattern)}:\n${err}`)));
      }),
  };
}

/** `dispatch-bot health` on the same DISPATCH_HOME. */
function health(): { code: number | null; out: string } {
  const result = spawnSync(process.execPath, [BIN, 'health'], { cwd: root, env, encoding: 'utf8' });
  return { code: result.status, out: result.stdout };
}

describe('a chat surface set only in part', () => {
  it.each([
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, /SLACK_APP_TOKEN .*SLACK_SIGNING_SECRET|SLACK_SIGNING_SECRET .*SLACK_APP_TOKEN/],
    [{ SLACK_SIGNING_SECRET: 's' }, /slack: SLACK_BOT_TOKEN is not set \(SLACK_SIGNING_SECRET is\)/],
    [{ SLACK_APP_TOKEN: 'xapp-1', SLACK_SIGNING_SECRET: 's' }, /slack: SLACK_BOT_TOKEN is not set/],
    [{ DISCORD_GUILD_ID: '123456789012345678' }, /discord: DISCORD_TOKEN is not set \(DISCORD_GUILD_ID is\)/],
  ])('%o exits 1 naming the missing variable (never a silent shell)', async (vars, message) => {
    const bot = start(vars);
    expect(await bot.code).toBe(1);
    expect(bot.err()).toMatch(message);
  });

  it('names every half-set surface at once', async () => {
    const bot = start({ SLACK_APP_TOKEN: 'xapp-1', DISCORD_GUILD_ID: '123456789012345678' });
    expect(await bot.code).toBe(1);
    expect(bot.err()).toMatch(/SLACK_BOT_TOKEN[\s\S]*DISCORD_TOKEN/);
  });
});

describe('a complete surface', () => {
  it('Slack in Socket Mode needs no signing secret: the bot and app tokens start it; `health` says so while it runs', async () => {
    const fake = await startFakeSlack();
    try {
      expect(health()).toMatchObject({ code: 1, out: expect.stringContaining('not healthy: no bot is running') });
      const bot = start({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SLACK_API_URL: fake.apiUrl });
      await bot.said(/slack: listening over Socket Mode[\s\S]*ready, working on /);
      expect(fake.callsOf('apps.connections.open')).toHaveLength(1);
      expect(health()).toMatchObject({ code: 0, out: expect.stringMatching(/^healthy: slack \(pid \d+\), last beat \d+s ago/) });
      bot.stop();
      expect(await bot.code).toBe(0);
      expect(health().code).toBe(1);
    } finally {
      await fake.close();
    }
  });

  it('with no chat credentials and no terminal, says it reads requests from standard input', async () => {
    const bot = start({});
    expect(await bot.code).toBe(0);
    expect(bot.err()).toContain('no SLACK_BOT_TOKEN or DISCORD_TOKEN set: reading requests from standard input');
  });
});

describe('a platform that cannot be reached', () => {
  /** A loopback port nothing listens on: connecting is refused at once. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  /** A loopback port that takes each connection and resets it at once, counting them: a Slack that cannot be reached. */
  async function resettingPort(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.resetAndDestroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return { port, connections: () => connections, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it('Slack: blames the network (or SLACK_API_URL), not the token', async () => {
    const port = await closedPort();
    const bot = start({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: `http://127.0.0.1:${port}/api/` });
    expect(await bot.code).toBe(1);
    expect(bot.err()).toContain(`dispatch-bot: slack: could not reach 127.0.0.1:${port}: fetch failed — check the network or SLACK_API_URL`);
    expect(bot.err()).not.toContain('SLACK_BOT_TOKEN');
  });

  it('Slack: tries auth.test three times in about two seconds, then says it could not reach Slack', async () => {
    const slack = await resettingPort();
    try {
      const bot = start({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SLACK_API_URL: `http://127.0.0.1:${slack.port}/api/` });
      expect(await bot.code).toBe(1);
      expect(bot.err()).toContain(`dispatch-bot: slack: could not reach 127.0.0.1:${slack.port}:`);
      expect(slack.connections()).toBe(3);
    } finally {
      await slack.close();
    }
  });

  it('Discord: blames the network (or DISCORD_API_URL), not the token', async () => {
    const port = await closedPort();
    const bot = start({ DISCORD_TOKEN: 'abc.def.ghi', DISCORD_API_URL: `http://127.0.0.1:${port}/api` });
    expect(await bot.code).toBe(1);
    expect(bot.err()).toMatch(new RegExp(`dispatch-bot: discord: could not reach 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.* — check the network or DISCORD_API_URL`));
    expect(bot.err()).not.toContain('check DISCORD_TOKEN');
  });
});
