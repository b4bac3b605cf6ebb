import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botEnv, makeRepo } from '../support/bot-env.js';

const BIN = fileURLToPath(new URL('../../bin/dispatch-bot.js', import.meta.url));
const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url));

let root: string;
let env: NodeJS.ProcessEnv;

function run(args: string[], input = '', extraEnv: Record<string, string> = {}, cwd = root) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...env, ...extraEnv }, input, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dispatch-cli-'));
  env = botEnv(root, { SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '', DISCORD_TOKEN: '' });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('dispatch-bot config validate', () => {
  it('says OK with a summary for a good file', () => {
    writeFileSync(join(root, 'good.yaml'), 'default: opus\nmodels:\n  opus: { backend: claude }\n');
    const { code, out } = run(['config', 'validate', join(root, 'good.yaml')]);
    expect(code).toBe(0);
    expect(out).toContain('OK (default opus, 1 models, 0 aliases)');
  });

  it('names every bad key and exits 1', () => {
    writeFileSync(join(root, 'bad.yaml'), 'default: [1]\nmodels:\n  opus: { backend: claude }\nlimits:\n  task_timeout: soon\n');
    const { code, err } = run(['config', 'validate', join(root, 'bad.yaml')]);
    expect(code).toBe(1);
    expect(err).toContain('limits.task_timeout');
    expect(err).toMatch(/: default: /);
    writeFileSync(join(root, 'bad2.yaml'), 'default: opus\nmodels:\n  opus: { backend: warp }\n');
    const second = run(['config', 'validate', join(root, 'bad2.yaml')]);
    expect(second.code).toBe(1);
    expect(second.err).toContain('models.opus.backend');
  });
});

describe('dispatch-bot doctor', () => {
  it('lists the CLIs with versions, what each model runs, and warns about codex --full-auto', () => {
    writeFileSync(
      join(root, 'config.yaml'),
      'default: opus\nbackends:\n  codex:\n    command: codex exec --full-auto -C $(pwd)\nmodels:\n  opus: { backend: claude }\n  gpt-5.3: { backend: codex }\n',
    );
    const { code, out } = run(['doctor']);
    expect(code).toBe(0);
    expect(out).toMatch(/✓ claude \S+/);
    expect(out).toMatch(/opus → claude: claude -p --dangerously-skip-permissions .*--model opus/);
    expect(out).toContain('--full-auto');
    if (process.getuid?.() === 0) expect(out).toContain('claude refuses --dangerously-skip-permissions');
  });

  it('exits 1 and names the key when the config is invalid', () => {
    writeFileSync(join(root, 'config.yaml'), 'default: [1, 2]\n');
    const { code, out } = run(['doctor']);
    expect(code).toBe(1);
    expect(out).toMatch(/INVALID[\s\S]*default/);
  });
});

describe('dispatch-bot start with no chat credentials', () => {
  it('runs the shell surface on a pipe, answers, and exits 0 at the end of input', () => {
    writeFileSync(join(root, 'config.yaml'), 'default: opus\nmodels:\n  opus: { backend: claude }\n');
    const repo = makeRepo(join(root, 'repo'));
    const { code, out } = run(['start'], 'status\n', {}, repo);
    expect(code).toBe(0);
    expect(out).toContain('No tasks in this channel yet');
  });

  it('is what `npm start` runs', () => {
    const pkg = JSON.parse(spawnSync('cat', [join(ROOT_DIR, 'package.json')], { encoding: 'utf8' }).stdout) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('node bin/dispatch-bot.js start');
  });
});

describe('dispatch-bot usage', () => {
  it('refuses an unknown command with the usage', () => {
    const { code, err } = run(['launch']);
    expect(code).toBe(2);
    expect(err).toContain('unknown command "launch"');
    expect(err).toContain('usage: dispatch-bot');
  });
});
