import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { SavedTaskSpec, type TaskReport } from '../task/index.js';
import { SEQ, type TaskPaths } from './paths.js';

/**
 * `read` with the file open for reading, synchronously, closed after; undefined when the file
 * cannot be opened or `read` throws (a file gone in the meantime is no answer, not an error).
 */
export function readOpenFile<T>(path: string, read: (fd: number) => T): T | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    return read(fd);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Write so a reader sees the old file or the new one, never half of it. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temp, text);
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The first `bytes` of a file as text (a report's head for a summary), undefined when it cannot be read. */
export async function readHead(path: string, bytes: number): Promise<string | undefined> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
      return new TextDecoder('utf-8').decode(buffer.subarray(0, bytesRead), { stream: true });
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * File times come from the kernel's coarse clock (a tick of up to 10 ms): two writes in one tick
 * leave the same size and mtime behind. A stamp read within this margin of its mtime may hide a
 * later write, so the file is read again on the next look (git calls such entries "racily clean").
 */
const RACY_MS = 1000;

/** True when `stamp` was taken too soon after its file changed to prove nothing changed since. */
export function racyStamp(stamp: string | undefined, takenAt: number): boolean {
  const mtime = Number(stamp?.split(':')[2]);
  return Number.isFinite(mtime) && takenAt - mtime < RACY_MS;
}

/**
 * What changes when a file is rewritten (a rename gives a new inode) or appended to; undefined
 * when it is missing. Synchronous: a stat takes a few microseconds, its promise form five times
 * the CPU (a hop to the thread pool and back), and a watcher stamps its files at every look.
 */
export function stampOf(path: string): string | undefined {
  try {
    const s = statSync(path, { throwIfNoEntry: false });
    return s ? `${s.ino}:${s.size}:${s.mtimeMs}` : undefined;
  } catch {
    return undefined;
  }
}

/** A question file as the worker wrote it: some text, trimmed. */
const QuestionText = z.string().trim().min(1).max(20_000);
/** Read of a question file: enough for its longest allowed text in any encoding, never the whole of a huge file. */
const QUESTION_BYTES = 4 * 20_000 + 4;

export interface IpcState {
  /** Questions with no answer and no ack yet, oldest first. */
  open: { seq: string; text: string }[];
  answered: string[];
  finished: boolean;
}

export async function readIpc(paths: TaskPaths): Promise<IpcState> {
  // A listing of a few names, taken synchronously for the reason stampOf is.
  const names = listNames(paths.ipc);
  const has = new Set(names);
  const open: IpcState['open'] = [];
  const answered: string[] = [];
  for (const name of names.sort()) {
    const m = /^(\d{3})\.question$/.exec(name);
    const seq = m?.[1];
    if (!seq || !SEQ.test(seq)) continue;
    if (has.has(`${seq}.answer`) || has.has(`${seq}.done`)) {
      answered.push(seq);
      continue;
    }
    const text = QuestionText.safeParse(await readHead(join(paths.ipc, name), QUESTION_BYTES));
    if (text.success) open.push({ seq, text: text.data });
  }
  return { open, answered, finished: has.has('.done') };
}

function listNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** What `worker.json` (task dir) and `<home>/workers/<id>.json` hold about a running worker. */
export const WorkerRecord = z.object({
  pid: z.number().int().positive(),
  pgid: z.number().int().positive(),
  startTicks: z.number().int().nonnegative().optional(),
  /** `NAME=value` in the worker's env, to find descendants that left its process group. */
  marker: z.string().optional(),
  startedAt: z.number(),
  dir: z.string(),
  branch: z.string().optional(),
  /** Commit the worktree branched from, for the finish report's commit count and diffstat. */
  base: z.string().optional(),
  spec: SavedTaskSpec,
});
export type WorkerRecord = z.infer<typeof WorkerRecord>;

export async function readWorkerRecord(path: string): Promise<WorkerRecord | undefined> {
  const text = await readText(path);
  if (text === undefined) return undefined;
  try {
    const parsed = WorkerRecord.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The most of output.md a finished event carries (a chat file upload, not a repository). */
const REPORT_MAX_BYTES = 1024 * 1024;

/**
 * All of output.md for a file upload, when the summary of its `head` had to cut it; undefined
 * when the summary is the whole report. Read only now, and only up to 1 MB.
 */
export async function reportOf(path: string, head: string): Promise<TaskReport | undefined> {
  if (summaryOf(head) === head.trim()) return undefined;
  const size = await stat(path).then((s) => s.size, () => 0);
  const text = (await readHead(path, REPORT_MAX_BYTES)) ?? head;
  return { path, text: size > REPORT_MAX_BYTES ? `${text}\n\n… (cut at 1 MB; the whole file is ${path})\n` : text };
}

/** First ~20 lines / 1500 characters of output.md: enough for a chat message. */
export function summaryOf(output: string): string {
  const head = output.split(/\r?\n/).slice(0, 20).join('\n').trim();
  return head.length > 1500 ? `${head.slice(0, 1499)}…` : head;
}
