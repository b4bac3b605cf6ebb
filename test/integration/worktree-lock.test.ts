import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRepo } from '../support/bot-env.js';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));
const WORKTREE = fileURLToPath(new URL('../../src/runner/worktree.ts', import.meta.url));

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A separate process (as a second runner is) making `count` task worktrees in `repo`; prints one line per failure. */
function runnerProcess(repo: string, stem: string, count: number): Promise<string> {
  const script = `const { prepareWorktree } = await import(${JSON.stringify(pathToFileURL(WORKTREE).href)});
    await Promise.all(Array.from({ length: ${count} }, (_, i) => prepareWorktree(${JSON.stringify(repo)}, '${stem}-' + i, false).catch((e) => console.log('FAILED ' + e.message))));`;
  const file = join(root, `${stem}.mts`);
  writeFileSync(file, script);
  const child = spawn(process.execPath, [RUN_TS, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve) => child.on('exit', () => resolve(out)));
}

describe('worktrees made by several runner processes sharing one repository', () => {
  it('all come out whole (git alone fails on "commondir" when two add at once)', async () => {
    root = mkdtempSync(join(tmpdir(), 'dispatch-wtlock-'));
    const repo = makeRepo(join(root, 'repo'));
    const outputs = await Promise.all(['a', 'b', 'c'].map((stem) => runnerProcess(repo, stem, 6)));
    expect(outputs.join('')).toBe('');
    const listed = execFileSync('git', ['worktree', 'list', '--porcelain'], { cwd: repo, encoding: 'utf8' });
    expect(listed.match(/^worktree /gm)).toHaveLength(1 + 18);
  }, 120_000);
});
