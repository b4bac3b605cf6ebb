import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Inbound } from '../../src/chat/inbound.js';

/**
 * A fake Slack on 127.0.0.1: the Web API (every call recorded), Socket Mode's WebSocket, and
 * senders that sign requests to a Bolt app the way Slack does. It checks what real Slack would
 * refuse (oversized text and blocks, rate tiers) so tests see the same failures users would.
 */

export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  /** HTTP status the fake answered (429 when a rate tier refused the call). */
  status: number;
  /** The `error` of an ok:false answer. */
  error?: string;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks: unknown[];
  edits: number;
}

/** A file shared through files.uploadV2 (getUploadURLExternal, the upload, completeUploadExternal). */
export interface SharedFile {
  id: string;
  filename: string;
  title: string;
  /** The contents as text (UTF-8). */
  content: string;
  /** The contents as uploaded. */
  bytes: Buffer;
  channel: string;
  thread?: string;
}

/** A file a user shared, as Slack puts it in a message event's `files`. */
export interface HostedFile {
  id: string;
  name: string;
  mimetype: string;
  size: number;
  url_private: string;
  url_private_download: string;
}

/** A request for a hosted file: its path and the Authorization header it came with. */
export interface FileDownload {
  path: string;
  auth: string | undefined;
}

export interface FakeSlackOptions {
  botUserId?: string;
  botId?: string;
  /** chat.update calls allowed per sliding minute (Tier 3 is about 50); unlimited when unset. */
  updatePerMinute?: number;
  /** chat.postMessage token bucket per channel (about 1/s with a small burst); unlimited when unset. */
  postPerChannel?: { perSecond: number; burst: number };
  /** Make views.open fail with this error (e.g. expired_trigger_id). */
  viewsOpenError?: string;
  /** Channels the bot is not a member of: posts there fail with not_in_channel. */
  notInChannels?: string[];
  /** User groups (S… id → member user ids), answered by usergroups.users.list. */
  userGroups?: Record<string, string[]>;
  /** Make usergroups.users.list fail with this error (e.g. missing_scope). */
  userGroupsError?: string;
  /** The bot token file downloads must carry (default: a token starting `xoxb-`). */
  botToken?: string;
  /** false: the app lacks files:read, and Slack answers a file download with its sign-in page. */
  filesRead?: boolean;
}

export interface Envelope {
  type: 'slash_commands' | 'events_api' | 'interactive';
  payload: unknown;
  retryAttempt?: number;
  retryReason?: string;
}

export interface FakeSlack {
  /** Web API base URL for SLACK_API_URL. */
  readonly apiUrl: string;
  readonly calls: SlackCall[];
  callsOf(method: string): SlackCall[];
  /**
   * Hold every call of `method` until `release()` (a slow or unreachable Slack); `seen` resolves
   * when the first one arrives, `gone` when the caller of one has hung up (a killed bot). A call
   * whose caller has gone meanwhile is dropped unanswered.
   */
  hold(method: string): { seen: Promise<void>; gone: Promise<void>; release: () => void };
  /** A message as users see it now (after edits). */
  message(channel: string, ts: string): PostedMessage | undefined;
  /** Every message posted, as users see it now, oldest first. */
  allMessages(): PostedMessage[];
  /** Uploaded file contents by file id. */
  readonly uploads: Map<string, string>;
  /**
   * Host a file as if a user had shared it: served at its `url_private_download` to a request
   * with the bot token (401 without). `size` is what the event declares (default: the real size);
   * `redirectTo` answers with a redirect there instead of the file.
   */
  hostFile(name: string, bytes: Buffer, opts?: { mimetype?: string; size?: number; redirectTo?: string }): HostedFile;
  /** Every request for a hosted file, in order. */
  readonly downloads: FileDownload[];
  /** Files completed into a channel or thread, in order, with their contents. */
  readonly files: SharedFile[];
  /** What was posted to response URLs under `${apiUrl}response/…`. */
  readonly responses: { path: string; body: Record<string, unknown> }[];
  /** Socket Mode acks received, in order. */
  readonly acks: { envelope_id: string; payload?: unknown }[];
  /** User groups as Slack holds them now: change a group with setGroupMembers. */
  readonly userGroups: Map<string, string[]>;
  /**
   * Change a group's members as a workspace admin would; returns the `subteam_members_changed`
   * event Slack then sends to the app (send it with SlackSender.event).
   */
  setGroupMembers(group: string, members: string[]): Record<string, unknown>;
  /** Socket Mode: deliver an envelope; resolves with the client's ack. */
  sendEnvelope(envelope: Envelope): Promise<{ envelope_id: string; payload?: unknown }>;
  close(): Promise<void>;
}

const TEXT_MAX = 4000;
const SECTION_MAX = 3000;

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const messages = new Map<string, PostedMessage>();
  const uploads = new Map<string, string>();
  const uploadBytes = new Map<string, Buffer>();
  const hosted = new Map<string, { bytes: Buffer; redirectTo?: string }>();
  const downloads: FileDownload[] = [];
  const filenames = new Map<string, string>();
  const files: SharedFile[] = [];
  const responses: { path: string; body: Record<string, unknown> }[] = [];
  const limits = rateLimits(opts);
  const userGroups = new Map(Object.entries(opts.userGroups ?? {}));
  let counter = 0;
  const epoch = Math.floor(Date.now() / 1000);
  const nextTs = (): string => `${epoch + Math.floor(counter / 1000)}.${String(++counter).padStart(6, '0')}`;
  const sockets = new Set<WebSocket>();
  const acks: { envelope_id: string; payload?: unknown }[] = [];
  const ackWaiters = new Map<string, (ack: { envelope_id: string; payload?: unknown }) => void>();
  let base = '';

  const answer = (method: string, body: Record<string, unknown>): { status: number; json: object; retryAfter?: number } => {
    const wait = limits.check(method, body);
    if (wait !== undefined) return { status: 429, json: { ok: false, error: 'ratelimited' }, retryAfter: wait };
    switch (method) {
      case 'auth.test':
        return ok({ url: 'https://fake.slack.test/', team: 'Fake', user: 'dispatch', team_id: 'T1', user_id: opts.botUserId ?? 'UBOT', bot_id: opts.botId ?? 'BBOT' });
      case 'chat.postMessage': {
        if (opts.notInChannels?.includes(String(body.channel))) return fail('not_in_channel');
        const refused = oversize(body);
        if (refused) return fail(refused);
        const channel = String(body.channel);
        const ts = nextTs();
        const thread = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
        const posted: PostedMessage = { channel, ts, text: String(body.text ?? ''), blocks: blocksOf(body), edits: 0, ...(thread ? { thread_ts: thread } : {}) };
        messages.set(`${channel}/${ts}`, posted);
        return ok({ channel, ts, message: { text: posted.text, ts } });
      }
      case 'chat.update': {
        const refused = oversize(body);
        if (refused) return fail(refused);
        const posted = messages.get(`${String(body.channel)}/${String(body.ts)}`);
        if (!posted) return fail('message_not_found');
        posted.text = String(body.text ?? '');
        posted.blocks = blocksOf(body);
        posted.edits += 1;
        return ok({ channel: posted.channel, ts: posted.ts });
      }
      case 'chat.postEphemeral': {
        if (opts.notInChannels?.includes(String(body.channel))) return fail('not_in_channel');
        const refused = oversize(body);
        return refused ? fail(refused) : ok({ message_ts: nextTs() });
      }
      case 'chat.getPermalink': {
        const posted = messages.get(`${String(body.channel)}/${String(body.message_ts)}`);
        if (!posted) return fail('message_not_found');
        return ok({ channel: posted.channel, permalink: `https://fake.slack.test/archives/${posted.channel}/p${posted.ts.replace('.', '')}` });
      }
      case 'views.open':
        return opts.viewsOpenError ? fail(opts.viewsOpenError) : ok({ view: { id: `V${++counter}` } });
      case 'files.getUploadURLExternal': {
        const id = `F${++counter}`;
        filenames.set(id, String(body.filename ?? ''));
        return ok({ upload_url: `${base}upload/${id}`, file_id: id });
      }
      case 'files.completeUploadExternal': {
        const listed = Array.isArray(body.files) ? (body.files as { id?: unknown; title?: unknown }[]) : [];
        const missing = listed.find((f) => !uploads.has(String(f.id)));
        if (missing) return fail('file_not_found');
        for (const f of listed) {
          const id = String(f.id);
          const thread = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
          const bytes = uploadBytes.get(id) ?? Buffer.alloc(0);
          files.push({ id, filename: filenames.get(id) ?? '', title: String(f.title ?? ''), content: uploads.get(id) ?? '', bytes, channel: String(body.channel_id ?? ''), ...(thread ? { thread } : {}) });
        }
        return ok({ files: listed.map((f) => ({ id: String(f.id) })) });
      }
      case 'files.upload': {
        const id = `F${++counter}`;
        uploads.set(id, String(body.content ?? ''));
        return ok({ file: { id } });
      }
      case 'usergroups.users.list': {
        if (opts.userGroupsError) return fail(opts.userGroupsError);
        const members = userGroups.get(String(body.usergroup));
        return members ? ok({ users: members }) : fail('no_such_subteam');
      }
      case 'apps.connections.open':
        return ok({ url: `${base.replace(/^http/, 'ws')}socket` });
      default:
        return fail('unknown_method');
    }
  };

  const holds = new Map<string, { arrived: () => void; callerGone: () => void; released: Promise<void> }>();

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/api/response/')) {
      // A slash command's response_url, pointed here by the test.
      responses.push({ path, body: JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown> });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const file = /^\/api\/files-pri\/T1-(F\d+)\/download\//.exec(path);
    if (file?.[1] && req.method === 'GET') {
      serveFile(hosted.get(file[1]), req, res);
      return;
    }
    const upload = /^\/api\/upload\/(F\d+)$/.exec(path);
    if (upload?.[1]) {
      const bytes = await uploadedBytes(raw, req.headers['content-type'] ?? '');
      uploads.set(upload[1], bytes.toString('utf8'));
      uploadBytes.set(upload[1], bytes);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      return;
    }
    const method = path.replace(/^\/api\//, '');
    const body = parseBody(raw.toString('utf8'), req.headers['content-type'] ?? '');
    const held = holds.get(method);
    if (held) {
      held.arrived();
      req.socket.once('close', held.callerGone);
      await held.released;
      // The caller died while we held its call: Slack would never have seen it either.
      if (req.socket.destroyed) return;
    }
    const { status, json, retryAfter } = answer(method, body);
    const error = 'error' in json && typeof json.error === 'string' ? json.error : undefined;
    calls.push({ method, body, status, ...(error ? { error } : {}) });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
    res.writeHead(status, headers).end(JSON.stringify(json));
  };

  const wss = new WebSocketServer({ server, path: '/api/socket' });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      const ack = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (!ack.envelope_id) return;
      acks.push({ envelope_id: ack.envelope_id, payload: ack.payload });
      ackWaiters.get(ack.envelope_id)?.({ envelope_id: ack.envelope_id, payload: ack.payload });
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A1' }, debug_info: { host: 'fake' } }));
  });

  const serveFile = (file: { bytes: Buffer; redirectTo?: string } | undefined, req: IncomingMessage, res: ServerResponse): void => {
    const auth = req.headers.authorization;
    downloads.push({ path: req.url ?? '', auth });
    const token = /^Bearer (.+)$/.exec(auth ?? '')?.[1] ?? '';
    if (opts.botToken ? token !== opts.botToken : !token.startsWith('xoxb-')) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('not_authed');
      return;
    }
    if (opts.filesRead === false) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html><body>Sign in to Slack</body></html>');
    else if (!file) res.writeHead(404).end();
    else if (file.redirectTo) res.writeHead(302, { location: file.redirectTo }).end();
    else res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes.length) }).end(file.bytes);
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;

  return {
    apiUrl: base,
    calls,
    uploads,
    downloads,
    hostFile(name, bytes, more = {}) {
      const id = `F${++counter}`;
      hosted.set(id, { bytes, ...(more.redirectTo ? { redirectTo: more.redirectTo } : {}) });
      const url = `${base}files-pri/T1-${id}/download/${encodeURIComponent(name)}`;
      return { id, name, mimetype: more.mimetype ?? 'application/octet-stream', size: more.size ?? bytes.length, url_private: url, url_private_download: url };
    },
    files,
    responses,
    acks,
    userGroups,
    setGroupMembers(group, members) {
      const before = userGroups.get(group) ?? [];
      userGroups.set(group, members);
      const now = Math.floor(Date.now() / 1000);
      return {
        type: 'subteam_members_changed',
        subteam_id: group,
        team_id: 'T1',
        date_previous_update: now - 60,
        date_update: now,
        added_users: members.filter((m) => !before.includes(m)),
        added_users_count: String(members.filter((m) => !before.includes(m)).length),
        removed_users: before.filter((m) => !members.includes(m)),
        removed_users_count: String(before.filter((m) => !members.includes(m)).length),
        event_ts: `${now}.000100`,
      };
    },
    callsOf: (method) => calls.filter((c) => c.method === method),
    hold(method) {
      let arrived = (): void => undefined;
      let callerGone = (): void => undefined;
      let release = (): void => undefined;
      const seen = new Promise<void>((resolve) => (arrived = resolve));
      const gone = new Promise<void>((resolve) => (callerGone = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.set(method, { arrived, callerGone, released });
      return {
        seen,
        gone,
        release: () => {
          holds.delete(method);
          release();
        },
      };
    },
    message: (channel, ts) => messages.get(`${channel}/${ts}`),
    allMessages: () => [...messages.values()],
    sendEnvelope(envelope) {
      const id = randomUUID();
      const acked = new Promise<{ envelope_id: string; payload?: unknown }>((resolve) => ackWaiters.set(id, resolve));
      const frame = {
        envelope_id: id,
        type: envelope.type,
        payload: envelope.payload,
        accepts_response_payload: envelope.type !== 'events_api',
        ...(envelope.retryAttempt !== undefined ? { retry_attempt: envelope.retryAttempt, retry_reason: envelope.retryReason ?? 'timeout' } : {}),
      };
      const [socket] = sockets;
      if (!socket) return Promise.reject(new Error('fake slack: no Socket Mode client connected'));
      socket.send(JSON.stringify(frame));
      return acked;
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The file's bytes: the Web API client posts them as multipart form data, or raw. */
async function uploadedBytes(raw: Buffer, contentType: string): Promise<Buffer> {
  if (!contentType.startsWith('multipart/form-data')) return raw;
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  const file = [...form.values()].find((v) => typeof v !== 'string');
  return file && typeof file !== 'string' ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0);
}

function ok(extra: object): { status: number; json: object } {
  return { status: 200, json: { ok: true, ...extra } };
}

function fail(error: string): { status: number; json: object } {
  return { status: 200, json: { ok: false, error } };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The Web API client sends form fields, objects as JSON strings; some callers send JSON. */
function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.startsWith('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    out[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return out;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function blocksOf(body: Record<string, unknown>): unknown[] {
  return Array.isArray(body.blocks) ? body.blocks : [];
}

interface BlockLike {
  type?: string;
  text?: { text?: string };
  fields?: { text?: string }[];
  elements?: { action_id?: string; text?: { text?: string }; value?: string; options?: { value?: string }[] }[];
}

/** What real Slack refuses: msg_too_long for long text, invalid_blocks for a block over its limit. */
function oversize(body: Record<string, unknown>): string | undefined {
  if (String(body.text ?? '').length > TEXT_MAX) return 'msg_too_long';
  const blocks = blocksOf(body) as BlockLike[];
  if (blocks.length > 50) return 'invalid_blocks';
  const actionIds = new Set<string>();
  for (const block of blocks) {
    const text = block.text?.text ?? '';
    if (block.type === 'section' && text.length > SECTION_MAX) return 'invalid_blocks';
    if (block.type === 'header' && text.length > 150) return 'invalid_blocks';
    if ((block.fields?.length ?? 0) > 10 || block.fields?.some((f) => (f.text ?? '').length > 2000)) return 'invalid_blocks';
    for (const el of block.elements ?? []) {
      if (el.action_id) {
        if (actionIds.has(el.action_id)) return 'invalid_blocks';
        actionIds.add(el.action_id);
      }
      if ((el.text?.text ?? '').length > 75 || (el.value ?? '').length > 2000) return 'invalid_blocks';
      if (el.options?.some((o) => (o.value ?? '').length > 150)) return 'invalid_blocks';
    }
  }
  return undefined;
}

/** Rate tiers: chat.update per sliding minute, chat.postMessage as a token bucket per channel. */
function rateLimits(opts: FakeSlackOptions): { check(method: string, body: Record<string, unknown>): number | undefined } {
  const updates: number[] = [];
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    check(method, body) {
      const now = Date.now();
      if (method === 'chat.update' && opts.updatePerMinute !== undefined) {
        while (updates.length > 0 && (updates[0] ?? 0) <= now - 60_000) updates.shift();
        if (updates.length >= opts.updatePerMinute) return Math.max(1, Math.ceil(((updates[0] ?? now) + 60_000 - now) / 1000));
        updates.push(now);
      }
      if (method === 'chat.postMessage' && opts.postPerChannel) {
        const { perSecond, burst } = opts.postPerChannel;
        const key = String(body.channel);
        const bucket = buckets.get(key) ?? { tokens: burst, at: now };
        bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
        bucket.at = now;
        buckets.set(key, bucket);
        if (bucket.tokens < 1) return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
        bucket.tokens -= 1;
      }
      return undefined;
    },
  };
}

// ---- Signed requests to a Bolt app, the way Slack sends them ----

export interface SendOptions {
  /** Unix seconds for x-slack-request-timestamp (default now). */
  timestamp?: number;
  /** Sign with this secret instead of the sender's (a wrong signature). */
  secret?: string;
  retryNum?: number;
  retryReason?: string;
}

export interface SendResult {
  status: number;
  body: string;
}

export class SlackSender {
  constructor(
    private readonly url: string,
    private readonly secret: string,
  ) {}

  async raw(body: string, contentType: string, opts: SendOptions = {}): Promise<SendResult> {
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', opts.secret ?? this.secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    const headers: Record<string, string> = {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    };
    if (opts.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(opts.retryNum);
      headers['x-slack-retry-reason'] = opts.retryReason ?? 'http_timeout';
    }
    const res = await fetch(this.url, { method: 'POST', headers, body });
    return { status: res.status, body: await res.text() };
  }

  command(fields: Record<string, string>, opts?: SendOptions): Promise<SendResult> {
    return this.raw(new URLSearchParams(commandFields(fields)).toString(), 'application/x-www-form-urlencoded', opts);
  }

  event(event: Record<string, unknown>, eventId: string, opts?: SendOptions): Promise<SendResult> {
    return this.raw(JSON.stringify(eventCallback(event, eventId)), 'application/json', opts);
  }

  interactive(payload: Record<string, unknown>, opts?: SendOptions): Promise<SendResult> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.raw(body, 'application/x-www-form-urlencoded', opts);
  }
}

/** A slash command's form fields with Slack's usual extras filled in. */
export function commandFields(fields: Record<string, string>): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: 'T1',
    team_domain: 'fake',
    channel_name: 'general',
    command: '/dispatch',
    api_app_id: 'A1',
    response_url: 'https://hooks.slack.test/commands/1',
    trigger_id: `${Date.now()}.${randomUUID()}`,
    ...fields,
  };
}

export function eventCallback(event: Record<string, unknown>, eventId: string): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true }],
    event,
  };
}

// ---- Test doubles for the adapter's dependencies ----

/** An onInbound that records every request and can hold them unresolved (a slow dispatcher). */
export function recordingInbound(): {
  seen: Inbound[];
  onInbound: (inbound: Inbound) => Promise<void>;
  count(n: number): Promise<void>;
  hold(): () => void;
  finished: number;
} {
  const seen: Inbound[] = [];
  const waiters: (() => void)[] = [];
  let gate: Promise<void> | undefined;
  const state = {
    seen,
    finished: 0,
    async onInbound(inbound: Inbound) {
      seen.push(inbound);
      for (const wake of waiters.splice(0)) wake();
      if (gate) await gate;
      state.finished += 1;
    },
    async count(n: number) {
      while (seen.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    hold() {
      let release = (): void => {};
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        gate = undefined;
        release();
      };
    },
  };
  return state;
}

/** A Map-backed accept (the TaskStore's job in production) that reports its answer for each key. */
export function memoryDedupe(): {
  accept: (keys: readonly string[]) => Promise<boolean>;
  answers: { key: string; first: boolean }[];
  asked(key: string, times: number): Promise<void>;
} {
  const expiry = new Map<string, number>();
  const answers: { key: string; first: boolean }[] = [];
  const waiters: (() => void)[] = [];
  return {
    answers,
    async accept(keys) {
      const now = Date.now();
      const first = keys.every((key) => (expiry.get(key) ?? 0) <= now);
      for (const key of keys) {
        if (first) expiry.set(key, now + 60 * 60_000);
        answers.push({ key, first });
      }
      for (const wake of waiters.splice(0)) wake();
      return first;
    },
    async asked(key, times) {
      while (answers.filter((a) => a.key === key).length < times) {
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}
