import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/chat/reply.js';
import type { FakeGitHub } from '../fakes/github-server.js';
import { ForgeOrigin, fakeGitHubEnv, refusalTour } from '../support/forge-origin.js';
import { Stack, type StackOptions } from '../support/stack.js';

/**
 * From a finished worktree task to a pull request, through the dispatcher as every surface drives
 * it: a real git repository whose origin is a bare repository, a fake GitHub on 127.0.0.1 that
 * the real @octokit/rest talks to, the fake agent as the worker.
 */

const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude }\naccess:\n  admin: [boss]\n  dispatch: ["*"]\n';
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

let stack: Stack | undefined;
let github: FakeGitHub | undefined;
afterEach(async () => {
  await stack?.close();
  await github?.close();
  stack = undefined;
  github = undefined;
});

async function start(config: StackOptions['config'] = CONFIG, env: (e: Record<string, string>) => Record<string, string> = (e) => e) {
  const fake = await fakeGitHubEnv();
  github = fake.github;
  stack = await Stack.start({ config, env: env(fake.env) });
  const origin = ForgeOrigin.attach(fake.github, stack.root, stack.repo);
  return { s: stack, gh: fake.github, origin };
}

/** Dispatch a worktree task and wait for its done status card; returns its id and the card. */
async function finishedTask(s: Stack, text: string): Promise<{ id: string; status: Reply }> {
  await s.say(text);
  const id = await s.surface.until(() => s.surface.posts.find((p) => p.reply.title)?.reply.title);
  const status = await s.waitForStatus(id, /: done/);
  return { id, status };
}

const labels = (reply: Reply | undefined) => (reply?.buttons ?? []).map((b) => b.label);

/** The task's status card once it shows this field (its edits are coalesced, so they land a little later). */
function cardWith(s: Stack, id: string, field: { label: string; value: string }): Promise<Reply> {
  return s.surface.until(() => {
    const posted = s.surface.posts.find((p) => p.reply.title === id);
    const latest = posted && s.surface.latest(posted);
    return latest?.fields?.some((f) => f.label === field.label && f.value === field.value) ? latest : undefined;
  });
}

describe('forge: a finished worktree task becomes a pull request', () => {
  it("Open PR pressed by someone else is refused and changes nothing; the requester's double press pushes the branch once and opens one PR whose body is output.md", async () => {
    const { s, gh, origin } = await start();
    const { id, status } = await finishedTask(s, 'use opus to add a changelog in a worktree fake:items=1 fake:commit=2');
    const branch = `dispatch/${id}`;
    expect(labels(status)).toEqual(['Open PR', 'Push branch']);

    await s.press(status, 'Open PR', 'mallory');
    await s.waitForEphemeral(/Only <@alice> \(who dispatched/, 'mallory');
    expect(origin.pushes()).toEqual([]);
    expect(gh.callsTo('POST', /\/pulls$/)).toEqual([]);

    await Promise.all([s.press(status, 'Open PR'), s.press(status, 'Open PR')]);
    const opened = await s.waitFor(/Opened a draft pull request #1 for \*\*/);
    expect(labels(s.surface.latest(opened))).toEqual(['Fix review']);
    await s.waitForEphemeral(/pull request is already open: #1 /);
    expect(gh.callsTo('POST', /\/pulls$/)).toHaveLength(1);
    expect(origin.pushes()).toEqual([`refs/heads/${branch} ${git(s.repo, 'rev-parse', branch)}`]);
    const [pull] = origin.repo.pulls;
    expect(pull).toMatchObject({ head: branch, base: 'main', draft: true, title: 'Add a changelog fake:items=1 fake:commit=2' });
    expect(pull?.body).toContain(`claude finished 1 steps of ${id}.`);
    expect(pull?.body).toContain('Dispatched by @alice with opus');

    const card = await cardWith(s, id, { label: 'Pull request', value: `#1 ${gh.apiUrl}/acme/widgets/pull/1` });
    expect(labels(card)).toEqual(['Fix review']);
    // The bot's token went to GitHub, and nowhere near the worker.
    expect(gh.calls.every((c) => c.authorization === `token ${gh.token}`)).toBe(true);
    expect(s.agentRuns()[0]?.env.GITHUB_TOKEN).toBe(false);
    expect(s.logs.join('\n')).not.toContain(gh.token);
  });

  it("a pre-push hook a worker planted in the repository never runs with the bot's token", async () => {
    const { s, origin } = await start();
    const { id, status } = await finishedTask(s, 'use opus to add a hook in a worktree fake:items=1 fake:commit=1');
    const leak = join(s.root, 'leaked-env');
    const hook = join(s.repo, '.git', 'hooks', 'pre-push');
    writeFileSync(hook, `#!/bin/sh\nenv > '${leak}'\n`);
    chmodSync(hook, 0o755);
    await s.press(status, 'Open PR');
    await s.waitFor(/Opened a draft pull request #1/);
    expect(origin.head(`dispatch/${id}`)).not.toBe('');
    expect(existsSync(leak)).toBe(false);
  });

  it('Push branch pushes without a pull request, and needs no token', async () => {
    const { s, gh, origin } = await start(CONFIG, ({ GITHUB_API_URL }) => ({ GITHUB_API_URL: GITHUB_API_URL as string, GITHUB_TOKEN: '' }));
    const { id, status } = await finishedTask(s, 'use opus to tidy the docs in a worktree fake:items=1 fake:commit=1');
    await s.press(status, 'Push branch');
    await s.waitFor(new RegExp(`Pushed dispatch/${id} to origin \\([0-9a-f]{7}\\)`));
    expect(origin.head(`dispatch/${id}`)).toBe(git(s.repo, 'rev-parse', `dispatch/${id}`));
    expect(gh.calls).toEqual([]);
    const card = await cardWith(s, id, { label: 'Pushed', value: `dispatch/${id} → origin` });
    expect(labels(card)).toEqual(['Open PR', 'Push branch']);
  });

  it('repos.<name>.auto_pr opens one PR when the task is done, without a press; draft: false and a branch prefix are honoured', async () => {
    const { s, origin } = await start(
      ({ repo }: { repo: string }) => `${CONFIG}repos:\n  web: { path: ${JSON.stringify(repo)}, default: true, auto_pr: true, draft: false, branch_prefix: bots/ }\n`,
    );
    await s.say('use opus to fix the flaky test in a worktree fake:items=1 fake:commit=1');
    const opened = await s.waitFor(/Opened pull request #1 for \*\*/);
    const id = s.surface.posts.find((p) => p.reply.title)?.reply.title as string;
    expect(s.surface.latest(opened).text).toContain(`**${id}**`);
    expect(origin.repo.pulls).toHaveLength(1);
    expect(origin.repo.pulls[0]).toMatchObject({ head: `bots/${id}`, draft: false });
    expect(origin.head(`bots/${id}`)).not.toBe('');
  });

  it('"fix #7 … and open a PR" puts the issue in the worker\'s prompt and "Fixes #7" in the PR', async () => {
    const { s, gh, origin } = await start();
    origin.repo.issues.set(7, { title: 'Login fails on Safari', body: 'Safari drops the session cookie on /login. fake:items=1 fake:commit=1' });
    await s.say('use opus to fix #7 and open a PR');
    const opened = await s.waitFor(/Opened a draft pull request #1/);
    expect(opened).toBeDefined();
    const prompt = s.agentRuns()[0]?.prompt ?? '';
    expect(prompt).toContain('## Issue acme/widgets#7: Login fails on Safari');
    expect(prompt).toContain('Safari drops the session cookie on /login.');
    expect(prompt).not.toMatch(/open a PR/i);
    expect(gh.callsTo('GET', /^\/repos\/acme\/widgets\/issues\/7$/)).toHaveLength(1);
    const [pull] = origin.repo.pulls;
    expect(pull?.body).toMatch(/\nFixes #7\n$/);
  });

  it('an issue that is not there refuses the request, and nothing starts', async () => {
    const { s } = await start();
    await s.say('use opus to fix #404 in a worktree');
    await s.waitForEphemeral(/GitHub has no such issue in acme\/widgets visible to GITHUB_TOKEN \(404\)/);
    expect(s.agentRuns()).toEqual([]);
    expect(await s.app.store.listTasks()).toEqual([]);
  });

  it('"address the review comments" runs a successor on the same branch with the unresolved comments in its prompt, and pushes its commit to the same PR', async () => {
    const { s, origin } = await start();
    const { id, status } = await finishedTask(s, 'use opus to add a cache in a worktree fake:items=1 fake:commit=1');
    await s.press(status, 'Open PR');
    await s.waitFor(/Opened a draft pull request #1/);
    origin.repo.threads.set(1, [
      { resolved: true, path: 'src/cache.ts', line: 3, comments: [{ author: 'carol', body: 'Already fixed, thanks' }] },
      { resolved: false, path: 'src/cache.ts', line: 12, comments: [{ author: 'dave', body: 'Rename get to lookup fake:items=1 fake:commit=1' }] },
    ]);
    origin.repo.reviews.set(1, [{ author: 'erin', state: 'CHANGES_REQUESTED', body: 'Please add a test for eviction.' }]);
    const task = await s.app.store.getTask(id);
    const firstHead = origin.head(`dispatch/${id}`);

    await s.say('address the review comments', 'alice', { thread: task?.thread as string });
    const pushed = await s.waitFor(new RegExp(`Pushed 1 commit of \\*\\*${id}-review\\*\\* to pull request #1`), 30_000);
    expect(pushed).toBeDefined();
    const [first, successor] = s.agentRuns();
    expect(successor?.cwd).toBe(first?.cwd);
    expect(successor?.prompt).toContain('dave on src/cache.ts:12:');
    expect(successor?.prompt).toContain('Rename get to lookup');
    expect(successor?.prompt).toContain('Please add a test for eviction.');
    expect(successor?.prompt).not.toContain('Already fixed');
    const after = origin.head(`dispatch/${id}`);
    expect(after).not.toBe(firstHead);
    expect(git(s.repo, 'rev-list', '--count', `${firstHead}..${after}`)).toBe('1');
    expect(origin.repo.pulls).toHaveLength(1);
    await cardWith(s, `${id}-review`, { label: 'Where', value: `worktree, branch dispatch/${id}` });
  });
});

describe('forge: every failure is one line in the thread naming what to fix, and nothing is half-done', () => {
  it('no GITHUB_TOKEN: nothing is pushed', async () => {
    const { s, origin } = await start(CONFIG, ({ GITHUB_API_URL }) => ({ GITHUB_API_URL: GITHUB_API_URL as string, GITHUB_TOKEN: '' }));
    const { id, status } = await finishedTask(s, 'use opus to add a banner in a worktree fake:items=1 fake:commit=1');
    await s.press(status, 'Open PR');
    const said = await s.waitFor(new RegExp(`^\\*\\*${id}\\*\\*: GITHUB_TOKEN is not set`));
    expect(s.surface.latest(said).text).toBe(`**${id}**: GITHUB_TOKEN is not set, so the bot cannot talk to GitHub about acme/widgets: give the bot a token with pull request write and issue read access to it.`);
    expect(origin.pushes()).toEqual([]);
  });

  it('no origin', async () => {
    const fake = await fakeGitHubEnv();
    github = fake.github;
    stack = await Stack.start({ config: CONFIG, env: fake.env });
    const { id, status } = await finishedTask(stack, 'use opus to add a footer in a worktree fake:items=1 fake:commit=1');
    await stack.press(status, 'Open PR');
    await stack.waitFor(new RegExp(`^\\*\\*${id}\\*\\*: Can't push dispatch/${id}: .* has no \`origin\` remote\\. Add one \\(git remote add origin <url>\\) and try again\\.$`));
    expect(fake.github.calls).toEqual([]);
  });

  it('an origin URL carrying credentials never shows them, in the thread or the log', async () => {
    const { s, gh } = await start();
    const { id, status } = await finishedTask(s, 'use opus to add a title in a worktree fake:items=1 fake:commit=1');
    // Nothing listens on port 1: the push cannot connect.
    git(s.repo, 'remote', 'set-url', 'origin', 'http://deploy:s3cretpassw0rd@127.0.0.1:1/acme/widgets.git');
    await s.press(status, 'Open PR');
    const said = await s.waitFor(new RegExp(`^\\*\\*${id}\\*\\*: Can't push`));
    expect(s.surface.latest(said).text).toMatch(/the runner could not reach origin \(http:\/\/\*\*\*@127\.0\.0\.1:1\/acme\/widgets\.git\)/);
    const everything = JSON.stringify(s.surface.posts) + JSON.stringify(s.surface.ephemerals) + s.logs.join('\n') + JSON.stringify(await s.app.store.listTasks());
    expect(everything).not.toContain('s3cretpassw0rd');
    expect(gh.callsTo('POST', /\/pulls$/)).toEqual([]);
  });

  it('a protected branch, a rejected push, GitHub 401, 403 and 502: each said, and the PR opens once they are fixed', async () => {
    const { s, gh, origin } = await start();
    const { id, status } = await finishedTask(s, 'use opus to add a header in a worktree fake:items=1 fake:commit=1');
    const branch = `dispatch/${id}`;
    const lines = () => s.surface.posts.map((p) => p.reply.text).filter((t) => t.startsWith(`**${id}**: `));
    await refusalTour(origin, branch, s.root, async () => {
      const before = lines().length;
      await s.press(status, 'Open PR');
      return s.surface.until(() => lines()[before]);
    });
    await s.press(status, 'Open PR');
    await s.waitFor(/Opened a draft pull request #1/);
    expect(origin.repo.pulls).toHaveLength(1);
    expect(s.logs.join('\n')).not.toContain(gh.token);
  });
});
