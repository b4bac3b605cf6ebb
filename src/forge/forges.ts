import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { execa } from 'execa';
import { ForgeError } from '../errors/index.js';
import { packageVersion } from '../util/package.js';
import { GitHubForge, webHostOf } from './github.js';
import { parseRemote, safeRemote } from './origin.js';
import type { Forge, ForgeRepo } from './port.js';

/** A forge and the repository on it that a git remote names. */
export interface ForgeTarget {
  forge: Forge;
  repo: ForgeRepo;
}

/** The forges the bot can talk to, chosen by a repository's `origin`. */
export interface Forges {
  /** The web host of the forge the bot talks to when a reference names no host (`owner/repo#7`). */
  readonly host: string;
  /**
   * The forge and repository `origin` names. Throws a ForgeError naming what to fix: a remote
   * on no forge the bot knows, or no token for it.
   */
  forRemote(remoteUrl: string): ForgeTarget;
  /**
   * `origin`'s URL in a checkout on this machine, or undefined (no such remote, or the checkout
   * lives only on runner hosts). Pushing reads it where the worktree is; this is for naming the
   * repository before any task exists ("fix #7").
   */
  originOf(repoPath: string): Promise<string | undefined>;
}

export const DEFAULT_GITHUB_API = 'https://api.github.com';

/**
 * GitHub from the bot's environment: GITHUB_TOKEN, and GITHUB_API_URL for GitHub Enterprise
 * (https://<host>/api/v3) or a test server. The token is read here and nowhere else; workers
 * never see it.
 */
export function forgesFromEnv(env: NodeJS.ProcessEnv): Forges {
  const apiUrl = env.GITHUB_API_URL?.trim() || DEFAULT_GITHUB_API;
  const token = env.GITHUB_TOKEN?.trim() ?? '';
  const github = new GitHubForge({ token, apiUrl, userAgent: `dispatch-bot/${packageVersion()}` });
  const host = webHostOf(apiUrl);
  return {
    host,
    forRemote(remoteUrl) {
      const repo = github.repoOf(remoteUrl);
      if (!repo) throw new ForgeError(notOnGitHub(remoteUrl, host));
      if (!token) throw new ForgeError(`GITHUB_TOKEN is not set, so the bot cannot talk to GitHub about ${repo.owner}/${repo.name}: give the bot a token with pull request write and issue read access to it.`);
      return { forge: github, repo };
    },
    originOf: localOrigin,
  };
}

export async function localOrigin(repoPath: string): Promise<string | undefined> {
  if (!existsSync(repoPath)) return undefined;
  const run = await execa('git', ['config', '--get', 'remote.origin.url'], { cwd: repoPath, reject: false, stdin: 'ignore' });
  const url = String(run.stdout).trim();
  return run.exitCode === 0 && url ? url : undefined;
}

/** Why a remote names no repository on the GitHub the bot talks to, and what to set. */
function notOnGitHub(remoteUrl: string, host: string): string {
  const shown = safeRemote(remoteUrl);
  const where = parseRemote(remoteUrl);
  if (where && where.host !== host) {
    return `origin (${shown}) is on ${where.host}, and the bot talks to GitHub at ${host}: set GITHUB_API_URL to that host's API (GitHub Enterprise: https://${where.host}/api/v3) to open pull requests there.`;
  }
  if (where) return `origin (${shown}) is not an <owner>/<repo> on GitHub: point origin at the GitHub repository (git remote set-url origin <url>).`;
  if (isAbsolute(remoteUrl) || remoteUrl.startsWith('file:') || remoteUrl.startsWith('.')) {
    return `origin is ${shown}, a path on disk, not a repository on GitHub: point origin at the GitHub repository (git remote set-url origin <url>).`;
  }
  return `origin (${shown}) is not a URL the bot can read as a repository: set it to https://${host}/<owner>/<repo>.git or git@${host}:<owner>/<repo>.git.`;
}
