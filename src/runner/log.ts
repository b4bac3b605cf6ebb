import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { open, stat, truncate } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { formatBytes } from '../util/bytes.js';

/** Bytes read from a log's end for a tail (`logs <id>`, the tail of a failed task). */
const TAIL_BYTES = 256 * 1024;
/** A tail is for people: each of its lines is cut to this. */
const TAIL_LINE_CHARS = 2000;
/** Longest line handed on: a longer one is cut (the rest of it is skipped, never buffered). */
export const LOG_LINE_CHARS = 64 * 1024;
/** Bytes a log may grow to; past it the file is cut back to its last LOG_KEEP_BYTES. */
export const LOG_MAX_BYTES = 16 * 1024 * 1024;
export const LOG_KEEP_BYTES = 2 * 1024 * 1024;
/** Bytes read from a log per follow step: a burst of output is taken in steps, not at once. */
const READ_BYTES = 1024 * 1024;

/** The last `lines` lines of a log file from byte `from` on ('' when there is none). */
export async function tailLog(path: string, lines: number, from = 0): Promise<string> {
  if (lines <= 0) return '';
  try {
    const size = (await stat(path)).size;
    // A log cut back since `from` was taken starts over: all of what is left is new.
    const start = Math.max(from > size ? 0 : from, size - TAIL_BYTES);
    if (start >= size) return '';
    const handle = await open(path, 'r');
    try {
      const buf = Buffer.alloc(size - start);
      await handle.read(buf, 0, buf.length, start);
      const all = buf.toString('utf8').replace(/\n$/, '').split('\n');
      return all
        .slice(-lines)
        .map((line) => (line.length > TAIL_LINE_CHARS ? `${line.slice(0, TAIL_LINE_CHARS)}…` : line))
        .join('\n');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

/**
 * Keep a log under LOG_MAX_BYTES: the worker writes it directly and may print without end. The
 * file is cut back to its last LOG_KEEP_BYTES behind a line saying so. The worker's descriptor
 * appends, so its next write lands at the new end; what it wrote during the cut itself is lost.
 * Returns the log's size after a cut, undefined when there was none.
 */
export async function capLog(path: string, notePrefix: string): Promise<number | undefined> {
  const size = await stat(path).then((s) => s.size, () => 0);
  if (size <= LOG_MAX_BYTES) return undefined;
  const handle = await open(path, 'r+');
  try {
    const kept = Buffer.alloc(LOG_KEEP_BYTES);
    const { bytesRead } = await handle.read(kept, 0, LOG_KEEP_BYTES, size - LOG_KEEP_BYTES);
    const note = Buffer.from(`${notePrefix}${new Date().toISOString()} log cut back: it reached ${formatBytes(size)}; the last ${formatBytes(bytesRead)} follow\n`);
    await truncate(path, 0);
    await handle.write(Buffer.concat([note, kept.subarray(0, bytesRead)]), 0, note.length + bytesRead, 0);
  } finally {
    await handle.close();
  }
  return stat(path).then((s) => s.size, () => 0);
}

/** The log's size now; undefined when there is none yet. */
export function logSize(path: string): number | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false })?.size;
  } catch {
    return undefined;
  }
}

/**
 * Follows a log file the worker writes to directly (not through a pipe, so the worker survives
 * the bot): each `read()` returns the complete lines added since the last one. Memory stays
 * bounded whatever the worker prints: at most READ_BYTES are read per call and a line is kept
 * only up to LOG_LINE_CHARS.
 */
export class LogFollower {
  private offset: number;
  /** The log's size at the last read (0 when it was missing); undefined before the first. */
  private size?: number;
  private partial = '';
  /** Keeps a multi-byte character split across two reads whole. */
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly path: string,
    offset = 0,
  ) {
    this.offset = offset;
  }

  /**
   * Synchronous file calls: a look at a log is a stat and, when it grew, a read of what was
   * appended (at most READ_BYTES), and their promise forms cost several times the CPU. A watcher
   * reads its worker's log at every write.
   */
  async read(): Promise<string[]> {
    const size = logSize(this.path);
    this.size = size ?? 0;
    if (size === undefined) return [];
    // Cut back (capLog) since the last read: follow it from its new start.
    if (size < this.offset) this.offset = 0;
    if (size <= this.offset) return [];
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    try {
      const buf = Buffer.allocUnsafe(Math.min(size - this.offset, READ_BYTES));
      const bytesRead = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += bytesRead;
      return this.split(this.decoder.write(buf.subarray(0, bytesRead)));
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Cut the log back when it grew too big (capLog). Reading goes on from the new end: the tail
   * kept was read already, or belongs to a burst too big to look at line by line anyway. The
   * size the last read saw decides whether to look (a log that grows past the limit after it is
   * cut at the next look).
   */
  async cap(notePrefix: string): Promise<void> {
    if (this.size !== undefined && this.size <= LOG_MAX_BYTES) return;
    const size = await capLog(this.path, notePrefix);
    if (size === undefined) return;
    this.offset = size;
    this.partial = '';
  }

  /** Complete lines out of `text`; a line is kept up to LOG_LINE_CHARS and the rest of it dropped. */
  private split(text: string): string[] {
    const lines: string[] = [];
    for (let start = 0; ; ) {
      const end = text.indexOf('\n', start);
      const piece = end < 0 ? text.slice(start) : text.slice(start, end);
      const room = LOG_LINE_CHARS - this.partial.length;
      if (room > 0) this.partial += piece.length > room ? piece.slice(0, room) : piece;
      if (end < 0) return lines;
      lines.push(this.partial);
      this.partial = '';
      start = end + 1;
    }
  }

  /** The unterminated last line, once the worker has exited. */
  flush(): string[] {
    const rest = (this.partial + this.decoder.end()).slice(0, LOG_LINE_CHARS);
    this.partial = '';
    return rest ? [rest] : [];
  }
}
