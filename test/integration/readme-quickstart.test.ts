import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botEnv, botPaths, makeRepo, readAgentRuns } from '../support/bot-env.js';

// The README's quick start, run as written from a scratch repository. The
// only change is the two placeholders: ~/dispatch-bot is this checkout, ~/code/my-app the scratch
// repository. npm's global folder is a temp one, and npm may not go online (nothing is downloaded).
const CHECKOUT = realpathSync(fileURLToPath(new URL('../..', import.meta.url)));
const MARKER = 'test/integration/readme-quickstart.test.ts runs this block';

let root: string;

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'dispatch-quickstart-')));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The sh block that follows the marker comment in the README. */
function quickStart(): string {
  const readme = readFileSync(join(CHECKOUT, 'README.md'), 'utf8');
  const at = readme.indexOf(MARKER);
  expect(at, 'the README marks its quick start for this test').toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
  expect(block).toBeDefined();
  return block ?? '';
}

describe("the README's quick start", () => {
  it('from a scratch repository: links the command without the registry, and a task works in that repository', () => {
    const repo = makeRepo(join(root, 'code', 'my-app'));
    const prefix = join(root, 'npm-global');
    mkdirSync(prefix, { recursive: true });
    writeFileSync(botPaths(root).configFile, 'default: opus\nmodels:\n  opus: { backend: claude }\n');
    const script = quickStart().replaceAll('~/dispatch-bot', CHECKOUT).replaceAll('~/code/my-app', repo);
    expect(script).toMatch(/npm install -g|npm link/);
    const base = botEnv(root, { SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: '', DISCORD_TOKEN: '', INIT_CWD: '' });
    const env: NodeJS.ProcessEnv = {
      ...base,
      PATH: `${join(prefix, 'bin')}:${base.PATH ?? ''}`,
      npm_config_prefix: prefix,
      npm_config_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    };
    // What a person types into their shell: the block's lines, in order, stopping at the first failure.
    const result = spawnSync('bash', ['-e', '-c', script], { cwd: root, env, input: 'use opus to write the changelog fake:items=1\n', encoding: 'utf8', timeout: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/✓ \S*changelog\S*: done/);
    expect(readAgentRuns(botPaths(root).agentLog).map((r) => realpathSync(r.cwd))).toEqual([repo]);
    // npm install -g of a folder runs its prepare script (a full tsc build): 20-30 s on a loaded machine.
  }, 150_000);

  it('sends nobody to the public registry for the command (no npx dispatch-bot)', () => {
    expect(readFileSync(join(CHECKOUT, 'README.md'), 'utf8')).not.toMatch(/npx\s+dispatch-bot/);
  });
});
