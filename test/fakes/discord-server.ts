/**
 * A fake Discord on 127.0.0.1: REST under /api/v10 and a JSON gateway over `ws`, just enough for
 * the real discord.js client to log in, receive events, answer interactions, post, edit and start
 * threads. Every REST call is recorded so a test can assert what a user would see.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { startDiscord, type DiscordSurface } from '../../adapters/discord/index.js';
import type { Inbound } from '../../src/chat/inbound.js';

export interface RecordedCall {
  method: string;
  path: string;
  query: string;
  /** JSON body, or `payload_json` of a multipart body. */
  body: Record<string, unknown>;
  files: { name: string; text: string; bytes: Buffer }[];
  auth: string | undefined;
}

export interface FakeUser {
  id: string;
  username: string;
  bot?: boolean;
  /** The display name the user chose (anyone can set it to anything, another user's id included). */
  global_name?: string;
  /** The server nickname, in member payloads. */
  nick?: string;
  /** Server roles; unset: alice has the dispatchers role, others none. */
  roles?: string[];
}

export interface FakeChannel {
  id: string;
  type: number;
  name?: string;
  guild_id?: string;
  parent_id?: string;
  owner_id?: string;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  content: string;
  author: FakeUser;
  embeds: unknown[];
  components: unknown[];
  attachments: FakeAttachment[];
  thread_id?: string;
  flags?: number;
}

export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
}

/** A file attached to a message the bot posted or edited. */
export interface FakeUpload {
  channel_id: string;
  message_id: string;
  filename: string;
  text: string;
  bytes: Buffer;
}

/** A file a user attaches to a message: served from the fake's CDN path. `size`: what the message declares (default: the real size). */
export interface UserFile {
  filename: string;
  bytes: Buffer;
  contentType?: string;
  size?: number;
}

interface Dispatch {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

interface Session {
  id: string;
  log: Dispatch[];
  socket?: WebSocket;
}

export interface InjectedInteraction {
  id: string;
  token: string;
}

const json = (res: ServerResponse, status: number, body?: unknown): void => {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class FakeDiscord {
  readonly appId = '900000000000000001';
  readonly guildId = '900000000000000002';
  readonly bot: FakeUser = { id: '900000000000000003', username: 'dispatch', bot: true };
  readonly alice: FakeUser = { id: '900000000000000010', username: 'alice' };
  readonly bob: FakeUser = { id: '900000000000000011', username: 'bob' };
  /** A server role alice has (access rules may name it). */
  readonly dispatchersRole = '900000000000000050';
  /** A second server role nobody has unless a test gives it (FakeUser.roles). */
  readonly developersRole = '900000000000000060';
  /** The role Discord makes for the bot itself; users often mention it instead of the bot. */
  readonly botRole = '900000000000000051';
  readonly general: FakeChannel = { id: '900000000000000100', type: 0, name: 'general', guild_id: this.guildId };
  readonly calls: RecordedCall[] = [];
  readonly channels = new Map<string, FakeChannel>([[this.general.id, this.general]]);
  readonly messages = new Map<string, FakeMessage>();
  /** Every file the bot attached, with its contents, in order. */
  readonly uploads: FakeUpload[] = [];
  /** Files users attached, by CDN path (`/attachments/<channel>/<id>/<name>`). */
  private readonly cdn = new Map<string, Buffer>();
  /** Every request for a CDN file: its path and the Authorization header it came with (Discord's CDN needs none). */
  readonly cdnDownloads: { path: string; auth: string | undefined }[] = [];
  readonly identifies: unknown[] = [];
  readonly resumes: { session_id: string; seq: number }[] = [];
  /** Dispatch types re-sent on RESUME, in order. */
  readonly replayed: string[] = [];
  private readonly interactionChannels = new Map<string, string>();
  /** The @original reply message of each interaction token. */
  private readonly originals = new Map<string, FakeMessage>();
  private readonly sessions = new Map<string, Session>();
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private nextId = 0n;
  private seq = 0;
  private live: Session | undefined;
  /** When set, the next RESUME replays from this sequence instead of the client's. */
  private replayFrom: number | undefined;
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  port = 0;

  constructor() {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((error: unknown) => json(res, 500, { message: String(error), code: 0 }));
    });
    this.wss = new WebSocketServer({ server: this.server, path: '/gateway' });
    this.wss.on('connection', (socket) => this.onSocket(socket));
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.wss.clients) socket.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A snowflake for now: discord.js reads an interaction's age (and token expiry) from its id. */
  id(): string {
    this.nextId += 1n;
    const stamp = BigInt(Date.now() - 1_420_070_400_000) << 22n;
    return (stamp | (this.nextId & 0x3fffffn)).toString();
  }

  /** Resolves once `check` holds (re-checked after every recorded call and gateway event). */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }

  private wake(): void {
    const pending = this.waiters;
    this.waiters = pending.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  }

  callsTo(method: string, pattern: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && pattern.test(c.path));
  }

  // ── gateway ────────────────────────────────────────────────────────────────

  private onSocket(socket: WebSocket): void {
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 45_000 } }));
    socket.on('message', (raw) => {
      const payload: unknown = JSON.parse(String(raw));
      if (!isRecord(payload)) return;
      if (payload.op === 1) socket.send(JSON.stringify({ op: 11 }));
      if (payload.op === 2) this.identify(socket, payload.d);
      if (payload.op === 6 && isRecord(payload.d)) this.resume(socket, String(payload.d.session_id), Number(payload.d.seq));
    });
  }

  private identify(socket: WebSocket, d: unknown): void {
    this.identifies.push(d);
    const session: Session = { id: `session-${this.id()}`, log: [], socket };
    this.sessions.set(session.id, session);
    this.live = session;
    this.emit('READY', {
      v: 10,
      user: this.userPayload(this.bot),
      guilds: [{ id: this.guildId, unavailable: true }],
      session_id: session.id,
      resume_gateway_url: `ws://127.0.0.1:${this.port}/gateway`,
      application: { id: this.appId, flags: 0 },
      private_channels: [],
    });
    this.emit('GUILD_CREATE', this.guildPayload());
  }

  private resume(socket: WebSocket, sessionId: string, clientSeq: number): void {
    this.resumes.push({ session_id: sessionId, seq: clientSeq });
    const session = this.sessions.get(sessionId);
    if (!session) {
      socket.send(JSON.stringify({ op: 9, d: false }));
      return;
    }
    session.socket = socket;
    this.live = session;
    const from = this.replayFrom ?? clientSeq;
    this.replayFrom = undefined;
    for (const dispatch of session.log.filter((p) => p.s > from)) {
      this.replayed.push(dispatch.t);
      socket.send(JSON.stringify(dispatch));
    }
    this.emit('RESUMED', {});
    this.wake();
  }

  private guildPayload(): Record<string, unknown> {
    const all = [...this.channels.values()].filter((c) => c.guild_id === this.guildId);
    return {
      id: this.guildId,
      name: 'team',
      owner_id: this.alice.id,
      unavailable: false,
      member_count: 3,
      large: false,
      joined_at: new Date().toISOString(),
      roles: [
        { id: this.guildId, name: '@everyone', permissions: '0', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
        { id: this.dispatchersRole, name: 'dispatchers', permissions: '0', position: 1, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
        { id: this.developersRole, name: 'developers', permissions: '0', position: 3, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
        { id: this.botRole, name: 'dispatch', permissions: '0', position: 2, color: 0, hoist: false, managed: true, mentionable: true, flags: 0, tags: { bot_id: this.bot.id } },
      ],
      emojis: [],
      stickers: [],
      features: [],
      members: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      channels: all.filter((c) => c.type === 0).map((c) => ({ ...c, position: 0, permission_overwrites: [] })),
      threads: all.filter((c) => c.type === 11 || c.type === 12).map((c) => this.threadPayload(c)),
    };
  }

  private threadPayload(c: FakeChannel): Record<string, unknown> {
    return { ...c, thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false }, message_count: 0, member_count: 1 };
  }

  /** Send a dispatch to the live session (and log it for RESUME replay). */
  emit(t: string, d: unknown): void {
    this.seq += 1;
    const dispatch: Dispatch = { op: 0, t, s: this.seq, d };
    const session = this.live;
    if (!session) return;
    session.log.push(dispatch);
    session.socket?.send(JSON.stringify(dispatch));
  }

  /** Close the gateway with a resumable code; the client RESUMEs. `replayFrom` re-sends older events. */
  dropConnection(opts: { replayFrom?: number } = {}): void {
    this.replayFrom = opts.replayFrom;
    this.live?.socket?.close(4000, 'fake: unknown error');
  }

  /** The sequence number of the last dispatch sent. */
  get sequence(): number {
    return this.seq;
  }

  private rolesOf(user: FakeUser): string[] {
    return user.roles ?? (user.id === this.alice.id ? [this.dispatchersRole] : []);
  }

  /** A user as Discord sends one in payloads. */
  private userPayload(user: FakeUser): Record<string, unknown> {
    const { nick: _nick, roles: _roles, global_name: globalName, ...rest } = user;
    return { ...rest, discriminator: '0', avatar: null, global_name: globalName ?? null };
  }

  /** Users the fake knows, for mentions: the three built in plus any a test added. */
  readonly users: FakeUser[] = [];

  // ── injection ─────────────────────────────────────────────────────────────

  addThread(parent: FakeChannel, name: string, ownerId: string, type = 11): FakeChannel {
    const thread: FakeChannel = { id: this.id(), type, name, guild_id: this.guildId, parent_id: parent.id, owner_id: ownerId };
    this.channels.set(thread.id, thread);
    this.emit('THREAD_CREATE', { ...this.threadPayload(thread), newly_created: true });
    return thread;
  }

  /** A user message; `<@id>` in the content becomes a mention. Returns the raw payload sent. */
  userMessage(opts: { channel: FakeChannel | { id: string; type: 1 }; author?: FakeUser; content: string; id?: string; files?: UserFile[] }): Record<string, unknown> {
    const author = opts.author ?? this.alice;
    const mentioned = [...opts.content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]);
    const users = [this.bot, this.alice, this.bob, ...this.users].filter((u) => mentioned.includes(u.id));
    const guildId = 'guild_id' in opts.channel ? opts.channel.guild_id : undefined;
    const attachments = (opts.files ?? []).map((f) => this.hostAttachment(opts.channel.id, f));
    if (opts.channel.type === 1 && !this.channels.has(opts.channel.id)) this.channels.set(opts.channel.id, { id: opts.channel.id, type: 1 });
    const payload: Record<string, unknown> = {
      ...this.messageBody(opts.id ?? this.id(), opts.channel.id, author, opts.content),
      attachments,
      channel_type: opts.channel.type,
      mentions: users.map((u) => this.userPayload(u)),
      mention_roles: [...opts.content.matchAll(/<@&(\d+)>/g)].map((m) => m[1]),
      ...(guildId ? { guild_id: guildId, member: { roles: this.rolesOf(author), nick: author.nick ?? null, joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 } } : {}),
    };
    this.messages.set(String(payload.id), { id: String(payload.id), channel_id: opts.channel.id, content: opts.content, author, embeds: [], components: [], attachments });
    this.emit('MESSAGE_CREATE', payload);
    return payload;
  }

  /** A user's file on the fake CDN, as a message's attachment payload. */
  hostAttachment(channelId: string, file: UserFile): FakeAttachment {
    const id = this.id();
    const path = `/attachments/${channelId}/${id}/${encodeURIComponent(file.filename)}`;
    this.cdn.set(path, file.bytes);
    const url = `http://127.0.0.1:${this.port}${path}?ex=0&is=0&hm=fake`;
    return { id, filename: file.filename, size: file.size ?? file.bytes.length, url, proxy_url: url, ...(file.contentType ? { content_type: file.contentType } : {}) };
  }

  /** Re-send a dispatch payload verbatim (a duplicate delivery). */
  redeliver(t: string, d: unknown): void {
    this.emit(t, d);
  }

  private interactionBase(type: number, channel: FakeChannel, user: FakeUser): Record<string, unknown> & InjectedInteraction {
    const id = this.id();
    const token = `token-${id}`;
    this.interactionChannels.set(token, channel.id);
    return {
      id,
      token,
      type,
      version: 1,
      application_id: this.appId,
      guild_id: this.guildId,
      channel_id: channel.id,
      channel: { ...channel },
      member: {
        user: this.userPayload(user),
        roles: this.rolesOf(user),
        nick: user.nick ?? null,
        joined_at: new Date().toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
        permissions: '2147483647',
      },
      app_permissions: '2147483647',
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': this.guildId },
      context: 0,
    };
  }

  slashCommand(opts: { channel?: FakeChannel; user?: FakeUser; text?: string }): InjectedInteraction {
    const base = this.interactionBase(2, opts.channel ?? this.general, opts.user ?? this.alice);
    const options = opts.text === undefined ? [] : [{ name: 'text', type: 3, value: opts.text }];
    this.emit('INTERACTION_CREATE', { ...base, data: { id: this.id(), name: 'dispatch', type: 1, options } });
    return { id: base.id, token: base.token };
  }

  /** A press on a button (component_type 2) or a pick in a string select (3) on a posted message. */
  component(opts: { message: FakeMessage; customId: string; user?: FakeUser; values?: string[] }): InjectedInteraction {
    const channel = this.channels.get(opts.message.channel_id) ?? this.general;
    const base = this.interactionBase(3, channel, opts.user ?? this.alice);
    const data = opts.values
      ? { custom_id: opts.customId, component_type: 3, values: opts.values }
      : { custom_id: opts.customId, component_type: 2 };
    this.emit('INTERACTION_CREATE', { ...base, message: this.messagePayload(opts.message), data });
    return { id: base.id, token: base.token };
  }

  modalSubmit(opts: { message: FakeMessage; customId: string; fields: Record<string, string>; user?: FakeUser }): InjectedInteraction {
    const channel = this.channels.get(opts.message.channel_id) ?? this.general;
    const base = this.interactionBase(5, channel, opts.user ?? this.alice);
    const components = Object.entries(opts.fields).map(([customId, value]) => ({
      type: 1,
      components: [{ type: 4, custom_id: customId, value }],
    }));
    this.emit('INTERACTION_CREATE', { ...base, message: this.messagePayload(opts.message), data: { custom_id: opts.customId, components } });
    return { id: base.id, token: base.token };
  }

  // ── REST ──────────────────────────────────────────────────────────────────

  private messageBody(id: string, channelId: string, author: FakeUser, content: string): Record<string, unknown> {
    return {
      id,
      channel_id: channelId,
      author: this.userPayload(author),
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      components: [],
      pinned: false,
      type: 0,
      flags: 0,
    };
  }

  messagePayload(m: FakeMessage): Record<string, unknown> {
    const channel = this.channels.get(m.channel_id);
    return {
      ...this.messageBody(m.id, m.channel_id, m.author, m.content),
      embeds: m.embeds,
      components: m.components,
      attachments: m.attachments,
      flags: m.flags ?? 0,
      ...(channel?.guild_id ? { guild_id: channel.guild_id } : {}),
    };
  }

  private storeMessage(channelId: string, call: RecordedCall, id = this.id()): FakeMessage {
    const b = call.body;
    for (const f of call.files) this.uploads.push({ channel_id: channelId, message_id: id, filename: f.name, text: f.text, bytes: f.bytes });
    const message: FakeMessage = {
      id,
      channel_id: channelId,
      author: this.bot,
      content: typeof b.content === 'string' ? b.content : '',
      embeds: Array.isArray(b.embeds) ? b.embeds : [],
      components: Array.isArray(b.components) ? b.components : [],
      attachments: call.files.map((f) => ({ id: this.id(), filename: f.name, size: f.text.length, url: `http://127.0.0.1/${f.name}`, proxy_url: `http://127.0.0.1/${f.name}` })),
      flags: typeof b.flags === 'number' ? b.flags : 0,
    };
    this.messages.set(id, message);
    return message;
  }

  private updateMessage(m: FakeMessage, call: RecordedCall): FakeMessage {
    const b = call.body;
    if (typeof b.content === 'string') m.content = b.content;
    if (Array.isArray(b.embeds)) m.embeds = b.embeds;
    if (Array.isArray(b.components)) m.components = b.components;
    for (const f of call.files) this.uploads.push({ channel_id: m.channel_id, message_id: m.id, filename: f.name, text: f.text, bytes: f.bytes });
    if (Array.isArray(b.attachments) || call.files.length > 0) {
      m.attachments = call.files.map((f) => ({ id: this.id(), filename: f.name, size: f.text.length, url: `http://127.0.0.1/${f.name}`, proxy_url: `http://127.0.0.1/${f.name}` }));
    }
    return m;
  }

  private async readCall(req: IncomingMessage, path: string, query: string): Promise<RecordedCall> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const type = req.headers['content-type'] ?? '';
    const call: RecordedCall = { method: req.method ?? 'GET', path, query, body: {}, files: [], auth: req.headers.authorization };
    if (type.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
      for (const [key, value] of form.entries()) {
        if (key === 'payload_json' && typeof value === 'string') call.body = JSON.parse(value) as Record<string, unknown>;
        else if (typeof value !== 'string') {
          const bytes = Buffer.from(await value.arrayBuffer());
          call.files.push({ name: value.name, text: bytes.toString('utf8'), bytes });
        }
      }
    } else if (raw.length > 0) {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      if (isRecord(parsed)) call.body = parsed;
      else call.body = { items: parsed };
    }
    return call;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname.startsWith('/attachments/')) {
      this.cdnDownloads.push({ path: url.pathname, auth: req.headers.authorization });
      const bytes = this.cdn.get(url.pathname);
      if (bytes) res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) }).end(bytes);
      else res.writeHead(404).end();
      return;
    }
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v10/, '');
    const call = await this.readCall(req, path, url.search);
    this.calls.push(call);
    const result = this.route(call);
    this.wake();
    json(res, result.status, result.body);
  }

  private route(call: RecordedCall): { status: number; body?: unknown } {
    const { method, path } = call;
    const seg = path.split('/').filter(Boolean);
    const ok = (body?: unknown) => ({ status: body === undefined ? 204 : 200, body });
    if (method === 'GET' && path === '/gateway/bot') {
      return ok({ url: `ws://127.0.0.1:${this.port}/gateway`, shards: 1, session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 } });
    }
    if (method === 'GET' && path === '/users/@me') return ok(this.userPayload(this.bot));
    if (seg[0] === 'applications') return this.commands(call, seg);
    if (seg[0] === 'interactions' && method === 'POST') return { status: 204 };
    if (seg[0] === 'webhooks') return this.webhook(call, seg);
    if (seg[0] === 'channels') return this.channel(call, seg);
    return { status: 404, body: { message: `fake: no route ${method} ${path}`, code: 0 } };
  }

  private commands(call: RecordedCall, seg: string[]): { status: number; body?: unknown } {
    const list = Array.isArray(call.body.items) ? (call.body.items as Record<string, unknown>[]) : [call.body];
    const guildId = seg[2] === 'guilds' ? seg[3] : undefined;
    const made = list.map((c) => ({ ...c, id: this.id(), application_id: this.appId, version: '1', default_member_permissions: null, type: 1, ...(guildId ? { guild_id: guildId } : {}) }));
    if (call.method === 'PUT') return { status: 200, body: made };
    if (call.method === 'POST') return { status: 200, body: made[0] };
    return { status: 200, body: [] };
  }

  private webhook(call: RecordedCall, seg: string[]): { status: number; body?: unknown } {
    const token = seg[2] ?? '';
    const channelId = this.interactionChannels.get(token) ?? this.general.id;
    const originalKey = `original:${token}`;
    if (call.method === 'DELETE') return { status: 204 };
    if (seg[4] === '@original') {
      const existing = this.originals.get(originalKey);
      const message = existing ? this.updateMessage(existing, call) : this.storeMessage(channelId, call);
      this.originals.set(originalKey, message);
      return { status: 200, body: this.messagePayload(message) };
    }
    const message = this.storeMessage(channelId, call);
    return { status: 200, body: this.messagePayload(message) };
  }

  private channel(call: RecordedCall, seg: string[]): { status: number; body?: unknown } {
    const channelId = seg[1] ?? '';
    const channel = this.channels.get(channelId);
    if (!channel) return { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
    if (call.method === 'GET' && seg.length === 2) return { status: 200, body: channel.type === 11 ? this.threadPayload(channel) : channel };
    if (seg[2] !== 'messages' && seg[2] !== 'threads') return { status: 404, body: { message: 'fake: no route', code: 0 } };
    if (seg[2] === 'threads') return this.startThread(channel, call, undefined);
    const messageId = seg[3];
    if (!messageId && call.method === 'POST') return { status: 200, body: this.messagePayload(this.storeMessage(channelId, call)) };
    const message = messageId ? this.messages.get(messageId) : undefined;
    if (!message) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
    if (seg[4] === 'threads' && call.method === 'POST') return this.startThread(channel, call, message);
    if (call.method === 'PATCH') return { status: 200, body: this.messagePayload(this.updateMessage(message, call)) };
    if (call.method === 'GET') return { status: 200, body: this.messagePayload(message) };
    return { status: 404, body: { message: 'fake: no route', code: 0 } };
  }

  private startThread(parent: FakeChannel, call: RecordedCall, from: FakeMessage | undefined): { status: number; body?: unknown } {
    if (from?.thread_id) return { status: 400, body: { message: 'A thread has already been created for this message', code: 160004 } };
    const name = typeof call.body.name === 'string' ? call.body.name : 'thread';
    if (name.length > 100) return { status: 400, body: { message: 'name: Must be 100 or fewer in length.', code: 50035 } };
    const thread: FakeChannel = { id: from?.id ?? this.id(), type: 11, name, guild_id: this.guildId, parent_id: parent.id, owner_id: this.bot.id };
    if (from) from.thread_id = thread.id;
    this.channels.set(thread.id, thread);
    this.emit('THREAD_CREATE', { ...this.threadPayload(thread), newly_created: true });
    return { status: 201, body: this.threadPayload(thread) };
  }

  /** Messages the bot posted in a channel (or thread), oldest first. */
  botMessagesIn(channelId: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId && m.author.id === this.bot.id);
  }

  threadsOf(parentId: string): FakeChannel[] {
    return [...this.channels.values()].filter((c) => c.parent_id === parentId);
  }
}

/** What the adapter handed the dispatcher, with a way to wait for it. */
export class InboundRecorder<T> {
  readonly seen: T[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  readonly record = async (item: T): Promise<void> => {
    this.seen.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (this.seen.length < w.count) return true;
      w.resolve();
      return false;
    });
  };

  /** Resolves once at least `count` items were recorded. */
  atLeast(count: number): Promise<void> {
    if (this.seen.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

/** An in-memory `firstDelivery`, shareable between adapter instances to model a durable store. */
/** A Set-backed accept (the TaskStore's job in production): every key of a request new, or it is a repeat. */
export function memoryDeliveries(): { accept: (keys: readonly string[]) => Promise<boolean>; keys: Set<string>; asked: string[] } {
  const seen = new Set<string>();
  const asked: string[] = [];
  return {
    keys: seen,
    asked,
    accept: async (keys: readonly string[]) => {
      asked.push(...keys);
      if (keys.some((key) => seen.has(key))) return false;
      for (const key of keys) seen.add(key);
      return true;
    },
  };
}

export interface DiscordRig {
  fake: FakeDiscord;
  surface: DiscordSurface;
  inbound: InboundRecorder<Inbound>;
  deliveries: ReturnType<typeof memoryDeliveries>;
  log: string[];
  /** Stop the adapter and close the fake. */
  close: () => Promise<void>;
}

/**
 * A fake Discord and the real adapter logged in to it. `onInbound` runs after the recording (a test
 * plays the dispatcher there, e.g. calling `openInput` in answer to a press).
 */
export async function startDiscordRig(opts: { guild?: boolean; modalHoldMs?: number; onInbound?: (inbound: Inbound, surface: DiscordSurface) => Promise<void> } = {}): Promise<DiscordRig> {
  const fake = await new FakeDiscord().start();
  const inbound = new InboundRecorder<Inbound>();
  const deliveries = memoryDeliveries();
  const log: string[] = [];
  const holder: { surface?: DiscordSurface } = {};
  try {
    holder.surface = await startDiscord({
      token: 'fake-token',
      apiUrl: fake.apiUrl,
      ...(opts.guild === false ? {} : { guildId: fake.guildId }),
      ...(opts.modalHoldMs === undefined ? {} : { modalHoldMs: opts.modalHoldMs }),
      onInbound: async (item) => {
        if (opts.onInbound && holder.surface) await opts.onInbound(item, holder.surface);
        await inbound.record(item);
      },
      accept: deliveries.accept,
      log: (line) => log.push(line),
    });
  } catch (error) {
    await fake.close();
    throw error;
  }
  const surface = holder.surface;
  return {
    fake,
    surface,
    inbound,
    deliveries,
    log,
    close: async () => {
      await surface.stop();
      await fake.close();
    },
  };
}
