import { describe, expect, it } from 'vitest';
import { ConfigFile } from '../../src/config/schema.js';
import { pullRequestBody, pullRequestTitle, reviewContext } from '../../src/forge/describe.js';
import { parseRemote } from '../../src/forge/origin.js';
import { forgeAsk, parseIntent } from '../../src/intent/index.js';
import { gitEnv } from '../../src/runner/git-run.js';
import { pushRefusal } from '../../src/runner/push.js';
import { redact } from '../../src/util/redact.js';

const known = { models: ['opus', 'sonnet'], aliases: [], repos: ['web'] };

describe('what a request says about the forge', () => {
  it('finds the issues it works on: #N after a verb, owner/repo#N, issue URLs; not a colour or a list number', () => {
    expect(forgeAsk('fix #123').issues).toEqual([{ number: 123 }]);
    expect(forgeAsk('do acme/widgets#7 with opus').issues).toEqual([{ owner: 'acme', repo: 'widgets', number: 7 }]);
    expect(forgeAsk('please look at https://github.com/acme/widgets/issues/42 today').issues).toEqual([{ host: 'github.com', owner: 'acme', repo: 'widgets', number: 42 }]);
    expect(forgeAsk('fix #3, #4 and acme/api#5').issues).toEqual([{ number: 3 }, { number: 4 }, { owner: 'acme', repo: 'api', number: 5 }]);
    expect(forgeAsk('set the header colour to #123456').issues).toEqual([]);
    expect(forgeAsk('fix #7 and then fix #7 again').issues).toEqual([{ number: 7 }]);
  });

  it('"… and open a PR" at the end asks for a pull request, and leaves the worker\'s text', () => {
    expect(forgeAsk('fix the login bug in a worktree and open a PR')).toEqual({ issues: [], openPr: true, text: 'fix the login bug in a worktree' });
    expect(forgeAsk('add tests, then open a draft pull request.').openPr).toBe(true);
    expect(forgeAsk('explain how to open a PR in our repo?').openPr).toBe(false);
  });

  it('a task asking for a PR runs in a worktree, and its goal does not tell the worker to open one', () => {
    const intent = parseIntent('use opus to fix the flaky test and open a PR', known);
    expect(intent).toMatchObject({ kind: 'tasks', tasks: [{ goal: 'use opus to fix the flaky test', worktree: true, model: 'opus' }] });
  });

  it('reads the short commands about a finished task, and leaves prose to be a task', () => {
    expect(parseIntent('open a PR', known)).toEqual({ kind: 'forge', action: 'open-pr' });
    expect(parseIntent('Open a pull request for auth-module', known)).toEqual({ kind: 'forge', action: 'open-pr', task: 'auth-module' });
    expect(parseIntent('pr auth-module', known)).toEqual({ kind: 'forge', action: 'open-pr', task: 'auth-module' });
    expect(parseIntent('push the branch', known)).toEqual({ kind: 'forge', action: 'push' });
    expect(parseIntent('push auth-module', known)).toEqual({ kind: 'forge', action: 'push', task: 'auth-module' });
    expect(parseIntent('address the review comments', known)).toEqual({ kind: 'forge', action: 'fix-review' });
    expect(parseIntent('please fix the review feedback on #auth-module.', known)).toEqual({ kind: 'forge', action: 'fix-review', task: 'auth-module' });
    expect(parseIntent('push the fix to the staging server', known).kind).toBe('tasks');
    expect(parseIntent('do the review of the payment module', known).kind).toBe('tasks');
  });
});

describe('remotes and credentials', () => {
  it('reads every form of remote git writes, and no path on disk', () => {
    expect(parseRemote('https://github.com/acme/widgets.git')).toEqual({ host: 'github.com', owner: 'acme', name: 'widgets' });
    expect(parseRemote('git@github.com:acme/widgets.git')).toEqual({ host: 'github.com', owner: 'acme', name: 'widgets' });
    expect(parseRemote('ssh://git@GitHub.com:2222/acme/widgets/')).toEqual({ host: 'github.com', owner: 'acme', name: 'widgets' });
    expect(parseRemote('https://gitlab.example.com/group/sub/widgets.git')).toEqual({ host: 'gitlab.example.com', owner: 'group/sub', name: 'widgets' });
    expect(parseRemote('/srv/git/widgets.git')).toBeUndefined();
    expect(parseRemote('file:///srv/git/widgets.git')).toBeUndefined();
  });

  it('takes credentials out of URLs and secrets out of any text', () => {
    expect(redact('fatal: unable to access https://x-access-token:ghp_abc123@github.com/acme/w.git/')).toBe('fatal: unable to access https://***@github.com/acme/w.git/');
    expect(redact('token ghp_0123456789 leaked', ['ghp_0123456789'])).toBe('token *** leaked');
  });
});

describe('git talking to origin', () => {
  it("runs without the bot's secrets, never prompting, in English", () => {
    const env = gitEnv({ PATH: '/bin', GITHUB_TOKEN: 'ghp_secret', SLACK_BOT_TOKEN: 'xoxb', HOME: '/home/x' });
    expect(env).toEqual({ PATH: '/bin', HOME: '/home/x', GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never', LC_ALL: 'C', LANGUAGE: 'C' });
  });
});

describe('why origin refused a push', () => {
  const run = (stderr: string, stdout = '') => ({ exitCode: 1, stdout, stderr, timedOut: false });

  it('tells a protected branch, a non-fast-forward, a hook, credentials and an unreachable origin apart', () => {
    const origin = 'https://github.com/acme/widgets.git';
    expect(pushRefusal('dispatch/x', origin, run('remote: error: GH006: Protected branch update failed for refs/heads/dispatch/x.\n ! [remote rejected] dispatch/x -> dispatch/x (protected branch hook declined)'))).toBe(
      "Can't push dispatch/x: origin protects that branch name (GH006: Protected branch update failed for refs/heads/dispatch/x.). Set a branch prefix its protection rules leave open (`branch_prefix` under `repos:` or `limits:`), or ask a repository admin.",
    );
    expect(pushRefusal('dispatch/x', origin, run('error: failed to push some refs', '!\trefs/heads/dispatch/x:refs/heads/dispatch/x\t[rejected] (fetch first)'))).toMatch(/origin already has a dispatch\/x with commits this one lacks/);
    expect(pushRefusal('dispatch/x', origin, run(' ! [remote rejected] dispatch/x -> dispatch/x (pre-receive hook declined)'))).toMatch(/origin rejected it \(pre-receive hook declined\)/);
    expect(pushRefusal('dispatch/x', origin, run("fatal: could not read Username for 'https://github.com': terminal prompts disabled"))).toMatch(/refused the runner's git credentials/);
    expect(pushRefusal('dispatch/x', origin, run("fatal: unable to access 'https://github.com/acme/widgets.git/': Could not resolve host: github.com"))).toMatch(/the runner could not reach origin/);
  });
});

describe('the pull request', () => {
  it('takes its title from the task, or from the issue when the task only names one', () => {
    expect(pullRequestTitle('add a changelog\nfor the release', [])).toBe('Add a changelog for the release');
    expect(pullRequestTitle('fix #7', ['Login fails on Safari'])).toBe('Login fails on Safari');
    expect(pullRequestTitle('x'.repeat(300), []).length).toBe(100);
    expect(pullRequestTitle('use opus to add a changelog, in a worktree', [], 'opus')).toBe('Add a changelog');
    expect(pullRequestTitle('use opus to fix #7 in a worktree', ['Login fails on Safari'], 'opus')).toBe('Login fails on Safari');
    expect(pullRequestTitle('use the cache to speed up search', [], 'opus')).toBe('Use the cache to speed up search');
  });

  it('is output.md, who dispatched it with which model and a link to the thread, and Fixes lines', () => {
    const body = pullRequestBody({
      report: '# Output\n\nDone.',
      requester: '@alice',
      model: 'opus',
      thread: 'https://slack.example/archives/C1/p1',
      issues: [
        { repo: 'acme/widgets', number: 7, local: true },
        { repo: 'acme/api', number: 3, local: false },
      ],
    });
    expect(body).toBe('# Output\n\nDone.\n\n---\n\nDispatched by @alice with opus · [thread](https://slack.example/archives/C1/p1)\n\nFixes #7\nFixes acme/api#3\n');
  });

  it("gives a review successor each open remark with where it sits and who made it", () => {
    const text = reviewContext({ number: 4, url: 'https://x/pull/4' }, [{ author: 'dave', body: 'rename\nthis', path: 'a.ts', line: 9, outdated: true }, { author: 'erin', body: 'Needs tests.' }]);
    expect(text).toBe('## Unresolved review comments on pull request #4 (https://x/pull/4)\n\n1. dave on a.ts:9 (outdated: the code has changed since):\n   rename\n   this\n\n2. erin:\n   Needs tests.');
  });
});

describe('branch prefix config', () => {
  it('takes dispatch/ by default, none, or a team\'s own; refuses what git would', () => {
    expect(ConfigFile.parse({}).limits.branch_prefix).toBe('dispatch/');
    expect(ConfigFile.parse({ limits: { branch_prefix: '' } }).limits.branch_prefix).toBe('');
    expect(ConfigFile.parse({ repos: { web: { path: '/w', branch_prefix: 'bots/ai-' } } }).repos.web?.branch_prefix).toBe('bots/ai-');
    for (const bad of ['-x', '/x', 'a//b', 'a..b/', 'a.lock/', 'has space/']) expect(ConfigFile.safeParse({ limits: { branch_prefix: bad } }).success, bad).toBe(false);
  });
});
