import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { join } from 'node:path';
import { startFakeGitHub, type FakeGitHub, type FakeRepo } from '../fakes/github-server.js';

const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();

/**
 * A repository's `origin` on a fake GitHub: the remote URL is the fake's own host
 * (`http://127.0.0.1:<port>/acme/widgets.git`, so the bot reads it as acme/widgets on the GitHub
 * that GITHUB_API_URL names), and git's `url.<base>.insteadOf` sends its pushes and fetches to a
 * bare repository on disk. Hooks in the bare repository record pushes and can refuse them as
 * GitHub does.
 */
export class ForgeOrigin {
  readonly bare: string;
  readonly url: string;
  readonly fullName: string;
  private readonly pushLog: string;

  private constructor(
    readonly github: FakeGitHub,
    root: string,
    readonly repoDir: string,
    owner: string,
    name: string,
  ) {
    this.fullName = `${owner}/${name}`;
    const remotes = join(root, 'remotes');
    this.bare = join(remotes, owner, `${name}.git`);
    this.url = `${github.apiUrl}/${owner}/${name}.git`;
    this.pushLog = join(root, 'pushes.log');
    mkdirSync(this.bare, { recursive: true });
    git(this.bare, 'init', '-q', '--bare', '-b', 'main');
    git(repoDir, 'remote', 'add', 'origin', this.url);
    git(repoDir, 'config', `url.${remotes}/.insteadOf`, `${github.apiUrl}/`);
    git(repoDir, 'push', '-q', 'origin', 'main');
    this.hook('post-receive', `while read old new ref; do echo "$ref $new" >> '${this.pushLog}'; done\n`);
    github.repo(this.fullName, this.bare);
  }

  /** Make `owner/name` on `github` the origin of `repoDir` (temp files under `root`). */
  static attach(github: FakeGitHub, root: string, repoDir: string, owner = 'acme', name = 'widgets'): ForgeOrigin {
    return new ForgeOrigin(github, root, repoDir, owner, name);
  }

  get repo(): FakeRepo {
    return this.github.repo(this.fullName);
  }

  /** Refs pushed to the bare repository, oldest first (`refs/heads/x <sha>`). */
  pushes(): string[] {
    return existsSync(this.pushLog) ? readFileSync(this.pushLog, 'utf8').split('\n').filter(Boolean) : [];
  }

  /** The commit a branch points at on origin, or '' when origin has no such branch. */
  head(branch: string): string {
    try {
      return git(this.bare, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`);
    } catch {
      return '';
    }
  }

  /** Refuse pushes to branches starting with `prefix` the way GitHub's branch protection does. */
  protect(prefix: string): void {
    this.hook(
      'pre-receive',
      `while read old new ref; do case "$ref" in refs/heads/${prefix}*) echo "error: GH006: Protected branch update failed for $ref." >&2; echo "error: Changes must be made through a pull request." >&2; exit 1;; esac; done\n`,
    );
  }

  /** Take branch protection away again. */
  unprotect(): void {
    rmSync(join(this.bare, 'hooks', 'pre-receive'), { force: true });
  }

  /** Delete a branch from origin. */
  forget(branch: string): void {
    git(this.bare, 'update-ref', '-d', `refs/heads/${branch}`);
  }

  /** Put a commit on `branch` in origin that the task's branch does not have (someone else pushed). */
  diverge(branch: string, work: string): void {
    const clone = join(work, 'diverge');
    git(work, 'clone', '-q', this.bare, clone);
    git(clone, 'checkout', '-q', '-b', branch);
    writeFileSync(join(clone, 'theirs.txt'), 'pushed by someone else\n');
    git(clone, 'add', '.');
    git(clone, '-c', 'user.name=Other', '-c', 'user.email=other@example.com', 'commit', '-qm', 'their change');
    git(clone, 'push', '-q', 'origin', branch);
  }

  private hook(name: string, body: string): void {
    const path = join(this.bare, 'hooks', name);
    writeFileSync(path, `#!/bin/sh\n${body}`);
    chmodSync(path, 0o755);
  }

}

/** A fake GitHub, and the environment that points the bot at it. */
export async function fakeGitHubEnv(): Promise<{ github: FakeGitHub; env: Record<string, string> }> {
  const github = await startFakeGitHub();
  return { github, env: { GITHUB_TOKEN: github.token, GITHUB_API_URL: github.apiUrl } };
}

/**
 * The refusals every surface must say in one line, in turn, each undone before the next: origin
 * protecting the branch, origin holding commits the branch lacks, GitHub refusing the token (401)
 * and the permission (403), GitHub failing (502). `openPr` asks for the pull request (a press, or
 * "open a PR") and resolves with the one line the thread got. No pull request is opened meanwhile.
 */
export async function refusalTour(origin: ForgeOrigin, branch: string, scratch: string, openPr: () => Promise<string>): Promise<void> {
  const github = origin.github;
  const says = async (pattern: RegExp): Promise<void> => {
    const line = await openPr();
    expect(line).toMatch(pattern);
    expect(line).not.toContain('\n');
  };
  origin.protect('dispatch/');
  await says(new RegExp(`Can't push ${branch}: origin protects that branch name \\(GH006: Protected branch update failed for refs/heads/${branch}\\.\\)\\. Set a branch prefix its protection rules leave open`));
  expect(github.callsTo('POST', /\/pulls$/)).toEqual([]);
  origin.unprotect();
  origin.diverge(branch, scratch);
  await says(new RegExp(`Can't push ${branch}: origin already has a ${branch} with commits this one lacks\\. Merge origin's ${branch} into the task's worktree, or delete that branch on origin`));
  origin.forget(branch);
  github.fail('GET', /\/pulls$/, 401, { message: 'Bad credentials' });
  await says(/GitHub refused GITHUB_TOKEN \(401: Bad credentials\): set a valid token for the bot\.$/);
  github.heal();
  github.fail('POST', /\/pulls$/, 403, { message: 'Resource not accessible by integration' });
  await says(new RegExp(`GitHub refused to open a pull request for ${branch} on acme/widgets \\(403: Resource not accessible by integration\\): give GITHUB_TOKEN write access to pull requests`));
  github.heal();
  github.fail('POST', /\/pulls$/, 502, { message: 'Server Error' });
  await says(new RegExp(`GitHub failed to open a pull request for ${branch} \\(502: Server Error\\); nothing was changed there\\. Try again in a minute\\.$`));
  github.heal();
  expect(origin.repo.pulls).toEqual([]);
}
