import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeGitHub } from '../fakes/github-server.js';
import { processRuns } from '../fixtures/fake-agent-support.js';
import { botEnv, botPaths, makeRepo, readAgentRuns } from '../support/bot-env.js';
import { ForgeOrigin, fakeGitHubEnv, refusalTour } from '../support/forge-origin.js';
import { ShellSession } from '../support/shell-session.js';

/**
 * Pull requests in the terminal: `dispatch-bot shell` as a real process, a bare
 * repository as origin, the real @octokit/rest against the fake GitHub.
 */
const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude }\n';

let root: string;
let repo: string;
let github: FakeGitHub;
let githubEnv: Record<string, string>;
const sessions: ShellSession[] = [];

function shell(env: Record<string, string>): ShellSession {
  const session = new ShellSession({ cwd: repo, env: botEnv(root, env), args: ['--user', 'alice'] });
  sessions.push(session);
  return session;
}

/** Dispatch a worktree task and wait until it is done; returns its id. */
async function doneTask(session: ShellSession, text: string): Promise<string> {
  const from = session.output.length;
  session.say(text);
  await session.waitFor(/Dispatching ([a-z0-9-]+) using/, 20_000, from);
  const id = /Dispatching ([a-z0-9-]+) using/.exec(session.output.slice(from))?.[1] as string;
  await session.waitFor(`${id} is done.`, 20_000, from);
  return id;
}

/** Say `line` and return the first line printed after it that matches `pattern`. */
async function answer(session: ShellSession, line: string, pattern: RegExp): Promise<string> {
  const from = session.output.length;
  session.say(line);
  await session.waitFor(pattern, 25_000, from);
  return session.output.slice(from).split('\n').find((l) => pattern.test(l)) as string;
}

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'dispatch-shell-forge-'));
  repo = makeRepo(join(root, 'app'));
  writeFileSync(join(root, 'config.yaml'), CONFIG);
  ({ github, env: githubEnv } = await fakeGitHubEnv());
});

afterEach(async () => {
  for (const s of sessions.splice(0)) s.kill();
  for (const run of readAgentRuns(botPaths(root).agentLog)) if (processRuns(run.pid)) process.kill(run.pid, 'SIGKILL');
  await github.close();
  rmSync(root, { recursive: true, force: true });
});

describe('shell: from a finished task to a pull request', () => {
  it('"open a PR for <id>" pushes and opens one; "#<id> address the review comments" sends a successor whose commit goes to the same PR', async () => {
    const origin = ForgeOrigin.attach(github, root, repo);
    const session = shell(githubEnv);
    const id = await doneTask(session, 'use opus to add a changelog in a worktree fake:items=1 fake:commit=1');
    expect(session.output).toContain(`To open a pull request: *Open PR* on the status message, or say \`open a PR for ${id}\`.`);

    const opened = await answer(session, `open a PR for ${id}`, /Opened a draft pull request #1 for/);
    expect(opened).toContain(`Opened a draft pull request #1 for ${id}: ${github.apiUrl}/acme/widgets/pull/1`);
    expect(origin.repo.pulls).toHaveLength(1);
    expect(origin.repo.pulls[0]?.body).toContain('Dispatched by @alice with opus');

    origin.repo.threads.set(1, [{ resolved: false, path: 'CHANGELOG.md', line: 1, comments: [{ author: 'dave', body: 'Date the entries fake:items=1 fake:commit=1' }] }]);
    const pushed = await answer(session, `#${id} address the review comments`, /Pushed 1 commit of/);
    expect(pushed).toContain(`Pushed 1 commit of ${id}-review to pull request #1`);
    expect(readAgentRuns(botPaths(root).agentLog)[1]?.prompt).toContain('Date the entries');
    expect(origin.pushes()).toHaveLength(2);
  });

  it('every failure is one line: no origin, no token, a protected branch, a rejected push, GitHub 401, 403 and 502', async () => {
    const first = shell({ GITHUB_API_URL: github.apiUrl, GITHUB_TOKEN: '' });
    const id = await doneTask(first, 'use opus to add a banner in a worktree fake:items=1 fake:commit=1');
    const branch = `dispatch/${id}`;
    const openPr = (session: ShellSession) => answer(session, `open a PR for ${id}`, new RegExp(`\\] ${id}: `));

    expect(await openPr(first)).toMatch(/has no `origin` remote\. Add one \(git remote add origin <url>\) and try again\.$/);
    const origin = ForgeOrigin.attach(github, root, repo);
    expect(await openPr(first)).toMatch(/GITHUB_TOKEN is not set, so the bot cannot talk to GitHub about acme\/widgets/);
    expect(origin.pushes()).toEqual([]);
    first.kill('SIGTERM');
    await first.exited;

    const session = shell(githubEnv);
    await refusalTour(origin, branch, root, () => openPr(session));
    expect(session.output + session.errors).not.toContain(github.token);
  });
});
