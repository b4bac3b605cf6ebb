import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botEnv, botPaths, makeRepo, readAgentRuns } from '../support/bot-env.js';

// The bot works on the user's repository, wherever its own checkout is.
const BIN = fileURLToPath(new URL('../../bin/dispatch-bot.js', import.meta.url));
const CHECKOUT = realpathSync(fileURLToPath(new URL('../..', import.meta.url)));

let root: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'dispatch-repo-')));
  env = botEnv(root, { SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: '', DISCORD_TOKEN: '', INIT_CWD: '' });
  writeFileSync(botPaths(root).configFile, 'default: opus\nmodels:\n  opus: { backend: claude }\n');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(file: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}) {
  const input = `use opus to write the changelog fake:items=1\n`;
  const result = spawnSync(file, args, { cwd, env: { ...env, ...extraEnv }, input, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** Where the fake agent of the one task this bot run started was working. */
function workerDirs(): string[] {
  return readAgentRuns(botPaths(root).agentLog).map((r) => realpathSync(r.cwd));
}

describe('the repository tasks work on', () => {
  it('is where `npm --prefix <checkout> start` was run, not the checkout', () => {
    const repo = makeRepo(join(root, 'npm-app'));
    const before = workerDirs().length;
    const { code, out, err } = run('npm', ['--prefix', CHECKOUT, 'start', '--silent'], repo);
    expect(err).not.toMatch(/ERR!/);
    expect(code).toBe(0);
    expect(out).toMatch(/✓ \S*changelog\S*: done/);
    expect(workerDirs().slice(before)).toEqual([repo]);
  });

  it('is --repo PATH when given, from any directory', () => {
    const repo = makeRepo(join(root, 'flag-app'));
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    const before = workerDirs().length;
    const { code, out } = run(process.execPath, [BIN, 'shell', '--repo', repo], elsewhere);
    expect(code).toBe(0);
    expect(out).toMatch(/✓ \S*changelog\S*: done/);
    expect(workerDirs().slice(before)).toEqual([repo]);
  });

  it('is DISPATCH_REPO when set (and --repo wins over it)', () => {
    const repo = makeRepo(join(root, 'env-app'));
    const other = makeRepo(join(root, 'other-app'));
    const before = workerDirs().length;
    expect(run(process.execPath, [BIN, 'start'], root, { DISPATCH_REPO: repo }).code).toBe(0);
    expect(run(process.execPath, [BIN, 'start', '--repo', other], root, { DISPATCH_REPO: repo }).code).toBe(0);
    expect(workerDirs().slice(before)).toEqual([repo, other]);
  });

  it('ignores an INIT_CWD inherited from an npm script it was not started by', () => {
    const repo = makeRepo(join(root, 'cwd-app'));
    const before = workerDirs().length;
    expect(run(process.execPath, [BIN, 'start'], repo, { INIT_CWD: CHECKOUT }).code).toBe(0);
    expect(workerDirs().slice(before)).toEqual([repo]);
  });

  it('refuses a --repo that is not a directory, naming it, and starts nothing', () => {
    const missing = join(root, 'no-such-repo');
    const { code, err } = run(process.execPath, [BIN, 'shell', '--repo', missing], root);
    expect(code).toBe(1);
    expect(err).toContain(`--repo: ${missing} does not exist`);
  });
});
