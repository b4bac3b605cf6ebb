import { redact } from '../util/redact.js';

/** Where a git remote points: the forge's host and the repository's path on it. */
export interface RemoteLocation {
  /** Host name, lowercased, without port (an ssh remote and the web API differ in port). */
  host: string;
  /** Everything before the repository's name: `acme`, or a GitLab group path `acme/platform`. */
  owner: string;
  name: string;
}

const SCP_LIKE = /^(?:[^@\s/]{1,200}@)?([A-Za-z0-9.-]{1,253}):(?!\/\/)([^\s]{1,500})$/;

/**
 * Read a remote URL as git writes them: `https://host/owner/name(.git)`, `ssh://git@host/owner/name`,
 * `git@host:owner/name.git`. A local path (or a file: URL) names no forge: undefined.
 */
export function parseRemote(url: string): RemoteLocation | undefined {
  const text = url.trim();
  const scp = SCP_LIKE.exec(text);
  if (scp && !text.includes('://')) return located(scp[1] as string, scp[2] as string);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return undefined;
  }
  if (!['https:', 'http:', 'ssh:', 'git:', 'git+ssh:', 'ssh+git:'].includes(parsed.protocol) || !parsed.hostname) return undefined;
  return located(parsed.hostname, decodeURIComponent(parsed.pathname));
}

function located(host: string, path: string): RemoteLocation | undefined {
  const parts = path
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/')
    .filter(Boolean);
  if (parts.length < 2) return undefined;
  const name = parts.at(-1) as string;
  return { host: host.toLowerCase().replace(/^\[|\]$/g, ''), owner: parts.slice(0, -1).join('/'), name };
}

/** A remote URL as it may be shown or logged: credentials in it replaced by `***`. */
export function safeRemote(url: string): string {
  return redact(url);
}
