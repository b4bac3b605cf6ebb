import { messageOf } from '../errors/index.js';
import type { Download } from './download.js';

export interface FetchFileOptions {
  /** Stop (and say too big) past this many bytes, whatever the platform declared. */
  maxBytes: number;
  /** True for the hosts of the platform the file belongs to: the only ones asked, the only ones given `headers`. */
  allowed: (url: URL) => boolean;
  /** Sent with every request (a bot token): only ever to an allowed host. */
  headers?: Record<string, string>;
  timeoutMs?: number;
  /**
   * Why a web page answered instead of the file (a platform that shows its sign-in page to a
   * token without the right scope); unset, a page is taken as the file.
   */
  htmlMeans?: string;
}

const MAX_REDIRECTS = 3;
const TIMEOUT_MS = 60_000;

/**
 * Download a chat platform's file, streamed with a byte counter. Redirects are followed by hand,
 * and only to allowed hosts: a redirect elsewhere is refused, so a token is never sent off the
 * platform, and a file that turns out bigger than declared is cut off at `maxBytes`.
 */
export async function fetchFile(start: string, opts: FetchFileOptions): Promise<Download> {
  let url: URL;
  try {
    url = new URL(start);
  } catch {
    return { ok: false, reason: 'refused', detail: 'its address is not a URL' };
  }
  const signal = AbortSignal.timeout(opts.timeoutMs ?? TIMEOUT_MS);
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      if (!opts.allowed(url)) return { ok: false, reason: 'refused', detail: `${url.host} is not the platform's file host` };
      const res = await fetch(url, { headers: opts.headers ?? {}, redirect: 'manual', signal });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        url = new URL(location, url);
        continue;
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        return { ok: false, reason: 'failed', detail: `the download answered HTTP ${res.status}` };
      }
      if (opts.htmlMeans && res.headers.get('content-type')?.startsWith('text/html')) {
        await res.body.cancel();
        return { ok: false, reason: 'failed', detail: opts.htmlMeans };
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > opts.maxBytes) {
        await res.body.cancel();
        return { ok: false, reason: 'too-big', bytes: declared };
      }
      return await readCapped(res.body, opts.maxBytes);
    }
    return { ok: false, reason: 'failed', detail: 'too many redirects' };
  } catch (error) {
    return { ok: false, reason: 'failed', detail: messageOf(error) };
  }
}

async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Download> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return { ok: false, reason: 'too-big', bytes: total };
    }
    chunks.push(value);
  }
  return { ok: true, data: Buffer.concat(chunks) };
}

/** `https://` on one of `hosts` (or a subdomain of a `.suffix` entry), or anything on `origin` (a test's fake, a GovSlack). */
export function hostAllowList(hosts: readonly string[], origin?: string): (url: URL) => boolean {
  const own = origin ? safeOrigin(origin) : undefined;
  return (url) => {
    if (own && url.origin === own) return true;
    if (url.protocol !== 'https:' || url.username || url.password) return false;
    return hosts.some((h) => (h.startsWith('.') ? url.hostname.endsWith(h) : url.hostname === h));
  };
}

function safeOrigin(raw: string): string | undefined {
  try {
    return new URL(raw).origin;
  } catch {
    return undefined;
  }
}
