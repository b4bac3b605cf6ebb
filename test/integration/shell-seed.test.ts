import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShellSession } from '../support/shell-session.js';
import { botEnv, botPaths, makeRepo, readAgentRuns, type AgentRun } from '../support/bot-env.js';

// The Dispatch page on using different models, typed into `dispatch-bot shell` end to
// end: a real child process reading a pipe, the fake agent CLIs on PATH, a real git repo.
const CONFIG = `# my dispatch config
default: opus
models:
  opus: { backend: claude }
  sonnet: { backend: claude }
  gemini-2.5-flash: { backend: gemini }   # fast
aliases:
  gemini: { model: gemini-2.5-flash }   # the Dispatch models page says "use gemini"
  perf-reviewer:
    model: sonnet
    prompt: >
      You are a performance optimization expert. Focus on
      algorithmic complexity, database queries, and bundle size.
`;

const PRELAUNCH = `we launch Thursday, need a full pre-launch sweep:\\
\\
1) security audit the auth flow (JWT, sessions, password reset) and the\\
   stripe payment integration. use opus, do it in a worktree\\
\\
2) performance - load test the top 5 API endpoints, find N+1 queries,\\
   check db indexes on users/orders/products tables. sonnet in a worktree\\
\\
3) frontend audit - accessibility (WCAG 2.1 AA), bundle size, flag any\\
   components missing error boundaries. dispatch sonnet\\
\\
4) generate OpenAPI specs for every endpoint that's missing one. use gemini\\
\\
5) error handling audit - find uncaught exceptions, missing try/catch,\\
   inconsistent error response formats across all API routes. sonnet, worktree\\
\\
ask me if anything is unclear. security is highest priority - flag\\
anything critical immediately`;

let root: string;
let repo: string;
let env: NodeJS.ProcessEnv;
let output: string;
let runs: AgentRun[];
let configAfter: string;

function runsFor(needle: string): AgentRun[] {
  return runs.filter((r) => r.prompt.includes(needle));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dispatch-seed-'));
  repo = makeRepo(join(root, 'app'));
  writeFileSync(join(root, 'config.yaml'), CONFIG);
  env = botEnv(root, {
    FAKE_AGENT_MODELS: 'claude-4.7-sonnet - Claude 4.7 Sonnet (current),opus-5.0 - Opus 5.0,gpt-5.3 - GPT 5.3',
    SLACK_BOT_TOKEN: '',
    DISCORD_TOKEN: '',
  });
  const shell = new ShellSession({ cwd: repo, env, args: ['--user', 'alice'] });
  for (const line of [
    'use opus to review this PR for edge cases',
    'use sonnet to find better design patterns',
    'have opus review and sonnet test the auth module',
    'do a security review',
    '1',
    'use claude-4.7-sonnet to review this code',
    'create a security-reviewer alias using opus',
    'have security-reviewer check my latest changes',
    'use opus-5.0 to review this architecture',
    ...PRELAUNCH.split('\n'),
  ]) {
    shell.say(line);
  }
  shell.end();
  const code = await shell.exited;
  output = shell.output;
  if (code !== 0) throw new Error(`shell exited ${code}\n${shell.output}\n${shell.errors}`);
  runs = readAgentRuns(botPaths(root).agentLog);
  configAfter = readFileSync(join(root, 'config.yaml'), 'utf8');
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the Dispatch models page, typed into the shell', () => {
  it('"use opus to review this PR" runs claude with --model opus in the repo', () => {
    const [run] = runsFor('review this PR for edge cases');
    expect(run?.name).toBe('claude');
    expect(run?.argv).toEqual(expect.arrayContaining(['-p', '--dangerously-skip-permissions', '--model', 'opus']));
    expect(run?.cwd).toBe(repo);
  });

  it('"use sonnet" runs claude with --model sonnet', () => {
    expect(runsFor('find better design patterns')[0]?.argv).toEqual(expect.arrayContaining(['--model', 'sonnet']));
  });

  it('two models in prose: one task with the last one, and a hint to split', () => {
    const matching = runsFor('have opus review and sonnet test');
    expect(matching).toHaveLength(1);
    expect(matching[0]?.argv).toEqual(expect.arrayContaining(['--model', 'sonnet']));
    expect(output).toMatch(/ONE task using sonnet/);
  });

  it('no model: confirms the default, then dispatches with it after "1"', () => {
    expect(output).toContain("I'll dispatch this using opus (the config default). Sound good?");
    expect(runsFor('do a security review')[0]?.argv).toEqual(expect.arrayContaining(['--model', 'opus']));
  });

  it('an unknown model is discovered via agent models, added to the config, and dispatched at once', () => {
    expect(output).toContain('Found claude-4.7-sonnet via agent models. Added to config with claude backend.');
    expect(configAfter).toMatch(/claude-4\.7-sonnet:[\s\S]*?backend: claude/);
    expect(runsFor('review this code')[0]?.name).toBe('claude');
  });

  it('creates an alias with the OWASP prompt, keeping the comments, and uses it', () => {
    expect(configAfter).toContain('# my dispatch config');
    expect(configAfter).toContain('# fast');
    expect(configAfter).toMatch(/security-reviewer:\n\s+model: opus\n\s+prompt: >[\s\S]*OWASP Top 10/);
    const [run] = runsFor('check my latest changes');
    expect(run?.argv).toEqual(expect.arrayContaining(['--model', 'opus']));
    expect(run?.prompt.indexOf('OWASP')).toBeLessThan(run?.prompt.indexOf('check my latest changes') ?? -1);
  });

  it('opus-5.0: checks availability, adds it, dispatches architecture-review', () => {
    expect(output).toContain('opus-5.0 not in config. Checking availability');
    expect(output).toContain('Found opus-5.0 via agent models. Added to config with claude backend.');
    expect(output).toMatch(/Dispatching architecture-review using opus-5\.0/);
  });

  it('the pre-launch sweep: five workers, the right model each, worktrees where asked, shared context, one summary', () => {
    const expected: [string, string, string, boolean][] = [
      ['security-audit', 'claude', 'opus', true],
      ['perf-audit', 'claude', 'sonnet', true],
      ['frontend-audit', 'claude', 'sonnet', false],
      ['api-docs', 'gemini', 'gemini-2.5-flash', false],
      ['error-handling', 'claude', 'sonnet', true],
    ];
    for (const [id, cli, model, worktree] of expected) {
      const run = runs.find((r) => r.prompt.includes(`.dispatch/tasks/${id}/plan.md`));
      expect(run, id).toBeDefined();
      expect(run?.name).toBe(cli);
      expect(run?.argv).toContain(model);
      expect(run?.cwd.includes(`.dispatch/worktrees/${id}`)).toBe(worktree);
      expect(run?.prompt).toContain('security is highest priority');
      expect(run?.prompt).toContain('we launch Thursday');
    }
    const worktreeDirs = runs.filter((r) => r.cwd.includes('.dispatch/worktrees/')).map((r) => r.cwd);
    expect(new Set(worktreeDirs).size).toBe(worktreeDirs.length);
    expect(output.match(/All 5 workers dispatched/g)).toHaveLength(1);
    expect(output).toContain('5 workers, 3 models, 3 worktrees');
  });

  it('prints every task final at the end of the piped input', () => {
    const final = output.slice(output.lastIndexOf('Final state:'));
    expect(final).toMatch(/security-audit: done/);
    expect(final).not.toMatch(/: (running|queued)/);
  });
});
