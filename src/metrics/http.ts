import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageOf } from '../errors/index.js';

/** An answer to a GET of an operations path. */
export interface OpsResponse {
  status: number;
  contentType: string;
  body: string;
}

/** `/healthz` and `/metrics` (undefined for any other path). */
export type OpsHandler = (path: string) => Promise<OpsResponse | undefined>;

export const OPS_PATHS = ['/healthz', '/metrics'] as const;

export interface OpsSources {
  /** Whether this process does its work (a store it can reach, a runner taking jobs). */
  health: () => Promise<{ ok: boolean; detail: Record<string, unknown> }>;
  metrics: { text(): Promise<string>; readonly contentType: string };
}

export function opsHandler(sources: OpsSources): OpsHandler {
  return async (path) => {
    try {
      if (path === '/healthz') {
        const { ok, detail } = await sources.health();
        return { status: ok ? 200 : 503, contentType: 'application/json', body: `${JSON.stringify({ ok, ...detail })}\n` };
      }
      if (path === '/metrics') return { status: 200, contentType: sources.metrics.contentType, body: await sources.metrics.text() };
    } catch (error) {
      return { status: 503, contentType: 'application/json', body: `${JSON.stringify({ ok: false, error: messageOf(error) })}\n` };
    }
    return undefined;
  };
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A small HTTP server for `/healthz` and `/metrics` on METRICS_PORT (GET only; anything else 404/405). */
export async function serveOps(handle: OpsHandler, port: number, host?: string): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    void handle(path).then((answer) => {
      if (!answer) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      else res.writeHead(answer.status, { 'content-type': answer.contentType }).end(req.method === 'HEAD' ? undefined : answer.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
