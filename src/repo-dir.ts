import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { packageRoot } from './util/package.js';

type Env = Record<string, string | undefined>;

/**
 * The repository tasks work on by default: `--repo PATH`, else `DISPATCH_REPO`, else the
 * directory the user ran the bot from. npm runs a package's scripts with the package folder as
 * the working directory and keeps the caller's directory in `INIT_CWD`; so when the bot finds
 * itself started inside its own checkout, `INIT_CWD` is where the user really was
 * (`npm --prefix ~/dispatch-bot start` run from their repository). Anywhere else (a linked
 * `dispatch-bot` command, a service unit) the working directory is the answer, and an `INIT_CWD`
 * inherited from some outer npm script means nothing.
 */
export function repoDir(flag: string | undefined, env: Env, cwd: string = process.cwd()): string {
  const named = flag ?? (env.DISPATCH_REPO?.trim() || undefined);
  if (named !== undefined) return checked(resolve(cwd, named), flag !== undefined ? '--repo' : 'DISPATCH_REPO');
  const fromNpm = env.INIT_CWD?.trim();
  if (fromNpm && resolve(cwd) === packageRoot()) return checked(resolve(fromNpm), 'INIT_CWD (where npm was run)');
  return resolve(cwd);
}

function checked(path: string, source: string): string {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new Error(`${source}: ${path} does not exist`);
  }
  if (!isDir) throw new Error(`${source}: ${path} is not a directory`);
  return path;
}
