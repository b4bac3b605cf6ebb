import { constants } from 'node:fs';
import { mkdir, open, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MAX_TASK_FILES, MAX_TASK_FILES_BYTES, SafeFileName, safeFileName, sizeText, type TaskFile } from '../task/index.js';

/**
 * The request's files, written into `in/` before the worker starts. Each name is checked again
 * here (it came over a queue): nothing but a plain name inside `in/` is ever created.
 */
export async function writeInFiles(dir: string, files: readonly TaskFile[]): Promise<void> {
  if (files.length === 0) return;
  await mkdir(dir, { recursive: true });
  for (const file of files) {
    const name = SafeFileName.parse(file.name);
    if (basename(name) !== name) throw new Error(`refused the attached file name ${JSON.stringify(name)}`);
    await writeFile(join(dir, name), Buffer.from(file.data, 'base64'), { flag: 'wx' });
  }
}

/** The files in `in/` (a successor worker is told of them too), by name. */
export async function inFileNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => e.name).sort();
}

export interface OutFiles {
  files: TaskFile[];
  /** Each file left behind, with why. */
  skipped: string[];
}

/**
 * What the worker left in `out/` for the thread: plain files at its top level only (a link is
 * never followed, a folder never walked), as many and as big as a finish event may carry.
 * Hidden files (a temp file of an atomic write) are no one's output and are passed over.
 */
export async function readOutFiles(dir: string): Promise<OutFiles> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: OutFiles = { files: [], skipped: [] };
  const taken = new Set<string>();
  let total = 0;
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    if (!entry.isFile()) {
      out.skipped.push(`${entry.name} (not a plain file)`);
      continue;
    }
    if (out.files.length >= MAX_TASK_FILES) {
      out.skipped.push(`${entry.name} (past the first ${MAX_TASK_FILES} files)`);
      continue;
    }
    const data = await readAtMost(join(dir, entry.name), MAX_TASK_FILES_BYTES - total);
    if (data === undefined) continue;
    if (typeof data === 'number') {
      out.skipped.push(`${entry.name} (${sizeText(data)}, past the ${sizeText(MAX_TASK_FILES_BYTES)} a task's files may hold together)`);
      continue;
    }
    const name = safeFileName(entry.name, taken);
    taken.add(name);
    total += data.byteLength;
    out.files.push({ name, data: data.toString('base64') });
  }
  return out;
}

/** The file's bytes, or its size when that is over `max`; undefined when it cannot be read (gone, a link). */
async function readAtMost(path: string, max: number): Promise<Buffer | number | undefined> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const { size } = await handle.stat();
    if (size > max) return size;
    return await handle.readFile();
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
