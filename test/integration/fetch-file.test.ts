import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchFile, hostAllowList } from '../../src/chat/fetch-file.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A local server; every request is recorded with its headers. */
async function serve(handle: (req: IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<{ url: string; asked: IncomingMessage['headers'][] }> {
  const asked: IncomingMessage['headers'][] = [];
  const server = createServer((req, res) => {
    asked.push(req.headers);
    handle(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

describe('fetching a chat file', () => {
  it('counts the bytes as they arrive: a file sent without its length is cut off at the limit', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < 64; i += 1) res.write(Buffer.alloc(1024, i));
      res.end();
    });
    const allowed = hostAllowList([], url);
    expect(await fetchFile(`${url}/f`, { maxBytes: 10_000, allowed })).toMatchObject({ ok: false, reason: 'too-big' });
    const whole = await fetchFile(`${url}/f`, { maxBytes: 64 * 1024, allowed });
    expect(whole.ok && whole.data.byteLength).toBe(64 * 1024);
  });

  it('follows a redirect on the platform with its token, and refuses one elsewhere before asking it', async () => {
    const elsewhere = await serve((_req, res) => res.writeHead(200).end('not yours'));
    const platform = await serve((req, res) => {
      if (req.url === '/moved') res.writeHead(302, { location: '/file' }).end();
      else if (req.url === '/away') res.writeHead(302, { location: `${elsewhere.url}/file` }).end();
      else res.writeHead(200).end('the file');
    });
    const opts = { maxBytes: 1000, allowed: hostAllowList([], platform.url), headers: { Authorization: 'Bearer xoxb-secret' } };
    const moved = await fetchFile(`${platform.url}/moved`, opts);
    expect(moved.ok && Buffer.from(moved.data).toString()).toBe('the file');
    expect(platform.asked.map((h) => h.authorization)).toEqual(['Bearer xoxb-secret', 'Bearer xoxb-secret']);
    expect(await fetchFile(`${platform.url}/away`, opts)).toMatchObject({ ok: false, reason: 'refused' });
    expect(elsewhere.asked).toEqual([]);
  });

  it('takes only https on the named hosts (or anything on the configured API origin)', () => {
    const allowed = hostAllowList(['cdn.discordapp.com', '.slack.com'], 'http://127.0.0.1:9/api');
    expect(allowed(new URL('https://cdn.discordapp.com/a/b/c.png'))).toBe(true);
    expect(allowed(new URL('https://files.slack.com/files-pri/T1-F1/download/a.png'))).toBe(true);
    expect(allowed(new URL('http://files.slack.com/a.png'))).toBe(false);
    expect(allowed(new URL('https://files.slack.com.evil.example/a.png'))).toBe(false);
    expect(allowed(new URL('https://evilslack.com/a.png'))).toBe(false);
    expect(allowed(new URL('https://user:pw@files.slack.com/a.png'))).toBe(false);
    expect(allowed(new URL('http://127.0.0.1:9/files/a.png'))).toBe(true);
    expect(allowed(new URL('http://127.0.0.1:10/files/a.png'))).toBe(false);
  });
});
