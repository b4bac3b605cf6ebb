import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** Where a checkout keeps its git data: its own git directory and the one its worktrees share. */
export interface GitDirs {
  gitDir: string;
  /** Holds `info/exclude`, the branches and `packed-refs`; shared by every worktree of the repo. */
  commonDir: string;
}

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
/** Symbolic refs followed before giving up (git itself stops at 5). */
const MAX_LINKS = 5;

/**
 * A launch asked git twice (rev-parse, check-ref-format) before its `worktree add`, a process
 * each: most of the gap between a chat line and its worker on a small repository. What those
 * calls told is read here from the files git keeps, in the plain case only: `<repo>/.git` is the
 * repository's own (not a subdirectory of one), no GIT_DIR-style variable redirects git, and
 * refs are files (not reftable). Anything else gives undefined, and the caller asks git. The
 * files are a few bytes each, read at once rather than queued behind
 * every other file a busy runner reads (a handful of round trips through libuv's four threads).
 */
export function readGitDirs(repoPath: string, env: NodeJS.ProcessEnv = process.env): GitDirs | undefined {
  if (env.GIT_DIR || env.GIT_COMMON_DIR || env.GIT_WORK_TREE) return undefined;
  try {
    const dotGit = join(repoPath, '.git');
    const info = statSync(dotGit);
    let gitDir = dotGit;
    if (!info.isDirectory()) {
      const link = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
      if (!link) return undefined;
      gitDir = isAbsolute(link) ? link : resolve(repoPath, link);
    }
    const common = readIfThere(join(gitDir, 'commondir'))?.trim();
    return { gitDir, commonDir: common ? resolve(gitDir, common) : gitDir };
  } catch {
    return undefined;
  }
}

/** The commit HEAD is on, read from HEAD, the loose ref or `packed-refs`; undefined when that is not plain (the caller asks git). */
export function readHead(dirs: GitDirs): string | undefined {
  try {
    let text = readFileSync(join(dirs.gitDir, 'HEAD'), 'utf8').trim();
    for (let link = 0; link < MAX_LINKS; link++) {
      if (SHA.test(text)) return text;
      const ref = /^ref: (refs\/heads\/\S+)$/.exec(text)?.[1];
      if (!ref) return undefined;
      const loose = readIfThere(join(dirs.commonDir, ref));
      if (loose === undefined) return packedRef(dirs.commonDir, ref);
      text = loose.trim();
    }
  } catch {
    // Unreadable or laid out otherwise (reftable keeps `refs/heads` as a file): git knows.
  }
  return undefined;
}

function packedRef(commonDir: string, ref: string): string | undefined {
  const packed = readIfThere(join(commonDir, 'packed-refs')) ?? '';
  for (const line of packed.split('\n')) {
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha && SHA.test(sha)) return sha;
  }
  return undefined;
}

/** The file's text, undefined when it does not exist; any other failure is thrown. */
function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
