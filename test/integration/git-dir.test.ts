import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readGitDirs, readHead } from '../../src/runner/git-dir.js';
import { prepareWorktree } from '../../src/runner/worktree.js';
import { TempDirs } from '../fixtures/fake-agent-support.js';

const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const commit = (cwd: string, message: string): void => void git(cwd, '-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'commit', '-q', '--allow-empty', '-m', message);

/** What git itself says, for comparison with what is read from the files. */
const asGit = (cwd: string) => ({ commonDir: realpathSync(resolve(cwd, git(cwd, 'rev-parse', '--git-common-dir'))), head: git(cwd, 'rev-parse', 'HEAD') });
const read = (cwd: string) => {
  const dirs = readGitDirs(cwd, {});
  return { commonDir: dirs && realpathSync(dirs.commonDir), head: dirs && readHead(dirs) };
};

describe('git facts read from the files git keeps', () => {
  const temp = new TempDirs();
  afterEach(() => temp.removeAll());

  it('agrees with git for a branch as a loose ref, a packed ref, a detached HEAD and a linked worktree', async () => {
    const repo = temp.repo();
    commit(repo, 'second');
    expect(read(repo)).toEqual(asGit(repo));
    git(repo, 'pack-refs', '--all');
    expect(read(repo)).toEqual(asGit(repo));
    git(repo, 'checkout', '-q', '--detach', 'HEAD~1');
    expect(read(repo)).toEqual(asGit(repo));
    git(repo, 'checkout', '-q', 'main');
    const linked = join(temp.make('linked'), 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'side', linked);
    commit(linked, 'on side');
    expect(read(linked)).toEqual(asGit(linked));
  });

  it('leaves git to answer when the case is not plain: no commit yet, a subdirectory, GIT_DIR set', async () => {
    const empty = temp.make('empty');
    git(empty, 'init', '-q');
    const dirs = readGitDirs(empty, {});
    expect(dirs).toBeDefined();
    expect(dirs && readHead(dirs)).toBeUndefined();
    const repo = temp.repo();
    mkdirSync(join(repo, 'sub'));
    expect(readGitDirs(join(repo, 'sub'), {})).toBeUndefined();
    expect(readGitDirs(repo, { GIT_DIR: join(repo, '.git') })).toBeUndefined();
  });

  it('a worktree task on a branch name git refuses still fails as an invalid name, leaving nothing behind', async () => {
    const repo = temp.repo();
    await expect(prepareWorktree(repo, 'bad-name', false, undefined, { name: 'feature..x' })).rejects.toThrow('"feature..x" is not a valid branch name');
    expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(git(repo, 'branch', '--list')).toBe('* main');
  });

  it('a worktree task on a repository without a commit says so', async () => {
    const empty = temp.make('empty');
    git(empty, 'init', '-q');
    await expect(prepareWorktree(empty, 'too-soon', false)).rejects.toThrow('has no commit yet');
  });
});
