import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forgesFromEnv } from '../../src/forge/forges.js';
import { GitHubForge } from '../../src/forge/github.js';
import { startFakeGitHub } from '../fakes/github-server.js';
import { runForgeContract } from '../contract/forge.contract.js';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();

/** The real @octokit/rest against the fake GitHub, whose repository is a bare git repository. */
runForgeContract('GitHub (@octokit/rest)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'dispatch-forge-'));
  const github = await startFakeGitHub();
  const bare = join(root, 'widgets.git');
  const work = join(root, 'work');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  git(root, 'init', '-q', '-b', 'main', work);
  writeFileSync(join(work, 'README.md'), '# widgets\n');
  git(work, 'add', '.');
  git(work, '-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'initial');
  git(work, 'push', '-q', bare, 'main');
  const repo = github.repo('acme/widgets', bare);
  const forge = new GitHubForge({ token: github.token, apiUrl: github.apiUrl, userAgent: 'dispatch-bot-test' });
  return {
    forge,
    token: github.token,
    remote: `${github.apiUrl}/acme/widgets.git`,
    foreignRemote: 'git@gitlab.example.com:acme/widgets.git',
    defaultBranch: 'main',
    pushBranch: (branch) => git(work, 'push', '-q', bare, `main:refs/heads/${branch}`),
    addIssue: (number, title, body) => repo.issues.set(number, { title, body }),
    review: (pr, comments, changesRequested) => {
      repo.threads.set(pr, comments.map((c) => ({ resolved: c.resolved, path: c.path, line: c.line, comments: [{ author: c.author, body: c.body }] })));
      if (changesRequested) repo.reviews.set(pr, [{ author: changesRequested.author, state: 'CHANGES_REQUESTED', body: changesRequested.body }]);
    },
    failWith: (status) => {
      for (const method of ['GET', 'POST']) github.fail(method, /./, status, { message: `Injected ${status}` });
    },
    heal: () => github.heal(),
    close: async () => {
      await github.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
});

describe('which forge a remote is on', () => {
  const env = (extra: Record<string, string>) => ({ GITHUB_TOKEN: 'ghp_0123456789abcdef', ...extra });

  it('reads github.com remotes in every form git writes them, credentials and all', () => {
    const forges = forgesFromEnv(env({}));
    for (const url of [
      'https://github.com/acme/widgets.git',
      'https://x-access-token:ghp_secret123456@github.com/acme/widgets',
      'git@github.com:acme/widgets.git',
      'ssh://git@github.com:22/acme/widgets.git',
    ]) {
      expect(forges.forRemote(url).repo, url).toEqual({ owner: 'acme', name: 'widgets' });
    }
  });

  it('says what to set for a remote elsewhere, a path on disk, or no token, without the credentials in the URL', () => {
    expect(() => forgesFromEnv(env({})).forRemote('https://user:hunter2hunter2@ghe.corp.example/acme/widgets.git')).toThrow(
      'origin (https://***@ghe.corp.example/acme/widgets.git) is on ghe.corp.example, and the bot talks to GitHub at github.com: set GITHUB_API_URL to that host\'s API (GitHub Enterprise: https://ghe.corp.example/api/v3) to open pull requests there.',
    );
    expect(() => forgesFromEnv(env({})).forRemote('/srv/git/widgets.git')).toThrow(/a path on disk, not a repository on GitHub/);
    expect(() => forgesFromEnv({}).forRemote('git@github.com:acme/widgets.git')).toThrow(/^GITHUB_TOKEN is not set, so the bot cannot talk to GitHub about acme\/widgets/);
    const ghe = forgesFromEnv(env({ GITHUB_API_URL: 'https://ghe.corp.example/api/v3' }));
    expect(ghe.forRemote('git@ghe.corp.example:acme/widgets.git').repo).toEqual({ owner: 'acme', name: 'widgets' });
    expect(ghe.host).toBe('ghe.corp.example');
  });
});
