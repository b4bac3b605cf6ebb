import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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

interface Session {
  repo: string;
  output: string;
  runs: AgentRun[];
  config: string;
}

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** One scenario of the page: its lines piped into a fresh `dispatch-bot shell` on a fresh repo and config, run to the end. */
async function typed(lines: string[]): Promise<Session> {
  const root = mkdtempSync(join(tmpdir(), 'dispatch-seed-'));
  roots.push(root);
  const repo = makeRepo(join(root, 'app'));
  writeFileSync(join(root, 'config.yaml'), CONFIG);
  const env = botEnv(root, {
    FAKE_AGENT_MODELS: 'claude-4.7-sonnet - Claude 4.7 Sonnet (current),opus-5.0 - Opus 5.0,gpt-5.3 - GPT 5.3',
    SLACK_BOT_TOKEN: '',
    DISCORD_TOKEN: '',
  });
  const shell = new ShellSession({ cwd: repo, env, args: ['--user', 'alice'] });
  for (const line of lines) shell.say(line);
  shell.end();
  const code = await shell.exited;
  if (code !== 0) throw new Error(`shell exited ${code}\n${shell.output}\n${shell.errors}`);
  return { repo, output: shell.output, runs: readAgentRuns(botPaths(root).agentLog), config: readFileSync(join(root, 'config.yaml'), 'utf8') };
}

function runsFor(session: Session, needle: string): AgentRun[] {
  return session.runs.filter((r) => r.prompt.includes(needle));
}

describe('the Dispatch models page, typed into the shell', () => {
  it('"use opus to review this PR" runs claude with --model opus in the repo', async () => {
    const s = await typed(['use opus to review this PR for edge cases']);
    const [run] = runsFor(s, 'review this PR for edge cases');
    expect(run?.name).toBe('claude');
    expect(run?.argv).toEqual(expect.arrayContaining(['-p', '--dangerously-skip-permissions', '--model', 'opus']));
    expect(run?.cwd).toBe(s.repo);
  });

  it('"use sonnet" runs claude with --model sonnet', async () => {
    const s = await typed(['use sonnet to find better design patterns']);
    expect(runsFor(s, 'find better design patterns')[0]?.argv).toEqual(expect.arrayContaining(['--model', 'sonnet']));
  });

  it('two models in prose: one task with the last one, and a hint to split', async () => {
    const s = await typed(['have opus review and sonnet test the auth module']);
    const matching = runsFor(s, 'have opus review and sonnet test');
    expect(matching).toHaveLength(1);
    expect(matching[0]?.argv).toEqual(expect.arrayContaining(['--model', 'sonnet']));
    expect(s.output).toMatch(/ONE task using sonnet/);
  });

  it('no model: confirms the default, then dispatches with it after "1"', async () => {
    const s = await typed(['do a security review', '1']);
    expect(s.output).toContain("I'll dispatch this using opus (the config default). Sound good?");
    expect(runsFor(s, 'do a security review')[0]?.argv).toEqual(expect.arrayContaining(['--model', 'opus']));
  });

  it('an unknown model is discovered via agent models, added to the config, and dispatched at once', async () => {
    const s = await typed(['use claude-4.7-sonnet to review this code']);
    expect(s.output).toContain('Found claude-4.7-sonnet via agent models. Added to config with claude backend.');
    expect(s.config).toMatch(/claude-4\.7-sonnet:[\s\S]*?backend: claude/);
    expect(runsFor(s, 'review this code')[0]?.name).toBe('claude');
  });

  it('creates an alias with the OWASP prompt, keeping the comments, and uses it', async () => {
    const s = await typed(['create a security-reviewer alias using opus', 'have security-reviewer check my latest changes']);
    expect(s.config).toContain('# my dispatch config');
    expect(s.config).toContain('# fast');
    expect(s.config).toMatch(/security-reviewer:\n\s+model: opus\n\s+prompt: >[\s\S]*OWASP Top 10/);
    const [run] = runsFor(s, 'check my latest changes');
    expect(run?.argv).toEqual(expect.arrayContaining(['--model', 'opus']));
    expect(run?.prompt.indexOf('OWASP')).toBeLessThan(run?.prompt.indexOf('check my latest changes') ?? -1);
  });

  it('opus-5.0: checks availability, adds it, dispatches architecture-review', async () => {
    const s = await typed(['use opus-5.0 to review this architecture']);
    expect(s.output).toContain('opus-5.0 not in config. Checking availability');
    expect(s.output).toContain('Found opus-5.0 via agent models. Added to config with claude backend.');
    expect(s.output).toMatch(/Dispatching architecture-review using opus-5\.0/);
  });

  it('the pre-launch sweep: five workers, the right model each, worktrees where asked, shared context, one summary, all final at the end', async () => {
    const s = await typed(PRELAUNCH.split('\n'));
    const expected: [string, string, string, boolean][] = [
      ['security-audit', 'claude', 'opus', true],
      ['perf-audit', 'claude', 'sonnet', true],
      ['frontend-audit', 'claude', 'sonnet', false],
      ['api-docs', 'gemini', 'gemini-2.5-flash', false],
      ['error-handling', 'claude', 'sonnet', true],
    ];
    for (const [id, cli, model, worktree] of expected) {
      const run = s.runs.find((r) => r.prompt.includes(`.dispatch/tasks/${id}/plan.md`));
      expect(run, id).toBeDefined();
      expect(run?.name).toBe(cli);
      expect(run?.argv).toContain(model);
      expect(run?.cwd.includes(`.dispatch/worktrees/${id}`)).toBe(worktree);
      expect(run?.prompt).toContain('security is highest priority');
      expect(run?.prompt).toContain('we launch Thursday');
    }
    const worktreeDirs = s.runs.filter((r) => r.cwd.includes('.dispatch/worktrees/')).map((r) => r.cwd);
    expect(new Set(worktreeDirs).size).toBe(worktreeDirs.length);
    expect(s.output.match(/All 5 workers dispatched/g)).toHaveLength(1);
    expect(s.output).toContain('5 workers, 3 models, 3 worktrees');
    const final = s.output.slice(s.output.lastIndexOf('Final state:'));
    expect(final).toMatch(/security-audit: done/);
    expect(final).not.toMatch(/: (running|queued)/);
  });
});
