import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botEnv, botPaths, makeRepo } from '../support/bot-env.js';

// Each command loads only what it needs. Bolt and discord.js are most of the bot's start-up time;
// the commands that never talk to Slack or Discord must not load them. BullMQ and ioredis hold
// about 18 MB of an idle bot; only the Redis queue and store need them.
const PROBE = fileURLToPath(new URL('../fixtures/loaded-sdks.mjs', import.meta.url));
const dist = (file: string) => fileURLToPath(new URL(`../../dist/src/${file}`, import.meta.url));

let root: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dispatch-startup-'));
  env = botEnv(root, { SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: '', DISCORD_TOKEN: '' });
  writeFileSync(botPaths(root).configFile, 'default: opus\nmodels:\n  opus: { backend: claude }\n');
  makeRepo(join(root, 'app'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function loadedBy(args: string[], input = ''): { code: number; loaded: string[] } {
  const result = spawnSync(process.execPath, [PROBE, ...args], { cwd: join(root, 'app'), env, input, encoding: 'utf8', timeout: 60_000 });
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  expect(last, result.stderr).toMatch(/^\{"code"/);
  return JSON.parse(last) as { code: number; loaded: string[] };
}

describe('what each command loads', () => {
  it.each([
    ['--help', [dist('cli.js'), '--help']],
    ['config validate', [dist('cli.js'), 'config', 'validate', 'CONFIG']],
    ['doctor', [dist('cli.js'), 'doctor']],
    ['shell', [dist('cli.js'), 'shell']],
    ['start without chat tokens (the shell)', [dist('cli.js'), 'start']],
  ])('%s: no chat SDK, no Redis client', (_name, args) => {
    const fixed = args.map((a) => (a === 'CONFIG' ? botPaths(root).configFile : a));
    expect(loadedBy(fixed, 'status\n').loaded).toEqual([]);
  });

  it('the runner: BullMQ, and no chat SDK', () => {
    expect(loadedBy([dist('run-runner.js'), '--import']).loaded).toEqual(['bullmq', 'ioredis']);
  });

  it('the probe sees an SDK when one is loaded (the Slack adapter loads Bolt alone)', () => {
    const adapter = fileURLToPath(new URL('../../dist/adapters/slack/index.js', import.meta.url));
    expect(loadedBy([adapter, '--import']).loaded).toEqual(['@slack/bolt']);
  });
});
