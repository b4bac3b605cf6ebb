import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareWorktree, removeWorktree } from '../../src/runner/worktree.js';
import { Stack, makeRepo } from '../support/stack.js';

const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude }\n';
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

let stack: Stack | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('removing a task worktree', () => {
  it('keeps a worktree with uncommitted changes and says so', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dispatch-wt-'));
    dirs.push(root);
    const repo = makeRepo(join(root, 'repo'));
    const work = await prepareWorktree(repo, 'half-done', false);
    writeFileSync(join(work.dir, 'README.md'), '# edited, not committed\n');
    const result = await removeWorktree(repo, work.dir, 'dispatch/half-done');
    expect(result).toEqual({ removed: false, message: expect.stringContaining('1 uncommitted change') });
    expect(existsSync(join(work.dir, 'README.md'))).toBe(true);
  });

  it('refuses a path that is not a dispatch worktree', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dispatch-wt-'));
    dirs.push(root);
    const repo = makeRepo(join(root, 'repo'));
    await expect(removeWorktree(repo, repo, 'main')).rejects.toThrow(/not a dispatch worktree/);
    expect(existsSync(join(repo, 'README.md'))).toBe(true);
  });

  it('`cleanup <id>` removes a finished task worktree and keeps a branch with commits for review', async () => {
    stack = await Stack.start({ config: `${CONFIG}access:\n  admin: [boss]\n` });
    await stack.say('use opus to add a changelog in a worktree fake:items=1 fake:commit=2');
    const id = stack.surface.posts.find((p) => p.reply.title)?.reply.title as string;
    await stack.waitFor(new RegExp(`\\*\\*${id}\\*\\* is done`));
    const path = join(stack.repo, '.dispatch', 'worktrees', id);
    expect(existsSync(path)).toBe(true);
    await stack.say(`cleanup ${id}`, 'mallory');
    await stack.waitForEphemeral(/Only <@alice>/, 'mallory');
    expect(existsSync(path)).toBe(true);
    await stack.say(`cleanup ${id}`);
    await stack.waitFor(new RegExp(`kept branch dispatch/${id} \\(2 commits to review\\)`));
    expect(existsSync(path)).toBe(false);
    expect(git(stack.repo, 'branch', '--list', `dispatch/${id}`)).toContain(id);
  });

  it('with limits.worktree_cleanup: when-empty, a done task without commits gives its worktree and branch back', async () => {
    stack = await Stack.start({ config: `${CONFIG}limits:\n  worktree_cleanup: when-empty\n` });
    await stack.say('use opus to read the docs in a worktree fake:items=1');
    const id = stack.surface.posts.find((p) => p.reply.title)?.reply.title as string;
    const done = await stack.waitFor(new RegExp(`\\*\\*${id}\\*\\* is done`));
    expect(stack.surface.latest(done).text).toContain(`Removed the worktree and branch dispatch/${id} (it had no commits).`);
    expect(existsSync(join(stack.repo, '.dispatch', 'worktrees', id))).toBe(false);
    expect(git(stack.repo, 'branch', '--list', `dispatch/${id}`)).toBe('');
  });
});
