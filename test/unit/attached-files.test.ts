import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildWorkerPrompt } from '../../src/runner/prompt.js';
import { taskPaths } from '../../src/runner/paths.js';
import { readOutFiles, writeInFiles } from '../../src/runner/attached-files.js';
import { SafeFileName, AttachedFiles, TaskSpec, safeFileName } from '../../src/task/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-files-'));
  dirs.push(dir);
  return dir;
};

describe('file names from chat', () => {
  it('never leave the folder, never hide, never read as an option', () => {
    for (const raw of ['../../etc/passwd', '..', '.', '.env', '-rf', 'a/b\\c.png', '/abs/path.txt', 'nul\u0000byte.txt', '\u202enot-png.exe', ' ', '']) {
      const name = safeFileName(raw);
      expect(SafeFileName.safeParse(name).success, `${JSON.stringify(raw)} → ${JSON.stringify(name)}`).toBe(true);
      expect(name).not.toMatch(/[/\\]/);
    }
    expect(safeFileName('../../etc/passwd')).toBe('etc_passwd');
    expect(safeFileName('Screen Shot 2026-11-29 at 10.00.png')).toBe('Screen Shot 2026-11-29 at 10.00.png');
    expect(safeFileName('スクリーンショット.png')).toBe('スクリーンショット.png');
  });

  it('are cut to 100 characters keeping the extension, and a name taken gets a suffix', () => {
    const long = safeFileName(`${'x'.repeat(300)}.png`);
    expect(long).toHaveLength(100);
    expect(long.endsWith('.png')).toBe(true);
    const taken = new Set(['shot.png', 'shot-2.png']);
    expect(safeFileName('shot.png', taken)).toBe('shot-3.png');
    expect(safeFileName('README', new Set(['README']))).toBe('README-2');
  });

  it('are checked again when they arrive over the queue', () => {
    expect(AttachedFiles.safeParse([{ name: '../x', data: '' }]).success).toBe(false);
    expect(AttachedFiles.safeParse([{ name: '.bashrc', data: '' }]).success).toBe(false);
    expect(AttachedFiles.safeParse([{ name: 'ok.txt', data: Buffer.from('hi').toString('base64') }]).success).toBe(true);
  });
});

describe('the task folder', () => {
  it('in/: the files are written as they came, and the prompt names them by absolute path', async () => {
    const paths = taskPaths(tempDir(), 'layout-bug');
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await writeInFiles(paths.filesIn, [{ name: 'shot.png', data: bytes.toString('base64') }]);
    const spec = TaskSpec.parse({ id: 'layout-bug', goal: 'fix it', repo: { name: 'app', path: paths.dir }, worktree: false, model: 'opus', backend: 'claude', timeoutMs: 0, requester: 'U1' });
    const prompt = buildWorkerPrompt(spec, paths, ['shot.png']);
    expect(prompt).toContain(`## Attached files`);
    expect(prompt).toContain(`- ${join(paths.filesIn, 'shot.png')}`);
    expect(buildWorkerPrompt(spec, paths)).not.toContain('## Attached files');
  });

  it('out/: plain files only; a link is not followed, a folder not walked, a hidden temp file passed over', async () => {
    const paths = taskPaths(tempDir(), 'chart');
    const secret = join(tempDir(), 'secret.txt');
    writeFileSync(secret, 'not for the thread');
    mkdirSync(join(paths.filesOut, 'nested'), { recursive: true });
    writeFileSync(join(paths.filesOut, 'chart.png'), Buffer.from([0, 1, 2, 255]));
    writeFileSync(join(paths.filesOut, '.chart.png.123.tmp'), 'half written');
    symlinkSync(secret, join(paths.filesOut, 'link.txt'));
    const out = await readOutFiles(paths.filesOut);
    expect(out.files).toEqual([{ name: 'chart.png', data: Buffer.from([0, 1, 2, 255]).toString('base64') }]);
    expect(out.skipped.sort()).toEqual(['link.txt (not a plain file)', 'nested (not a plain file)']);
  });
});
