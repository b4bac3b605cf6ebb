import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShellSession } from '../support/shell-session.js';
import { botEnv, botPaths, makeRepo, readAgentRuns, type AgentRun } from '../support/bot-env.js';

// The ways a new user names models and config changes, typed into `dispatch-bot shell` (a real
// child process reading a pipe, the fake agent CLIs on PATH, a real git repo), many of them with
// the leading `/dispatch` people paste from Slack.
const FAKE_AGENT = fileURLToPath(new URL('../fixtures/fake-agent.sh', import.meta.url));

interface Session {
  root: string;
  repo: string;
  output: string;
  runs: AgentRun[];
  config: string;
}

/** Pipe `lines` into a shell with `config`, wait for it to finish every task, and keep what it left. */
async function typeInto(config: string, lines: string[], env: (root: string) => NodeJS.ProcessEnv): Promise<Session> {
  const root = mkdtempSync(join(tmpdir(), 'dispatch-resolver-'));
  const repo = makeRepo(join(root, 'app'));
  writeFileSync(join(root, 'config.yaml'), config);
  const shell = new ShellSession({ cwd: repo, env: env(root), args: ['--user', 'alice'] });
  for (const line of lines) shell.say(line);
  shell.end();
  const code = await shell.exited;
  if (code !== 0) throw new Error(`shell exited ${code}\n${shell.output}\n${shell.errors}`);
  return { root, repo, output: shell.output, runs: readAgentRuns(botPaths(root).agentLog), config: readFileSync(join(root, 'config.yaml'), 'utf8') };
}

/** A PATH with only these agent CLIs (the fake agent behind each name), then the system's. */
function pathWithOnly(root: string, clis: string[]): string {
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const cli of clis) {
    writeFileSync(join(bin, cli), `#!/bin/sh\nexec "${FAKE_AGENT}" ${cli} "$@"\n`);
    chmodSync(join(bin, cli), 0o755);
  }
  return `${bin}:${process.env.PATH ?? ''}`;
}

const runFor = (s: Session, needle: string) => s.runs.filter((r) => r.prompt.includes(needle));

describe('with every agent CLI on PATH (agent models lists its own models)', () => {
  const CONFIG = `default: opus
models:
  opus: { backend: claude }
  sonnet: { backend: claude }
  haiku: { backend: claude }
  gemini-2.5-flash: { backend: gemini }
  gemini-2.5-pro: { backend: gemini }
  gemini-3-flash: { backend: gemini }
  composer-1.5: { backend: cursor }
`;
  let s: Session;

  beforeAll(async () => {
    s = await typeInto(
      CONFIG,
      [
        '/dispatch create a security-reviewer alias using opus',
        '/dispatch switch default to sonnet',
        '/dispatch add gpt-5.3-codex to my config',
        '/dispatch remove composer-1.5',
        '/dispatch',
        '/dispatch use opus to review the payment module fake:items=1',
        '/dispatch use nova-3-pro to review this code',
        'use the logs to find the flaky test',
        'Cancel',
        'have a look at the login page',
        'Cancel',
        'fix the retry loop with care',
        'Cancel',
        'use sonnet-4.6 to review the auth module fake:items=1',
        'use opus-4.5-thinking to audit the session handling fake:items=1',
        'switch to haiku',
        'set default opus',
        'create an alias called reviewer for opus with prompt be strict about auth',
        'help',
        '?',
        'what can you do',
        'models',
        'list models',
        'show config',
        'ask gemini to write the API docs fake:items=1',
        'gemini-2.5-pro',
        'use haiku to fix the login redirect --worktree fake:items=1',
        'use haiku to fix the signup form on a separate branch fake:items=1',
        '/dispatch switch to sonnet and fix the flaky checkout test fake:items=1',
        'Change the config, then dispatch the task',
      ],
      (root) => botEnv(root, { SLACK_BOT_TOKEN: '', DISCORD_TOKEN: '' }),
    );
  }, 180_000);

  afterAll(() => rmSync(s.root, { recursive: true, force: true }));

  it('takes a leading /dispatch the way the slash command does: config phrases change the config and never become tasks', () => {
    expect(s.config).toMatch(/security-reviewer:\n\s+model: opus\n\s+prompt: >[\s\S]*OWASP Top 10/);
    expect(s.config).toMatch(/gpt-5\.3-codex:/);
    expect(s.config).not.toContain('composer-1.5');
    expect(s.output).toContain('Set default to sonnet (was opus).');
    for (const phrase of ['alias using opus', 'switch default', 'to my config', 'remove composer']) expect(runFor(s, phrase), phrase).toEqual([]);
  });

  it('answers a bare /dispatch with the config summary, and keeps /dispatch out of a worker goal', () => {
    expect(s.output).toMatch(/Ready\. Config: .*config\.yaml/);
    const [run] = runFor(s, 'review the payment module');
    expect(run?.argv).toEqual(expect.arrayContaining(['--model', 'opus']));
    expect(run?.prompt).toContain('use opus to review the payment module');
    expect(run?.prompt).not.toMatch(/\/dispatch use/);
  });

  it('says a model-shaped name no source knows is not available, listing the configured models, and asks nothing', () => {
    // (no confirm for it: the only "Sound good?" prompts are the three of the next test)
    expect(s.output).toMatch(/nova-3-pro is not available\. Available models: opus, sonnet, haiku, gemini-2\.5-flash, gemini-2\.5-pro, gemini-3-flash, gpt-5\.3-codex, security-reviewer, auto, /);
    expect(runFor(s, 'nova-3-pro')).toEqual([]);
  });

  it('leaves ordinary words in model positions words: the default is confirmed, nothing discovered', () => {
    for (const phrase of ['the logs', 'a look', 'care']) expect(s.output).not.toMatch(new RegExp(`${phrase} not in config`));
    // the three sentences are the only ones that asked to confirm the default
    expect(s.output.match(/I'll dispatch this using sonnet \(the config default\)\. Sound good\?/g)).toHaveLength(3);
    expect(s.output.match(/Sound good\?/g)).toHaveLength(3);
    for (const phrase of ['find the flaky test', 'the login page', 'the retry loop']) expect(runFor(s, phrase), phrase).toEqual([]);
  });

  it('finds versioned Claude names through the claude CLI although agent models does not list them', () => {
    expect(s.output).toContain('Found sonnet-4.6 via the claude CLI.');
    expect(runFor(s, 'review the auth module')[0]?.argv).toEqual(expect.arrayContaining(['--model', 'sonnet']));
    expect(runFor(s, 'audit the session handling')[0]?.argv).toEqual(expect.arrayContaining(['--model', 'opus']));
    expect(s.output).toContain('sonnet-4.6 works with the claude CLI: added to config with claude backend.');
    expect(s.config).toMatch(/sonnet-4\.6:\s+backend: claude/);
    expect(s.config).toMatch(/opus-4\.5-thinking:\s+backend: claude/);
    expect(s.output).not.toMatch(/sonnet-4\.6 is not available|opus-4\.5-thinking is not available/);
  });

  it('reads reworded config requests as config requests, with the alias prompt given in the sentence', () => {
    expect(s.output).toContain('Set default to haiku (was sonnet).');
    expect(s.output).toContain('Set default to opus (was haiku).');
    expect(s.config).toMatch(/reviewer:\n\s+model: opus\n\s+prompt: >\n\s+be strict about auth/);
    expect(s.config).not.toContain('reviewer-focused');
    for (const phrase of ['switch to haiku', 'set default', 'be strict about auth']) expect(runFor(s, phrase), phrase).toEqual([]);
  });

  it('answers help, ?, "what can you do", models, "list models" and "show config" in place', () => {
    expect(s.output.match(/What you can say/g)).toHaveLength(3);
    expect(s.output.match(/Models: opus \(claude\), sonnet \(claude\), haiku \(claude\), gemini-2\.5-flash \(gemini\)/g)).toHaveLength(3);
    expect(s.output).toMatch(/Config: .*config\.yaml/);
    for (const phrase of ['help', 'what can you do', 'list models', 'show config']) expect(s.runs.filter((r) => r.prompt.includes(`\n${phrase}\n`)), phrase).toEqual([]);
  });

  it('asks which gemini when three are configured, and runs the pick', () => {
    expect(s.output).toMatch(/Which gemini\? 3 are configured:[\s\S]*1\) gemini-2\.5-flash\s+2\) gemini-2\.5-pro\s+3\) gemini-3-flash\s+4\) Cancel/);
    expect(runFor(s, 'write the API docs')[0]).toMatchObject({ name: 'gemini', argv: expect.arrayContaining(['-m', 'gemini-2.5-pro']) });
  });

  it('runs --worktree and "on a separate branch" in a worktree of their own', () => {
    for (const phrase of ['fix the login redirect', 'fix the signup form']) {
      expect(runFor(s, phrase)[0]?.cwd, phrase).toMatch(/\.dispatch\/worktrees\//);
    }
  });

  it('asks whether a text that reads both ways is a config change or a task, and does what the answer says', () => {
    expect(s.output).toContain('That reads as a config change (make sonnet the default) and as a task');
    expect(s.config).toMatch(/^default: sonnet/m);
    const [run] = runFor(s, 'fix the flaky checkout test');
    expect(run?.argv).toEqual(expect.arrayContaining(['--model', 'sonnet']));
    expect(run?.prompt).not.toContain('switch to sonnet');
  });
});

describe('without the Cursor CLI (the claude, codex and gemini family rules only)', () => {
  const CONFIG = `default: opus
models:
  opus: { backend: claude }
  gpt-5.3: { backend: codex }
  gemini-2.5-flash: { backend: gemini }
`;
  let s: Session;

  beforeAll(async () => {
    s = await typeInto(
      CONFIG,
      [
        '/dispatch use gpt-5.33 to fix the flaky test fake:items=1',
        '1',
        'use gemini-9 to write the docs',
        'use opus-4.7 to review the architecture fake:items=1',
      ],
      (root) => ({ ...botEnv(root, { SLACK_BOT_TOKEN: '', DISCORD_TOKEN: '', FAKE_AGENT_REJECT_MODELS: 'gemini-9' }), PATH: pathWithOnly(root, ['claude', 'codex', 'gemini']) }),
    );
  }, 120_000);

  afterAll(() => rmSync(s.root, { recursive: true, force: true }));

  it('asks "did you mean gpt-5.3?" for a near-typo, adds nothing, and runs the pick', () => {
    expect(s.output).toMatch(/gpt-5\.33 is not in the config\. Did you mean gpt-5\.3\? Nothing was added\./);
    expect(s.output).not.toContain('Found gpt-5.33');
    expect(s.config).not.toContain('gpt-5.33');
    expect(runFor(s, 'fix the flaky test')[0]).toMatchObject({ name: 'codex', argv: expect.arrayContaining(['-m', 'gpt-5.3']) });
  });

  it('tries a name only a family rule vouches for, and keeps it out of the config when its CLI refuses it', () => {
    expect(s.output).toContain('Found gemini-9 via the gemini CLI.');
    expect(runFor(s, 'write the docs')[0]).toMatchObject({ name: 'gemini', argv: expect.arrayContaining(['-m', 'gemini-9']) });
    expect(s.output).toMatch(/the gemini CLI does not take gemini-9 \(.*\): it was not added to the config\./);
    expect(s.config).not.toContain('gemini-9');
  });

  it('adds a name only a family rule vouches for once its CLI has taken it', () => {
    expect(s.output).toContain('Found opus-4.7 via the claude CLI.');
    expect(s.output).toContain('opus-4.7 works with the claude CLI: added to config with claude backend.');
    expect(s.config).toMatch(/opus-4\.7:\s+backend: claude/);
  });
});
