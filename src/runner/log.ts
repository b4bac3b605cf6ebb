import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

const TAIL_BYTES = 256 * 1024;

/** The last `lines` lines of a log file from byte `from` on ('' when there is none). */
export async function tailLog(path: string, lines: number, from = 0): Promise<string> {
  if (lines <= 0) return '';
  try {
    const size = (await stat(path)).size;
    const start = Math.max(from, size - TAIL_BYTES);
    if (start >= size) return '';
    const handle = await open(path, 'r');
    try {
      const buf = Buffer.alloc(size - start);
      await handle.read(buf, 0, buf.length, start);
      const all = buf.toString('utf8').replace(/\n$/, '').split('\n');
      return all.slice(-lines).join('\n');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

/**
 * Follows a log file the worker writes to directly (not through a pipe, so the worker survives
 * the bot): each `read()` returns the complete lines added since the last one.
 */
export class LogFollower {
  private offset: number;
  private partial = '';
  /** Keeps a multi-byte character split across two reads whole. */
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly path: string,
    offset = 0,
  ) {
    this.offset = offset;
  }

  async read(): Promise<string[]> {
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch {
      return [];
    }
    if (size <= this.offset) return [];
    const handle = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(Math.min(size - this.offset, 4 * 1024 * 1024));
      const { bytesRead } = await handle.read(buf, 0, buf.length, this.offset);
      this.offset += bytesRead;
      const text = this.partial + this.decoder.write(buf.subarray(0, bytesRead));
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      return lines;
    } finally {
      await handle.close();
    }
  }

  /** The unterminated last line, once the worker has exited. */
  flush(): string[] {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest ? [rest] : [];
  }
}
