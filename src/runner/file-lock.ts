import { rmSync, writeFileSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';

/** A holder that has not let go after this long is taken to have died mid-work. */
const STALE_MS = 120_000;

/**
 * Run `work` holding a lock file that other processes respect: runner processes sharing one
 * repository must not add worktrees at the same moment (git fails with "failed to read
 * .git/worktrees/<name>/commondir" when two `git worktree add` run at once). A lock whose holder
 * is gone (its pid no longer runs, or it is older than STALE_MS) is taken over.
 */
export async function withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      // Taken and let go synchronously: a few bytes, and every launch of a worktree waits on it.
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStale(path)) {
        await rm(path, { force: true });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, 10 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random())));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(path, { force: true });
  }
}

async function isStale(path: string): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    if (Date.now() - info.mtimeMs > STALE_MS) return true;
    const pid = Number(text.trim());
    // Written but not yet filled in by its holder: not stale.
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    return false;
  }
}
