import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { startSlack, type SlackSurface } from '../../adapters/slack/index.js';
import type { App } from '../../src/app.js';
import { startBot, wireSurface, type SurfacePacing } from '../../src/wiring.js';
import type { TaskRecord } from '../../src/store/records.js';
import type { Clock } from '../../src/util/clock.js';
import {
  commandFields,
  eventCallback,
  SlackSender,
  startFakeSlack,
  type FakeSlack,
  type FakeSlackOptions,
  type PostedMessage,
  type SendResult,
  type SlackCall,
} from '../fakes/slack-server.js';
import { RIG_PACING, RIG_RUNNER_TIMING, botEnv, botPaths, makeRepo, readAgentRuns, type AgentRun } from './bot-env.js';
import { eventually } from './eventually.js';

/**
 * The whole bot as production wires it for Slack (src/wiring.ts, as src/start.ts): createApp
 * (config file, SQLite under DISPATCH_HOME, runner host with the fake agent CLI on PATH, a real git
 * repo) plus the real Bolt app, attached with coalesced edits (paced as in production when the
 * fake enforces Slack's tiers), talking to the fake Slack on 127.0.0.1. Tests act as
 * Slack users (signed requests or Socket Mode envelopes) and read what users would see from the
 * fake's recorded Web API calls.
 */
export interface SlackRigOptions {
  config: string;
  fake?: FakeSlackOptions;
  /** Socket Mode (fake apps.connections.open + WebSocket) instead of HTTP. */
  socketMode?: boolean;
  /** chat.update budget per sliding minute handed to app.attach (production: 45). */
  editsPerMinute?: number;
  /** Extra environment for the bot (e.g. GITHUB_TOKEN, GITHUB_API_URL). */
  env?: Record<string, string>;
  /** A clock the test moves (prompts expire without waiting); the system clock when omitted. */
  clock?: Clock;
}

export const SIGNING_SECRET = 'e2e-signing-secret';
export const BOT_USER = 'UBOT';

export interface Person {
  id: string;
  name: string;
}

export const ALICE: Person = { id: 'UALICE', name: 'alice' };
export const MALLORY: Person = { id: 'UMALLORY', name: 'mallory' };

/** Where a user's message sits: its channel and ts, and its thread when it is a reply. */
export interface Said {
  channel: string;
  ts: string;
  eventId: string;
  result: SendResult;
}

export class SlackRig {
  readonly root = mkdtempSync(join(tmpdir(), 'dispatch-slack-e2e-'));
  readonly repo = makeRepo(join(this.root, 'repo'));
  readonly home = botPaths(this.root).home;
  readonly configFile = botPaths(this.root).configFile;
  readonly agentLog = botPaths(this.root).agentLog;
  readonly logs: string[] = [];
  /** Every dedupe question the adapter asked the store, with its answer. */
  readonly deliveries: { key: string; first: boolean }[] = [];
  fake?: FakeSlack;
  app?: App;
  slack?: SlackSurface;
  private sender?: SlackSender;
  private seq = 0;

  static async start(options: SlackRigOptions): Promise<SlackRig> {
    const rig = new SlackRig();
    try {
      await rig.boot(options);
    } catch (error) {
      await rig.close();
      throw error;
    }
    return rig;
  }

  private async boot(options: SlackRigOptions): Promise<void> {
    writeFileSync(this.configFile, options.config);
    this.fake = await startFakeSlack({ botUserId: BOT_USER, botId: 'BBOT', ...options.fake });
    await this.startBot(options);
  }

  /** The bot process: the app and the Bolt app, wired by src/start.ts's own wiring. */
  private async startBot(options: SlackRigOptions): Promise<void> {
    const env = botEnv(this.root, options.env);
    const log = (line: string): void => void this.logs.push(line);
    const pacing = pacingFor(options);
    this.app = await startBot({ env, cwd: this.repo, log, runnerTiming: RIG_RUNNER_TIMING, ...(options.clock ? { clock: options.clock } : {}) }, async (app) => {
      this.slack = await wireSurface(
        app,
        (deps) =>
          startSlack({
            botToken: 'xoxb-e2e',
            signingSecret: SIGNING_SECRET,
            apiUrl: this.api.apiUrl,
            ...(options.socketMode ? { appToken: 'xapp-e2e' } : { port: 0, host: '127.0.0.1' }),
            ...deps,
            accept: async (keys, inbound) => {
              const first = await deps.accept(keys, inbound);
              for (const key of keys) this.deliveries.push({ key, first });
              return first;
            },
          }),
        { log, pacing },
      );
    });
    if (this.slack?.port !== undefined) this.sender = new SlackSender(`http://127.0.0.1:${this.slack.port}/slack/events`, SIGNING_SECRET);
  }

  /** Stop the bot (Bolt app and createApp; workers left running) and start it again on the same home. */
  async restart(options: SlackRigOptions): Promise<void> {
    await this.slack?.stop();
    await this.app?.close();
    this.slack = undefined;
    this.app = undefined;
    await this.startBot(options);
  }

  get api(): FakeSlack {
    if (!this.fake) throw new Error('rig not started');
    return this.fake;
  }

  get bot(): App {
    if (!this.app) throw new Error('rig not started');
    return this.app;
  }

  private get send(): SlackSender {
    if (!this.sender) throw new Error('HTTP mode only');
    return this.sender;
  }

  nextTs(): string {
    this.seq += 1;
    return `1800000000.${String(this.seq).padStart(6, '0')}`;
  }

  nextEventId(): string {
    this.seq += 1;
    return `Ev${String(this.seq).padStart(6, '0')}`;
  }

  /** `/dispatch <text>` over HTTP: resolves with Bolt's HTTP answer (the ack). */
  command(text: string, who: Person = ALICE, channel = 'C1'): Promise<SendResult> {
    return this.send.command({ text, user_id: who.id, user_name: who.name, channel_id: channel, response_url: this.responseUrl() });
  }

  /** A response_url on the fake (never Slack's real hooks host). */
  private responseUrl(): string {
    this.seq += 1;
    return `${this.api.apiUrl}response/${this.seq}`;
  }

  /** `/dispatch <text>` over Socket Mode: resolves with the client's ack of the envelope. */
  socketCommand(text: string, who: Person = ALICE, channel = 'C1'): Promise<{ envelope_id: string; payload?: unknown }> {
    return this.api.sendEnvelope({
      type: 'slash_commands',
      payload: commandFields({ text, user_id: who.id, user_name: who.name, channel_id: channel, response_url: this.responseUrl() }),
    });
  }

  /** `@bot <text>` at the top of a channel. */
  async mention(
    text: string,
    who: Person = ALICE,
    channel = 'C1',
    at: { ts?: string; eventId?: string; retryNum?: number } = {},
  ): Promise<Said> {
    const ts = at.ts ?? this.nextTs();
    const eventId = at.eventId ?? this.nextEventId();
    const event = { type: 'app_mention', user: who.id, text: `<@${BOT_USER}> ${text}`, channel, ts, event_ts: ts };
    const result = await this.send.event(event, eventId, at.retryNum !== undefined ? { retryNum: at.retryNum } : {});
    return { channel, ts, eventId, result };
  }

  /** A direct message to the bot (Slack's `message` event in an `im` channel). */
  async dm(text: string, who: Person = ALICE, channel = `D${who.id}`): Promise<Said> {
    const ts = this.nextTs();
    const eventId = this.nextEventId();
    const event = { type: 'message', channel_type: 'im', user: who.id, text, channel, ts, event_ts: ts };
    const result = await this.send.event(event, eventId);
    return { channel, ts, eventId, result };
  }

  /** Any other event Slack sends the app (e.g. subteam_members_changed). */
  event(event: Record<string, unknown>): Promise<SendResult> {
    return this.send.event(event, this.nextEventId());
  }

  /** A plain reply in a thread (Slack's `message` event). */
  async threadReply(text: string, thread: string, who: Person = ALICE, channel = 'C1'): Promise<Said> {
    const ts = this.nextTs();
    const eventId = this.nextEventId();
    const event = { type: 'message', channel_type: 'channel', user: who.id, text, channel, ts, thread_ts: thread, event_ts: ts };
    const result = await this.send.event(event, eventId);
    return { channel, ts, eventId, result };
  }

  /**
   * A thread reply that mentions the bot: Slack delivers it twice, as `message` and as
   * `app_mention` (two event ids, one message ts).
   */
  async threadMention(text: string, thread: string, who: Person = ALICE, channel = 'C1'): Promise<Said[]> {
    const ts = this.nextTs();
    const base = { user: who.id, text: `<@${BOT_USER}> ${text}`, channel, ts, thread_ts: thread, event_ts: ts };
    const said: Said[] = [];
    for (const event of [{ ...base, type: 'message', channel_type: 'channel' }, { ...base, type: 'app_mention' }]) {
      const eventId = this.nextEventId();
      said.push({ channel, ts, eventId, result: await this.send.event(event, eventId) });
    }
    return said;
  }

  /**
   * Press a button (or pick a menu option) by its label on a message as the fake shows it now, or
   * as the user saw it earlier (`seen`: a copy taken before an edit, i.e. a stale client).
   */
  press(channel: string, ts: string, label: string, who: Person = ALICE, seen?: PostedMessage): Promise<SendResult> {
    const message = seen ?? this.api.message(channel, ts);
    if (!message) throw new Error(`no message ${channel}/${ts}`);
    const action = findAction(message, label);
    if (!action) throw new Error(`no choice "${label}" on ${channel}/${ts}: ${visible(message)}`);
    const thread = message.thread_ts;
    return this.send.interactive({
      type: 'block_actions',
      token: 'legacy-verification-token',
      api_app_id: 'A1',
      team: { id: 'T1', domain: 'fake' },
      user: { id: who.id, username: who.name, name: who.name, team_id: 'T1' },
      trigger_id: `${Date.now()}.${randomUUID()}`,
      container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false, ...(thread ? { thread_ts: thread } : {}) },
      channel: { id: channel, name: 'general' },
      message: { type: 'message', user: BOT_USER, bot_id: 'BBOT', ts, text: message.text, blocks: message.blocks, ...(thread ? { thread_ts: thread } : {}) },
      response_url: 'https://hooks.slack.test/actions/1',
      actions: [{ ...action, block_id: 'b1', action_ts: String(Date.now() / 1000) }],
    });
  }

  /** Submit a modal the bot opened (a views.open call), typing `value` into its one input. */
  submitView(opened: SlackCall, value: string, who: Person = ALICE): Promise<SendResult> {
    const view = opened.body.view as { callback_id?: string; private_metadata?: string; title?: unknown; blocks?: unknown[] };
    return this.send.interactive({
      type: 'view_submission',
      token: 'legacy-verification-token',
      api_app_id: 'A1',
      team: { id: 'T1', domain: 'fake' },
      user: { id: who.id, username: who.name, name: who.name, team_id: 'T1' },
      trigger_id: `${Date.now()}.${randomUUID()}`,
      view: {
        id: `V${randomUUID().slice(0, 8).toUpperCase()}`,
        team_id: 'T1',
        type: 'modal',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata ?? '',
        title: view.title,
        blocks: view.blocks ?? [],
        hash: 'h1',
        state: { values: { answer: { value: { type: 'plain_text_input', value } } } },
      },
      response_urls: [],
    });
  }

  /** Wait until `check` returns something truthy (re-checked every 20 ms), or fail saying what was awaited. */
  async until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
    const explain = (): string => `bot log:\n${this.logs.slice(-20).join('\n')}\nposted:\n${this.postedTexts().slice(-15).join('\n---\n')}`;
    return eventually(what, check, { timeoutMs, intervalMs: 20, explain });
  }

  tasks(): Promise<TaskRecord[]> {
    return this.bot.store.listTasks();
  }

  async task(id: string): Promise<TaskRecord> {
    const task = await this.bot.store.getTask(id);
    if (!task) throw new Error(`no task ${id}`);
    return task;
  }

  /** A task's status message as users see it now. */
  statusOf(task: TaskRecord): PostedMessage | undefined {
    return task.status ? this.api.message(task.status.channel, task.status.id) : undefined;
  }

  /** Wait until the task's status message (as shown in Slack) matches. */
  async untilStatus(id: string, pattern: RegExp, timeoutMs?: number): Promise<PostedMessage> {
    return this.until(
      `${id}'s status to show ${pattern}`,
      async () => {
        const shown = this.statusOf(await this.task(id));
        return shown && pattern.test(visible(shown)) ? shown : undefined;
      },
      timeoutMs,
    );
  }

  /** The first message (as shown now) whose visible text matches, once there is one. */
  messageShowing(pattern: RegExp): Promise<PostedMessage> {
    return this.until(`a message showing ${pattern}`, () => this.api.allMessages().find((m) => pattern.test(visible(m))));
  }

  /** The chat.postMessage calls that Slack accepted, in order. */
  accepted(method = 'chat.postMessage'): SlackCall[] {
    return this.api.callsOf(method).filter((c) => c.status === 200 && c.error === undefined);
  }

  /** Accepted posts into one thread, in order. */
  threadPosts(channel: string, thread: string): SlackCall[] {
    return this.accepted().filter((c) => c.body.channel === channel && c.body.thread_ts === thread);
  }

  postedTexts(): string[] {
    return this.accepted().map((c) => `${String(c.body.channel)}${c.body.thread_ts ? ` (thread ${String(c.body.thread_ts)})` : ''}: ${String(c.body.text)}`);
  }

  agentRuns(): AgentRun[] {
    return readAgentRuns(this.agentLog);
  }

  /**
   * Calls the fake refused with 429 and whether each was sent again, unchanged, and then
   * accepted (the Web API client waiting out Retry-After).
   */
  rateLimited(): { call: SlackCall; retried: boolean }[] {
    const calls = this.api.calls;
    return calls.flatMap((call, i) =>
      call.status === 429
        ? [{ call, retried: calls.slice(i + 1).some((later) => later.method === call.method && later.status === 200 && isDeepStrictEqual(later.body, call.body)) }]
        : [],
    );
  }

  async close(): Promise<void> {
    await this.slack?.stop();
    await this.app?.close({ killWorkers: true });
    await this.fake?.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * Against a fake enforcing Slack's tiers, production's pacing: posts paced only when the fake
 * enforces the post tier, at the tier's own rate as SLACK_PACING is at Slack's (a test may scale
 * the tier up). Against one enforcing none, RIG_PACING. `editsPerMinute` wins.
 */
function pacingFor(options: SlackRigOptions): SurfacePacing {
  const { updatePerMinute, postPerChannel } = options.fake ?? {};
  const base: SurfacePacing = updatePerMinute === undefined && postPerChannel === undefined ? RIG_PACING : { postsPerSecond: postPerChannel?.perSecond };
  return options.editsPerMinute === undefined ? base : { ...base, perMinute: options.editsPerMinute };
}

interface ElementLike {
  type?: string;
  action_id?: string;
  text?: { text?: string };
  value?: string;
  options?: { text?: { text?: string }; value?: string }[];
}

interface BlockLike {
  type?: string;
  text?: { text?: string };
  fields?: { text?: string }[];
  elements?: ElementLike[];
}

export function findAction(message: PostedMessage, label: string): Record<string, unknown> | undefined {
  for (const block of message.blocks as BlockLike[]) {
    for (const el of block.elements ?? []) {
      if (el.type === 'button' && el.text?.text === label) {
        return { type: 'button', action_id: el.action_id, text: { type: 'plain_text', text: label }, value: el.value };
      }
      const option = el.options?.find((o) => o.text?.text === label);
      if (el.type === 'static_select' && option) {
        return { type: 'static_select', action_id: el.action_id, selected_option: { text: { type: 'plain_text', text: label }, value: option.value } };
      }
    }
  }
  return undefined;
}

/** A message as a person reads it: header, sections, fields, then `[Button]`s and menu options. */
export function visible(message: { blocks: unknown[]; text: string }): string {
  const blocks = message.blocks as BlockLike[];
  if (blocks.length === 0) return message.text;
  const lines: string[] = [];
  for (const block of blocks) {
    if (block.text?.text) lines.push(block.text.text);
    for (const field of block.fields ?? []) if (field.text) lines.push(field.text);
    for (const el of block.elements ?? []) {
      if (el.type === 'button' && el.text?.text) lines.push(`[${el.text.text}]`);
      for (const option of el.options ?? []) if (option.text?.text) lines.push(`<${option.text.text}>`);
    }
  }
  return lines.join('\n');
}

/** The same, for a recorded chat.postMessage / chat.update call. */
export function visibleCall(call: SlackCall): string {
  return visible({ blocks: Array.isArray(call.body.blocks) ? call.body.blocks : [], text: String(call.body.text ?? '') });
}
