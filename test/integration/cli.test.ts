import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botEnv, makeRepo, readAgentRuns } from '../support/bot-env.js';

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
    // No access: section: the bot is open to everyone who can reach it, and doctor says so.
    expect(out).toMatch(/! no `access:` section: everyone who can reach the bot may dispatch and change the config/);
    if (process.getuid?.() === 0) expect(out).toContain('claude refuses --dangerously-skip-permissions');
  });

  it('does not warn about access once both keys are written', () => {
    writeFileSync(join(root, 'config.yaml'), "default: opus\nmodels:\n  opus: { backend: claude }\naccess:\n  admin: [U1]\n  dispatch: [U1, 'channel:C1']\n");
    const { code, out } = run(['doctor']);
    expect(code).toBe(0);
    expect(out).not.toMatch(/access/);
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
});

describe('dispatch-bot start with a bad Slack token', () => {
  it('says which surface could not start and what to check, and exits 1 (no hang)', async () => {
    const { createServer } = await import('node:http');
    // Slack answers auth.test for a revoked token with 200 {ok:false, error:'invalid_auth'}.
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":false,"error":"invalid_auth"}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const result = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'start'], {
          cwd: root,
          env: { ...env, SLACK_BOT_TOKEN: 'xoxb-revoked', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: `http://127.0.0.1:${port}/api/`, PORT: '0' },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
        child.on('exit', (code) => resolve({ code, err }));
      });
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/dispatch-bot: slack: could not start \(.*invalid_auth.*\); check SLACK_BOT_TOKEN and SLACK_API_URL/);
    } finally {
      server.close();
    }
  });
});

describe('dispatch-bot usage', () => {
  it('refuses an unknown command with the usage', () => {
    const { code, err } = run(['launch']);
    expect(code).toBe(2);
    expect(err).toContain('unknown command "launch"');
    expect(err).toContain('usage: dispatch-bot');
  });

  it('--version and version print the package version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string };
    for (const args of [['--version'], ['-v'], ['version']]) {
      const { code, out } = run(args);
      expect(code).toBe(0);
      expect(out).toBe(`dispatch-bot ${version}\n`);
    }
  });

  it.each(['start', 'shell', 'runner', 'doctor', 'health', 'config'])('%s: --help, -h and `help COMMAND` print its usage and do nothing else', (command) => {
    const before = readAgentRuns(join(root, 'agent-runs.jsonl')).length;
    const outputs = [[command, '--help'], [command, '-h'], ['help', command]].map((args) => run(args, 'use opus to fix it\n'));
    for (const { code, out, err } of outputs) {
      expect(code).toBe(0);
      expect(err).toBe('');
      expect(out).toMatch(new RegExp(`^usage: dispatch-bot ${command}\\b`));
    }
    // doctor would list the CLIs; start and shell would have read the request.
    expect(outputs.map((o) => o.out).join('')).not.toMatch(/Agent CLIs on PATH|Dispatching|I'll dispatch/);
    expect(readAgentRuns(join(root, 'agent-runs.jsonl'))).toHaveLength(before);
  });

  it('config validate --help is the help, not a file named --help', () => {
    const { code, out } = run(['config', 'validate', '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: dispatch-bot config validate \[FILE\]/);
  });

  it('help lists every command; an unknown option is refused with that command\'s usage', () => {
    const { code, out } = run(['help']);
    expect(code).toBe(0);
    for (const command of ['start', 'shell', 'runner', 'doctor', 'health', 'config validate', '--version']) expect(out).toContain(`  ${command}`);
    const bad = run(['doctor', '--verbose']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^dispatch-bot doctor: Unknown option '--verbose'\n\nusage: dispatch-bot doctor/);
  });
});
