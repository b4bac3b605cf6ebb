import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discordFromEnv, type DiscordSurface } from '../../adapters/discord/index.js';
import type { Inbound } from '../../src/chat/inbound.js';
import type { App } from '../../src/app.js';
import { startBot, wireSurface, type SurfaceDeps } from '../../src/wiring.js';
import type { TaskRecord } from '../../src/store/records.js';
import { FakeDiscord, type FakeChannel, type FakeMessage, type RecordedCall } from '../fakes/discord-server.js';
import { RIG_PACING, RIG_RUNNER_TIMING, botEnv, botPaths, makeRepo, readAgentRuns, type AgentRun } from './bot-env.js';
import { eventually } from './eventually.js';

const WAIT_MS = 20_000;
const POLL_MS = 25;

export const RIG_CONFIG = `default: opus
models:
  opus: { backend: claude }
  sonnet: { backend: claude }
  gemini-2.5-flash: { backend: gemini }
`;

export interface DiscordAppOptions {
  config?: string;
  /** Register `/dispatch` per guild (DISCORD_GUILD_ID set; default) or globally. */
  guild?: boolean;
  /** Extra environment for the bot (e.g. GITHUB_TOKEN, GITHUB_API_URL). */
  env?: Record<string, string>;
}

/** One `firstDelivery` question the adapter asked the store, and its answer. */
export interface DeliveryAsked {
  key: string;
  first: boolean;
}

/**
 * The whole bot as production wires it for Discord (src/wiring.ts, as src/start.ts): `discordFromEnv` with the real
 * discord.js client logged in to a FakeDiscord on 127.0.0.1, the real dispatcher, runner host and
 * SQLite store from `createApp`, workers being the fake agent CLI on PATH in a real git repo.
 */
export class DiscordApp {
  readonly root = mkdtempSync(join(tmpdir(), 'dispatch-discord-e2e-'));
  readonly repo = makeRepo(join(this.root, 'repo'));
  readonly home = botPaths(this.root).home;
  readonly configFile = botPaths(this.root).configFile;
  readonly agentLog = botPaths(this.root).agentLog;
  readonly logs: string[] = [];
  /** Every delivery key the adapters asked about, with the store's answer. */
  readonly deliveries: DeliveryAsked[] = [];
  /** Inbound requests the dispatcher has finished handling (its reply, if any, is posted). */
  readonly handled: Inbound[] = [];
  /** A second text channel of the same guild, so per-channel answers can be told apart. */
  other!: FakeChannel;
  fake!: FakeDiscord;
  app!: App;
  /** The adapter as started (its stop() is not on the coalesced surface the app holds). */
  discord!: DiscordSurface;
  private env: NodeJS.ProcessEnv = {};
  private readonly log = (line: string): void => void this.logs.push(line);

  private constructor() {}

  static async start(options: DiscordAppOptions = {}): Promise<DiscordApp> {
    const rig = new DiscordApp();
    try {
      await rig.boot(options);
    } catch (error) {
      await rig.close();
      throw error;
    }
    return rig;
  }

  private async boot(options: DiscordAppOptions): Promise<void> {
    writeFileSync(this.configFile, options.config ?? RIG_CONFIG);
    this.fake = await new FakeDiscord().start();
    this.other = { id: '900000000000000101', type: 0, name: 'backend', guild_id: this.fake.guildId };
    this.fake.channels.set(this.other.id, this.other);
    this.env = {
      ...botEnv(this.root, options.env),
      DISCORD_TOKEN: 'fake-discord-token',
      DISCORD_API_URL: this.fake.apiUrl,
      DISCORD_GUILD_ID: options.guild === false ? '' : this.fake.guildId,
    };
    this.app = await this.startApp();
  }

  /** The app with a logged-in adapter attached, as src/start.ts wires them, then recovered. */
  private startApp(): Promise<App> {
    return startBot({ env: this.env, cwd: this.repo, log: this.log, runnerTiming: RIG_RUNNER_TIMING }, async (app) => {
      this.discord = await this.startAdapter(app);
    });
  }

  /** Log a new adapter in (as `dispatch-bot start` does) and attach it, coalesced, to the app. */
  private startAdapter(app: App): Promise<DiscordSurface> {
    const start = (deps: SurfaceDeps): Promise<DiscordSurface> => {
      const started = discordFromEnv(this.env, {
        ...deps,
        onInbound: async (inbound) => {
          await deps.onInbound(inbound);
          this.handled.push(inbound);
        },
        accept: async (keys, inbound) => {
          const first = await deps.accept(keys, inbound);
          for (const key of keys) this.deliveries.push({ key, first });
          return first;
        },
      });
      if (!started) throw new Error('discordFromEnv did not start: DISCORD_TOKEN missing');
      return started;
    };
    // The fake Discord enforces no rate limit: the rig does not pace for one.
    return wireSurface(app, start, { log: this.log, pacing: RIG_PACING });
  }

  /**
   * Stop the adapter and log a fresh one in against the same store (a bot restart's Discord side):
   * queued edits go out first, as on a restart, while the old client can still send them.
   */
  async restartAdapter(): Promise<void> {
    await this.app.flush();
    await this.discord.stop();
    this.discord = await this.startAdapter(this.app);
  }

  /**
   * Restart the whole bot as src/start.ts does on SIGTERM and start: queued edits flushed, the
   * adapter stopped, the app closed leaving its workers running; then a new app on the same
   * DISPATCH_HOME logs a new adapter in and recovers (re-adopting the workers).
   */
  async restartBot(): Promise<void> {
    await this.app.flush();
    await this.discord.stop();
    await this.app.close();
    this.app = await this.startApp();
  }

  /** `@bot <text>` from a user; returns the gateway payload (to redeliver it later). */
  mention(text: string, opts: { channel?: FakeChannel; author?: FakeDiscord['alice'] } = {}): Record<string, unknown> {
    return this.fake.userMessage({ channel: opts.channel ?? this.fake.general, content: `<@${this.fake.bot.id}> ${text}`, ...(opts.author ? { author: opts.author } : {}) });
  }

  /** A plain message in a thread (or channel), no mention. */
  say(channelId: string, text: string, author?: FakeDiscord['alice']): Record<string, unknown> {
    const channel = this.fake.channels.get(channelId);
    if (!channel) throw new Error(`no channel ${channelId} in the fake`);
    return this.fake.userMessage({ channel, content: text, ...(author ? { author } : {}) });
  }

  /** Wait until `check` returns something truthy; on timeout, fail saying what the bot did. */
  async until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = WAIT_MS): Promise<T> {
    return eventually(what, check, { timeoutMs, intervalMs: POLL_MS, explain: () => this.transcript() });
  }

  /** The bot's messages in a channel or thread, oldest first. */
  botMessages(channelId: string): FakeMessage[] {
    return this.fake.botMessagesIn(channelId);
  }

  /** What a user reads in a message: content, then each embed's title and description. */
  static text(message: FakeMessage | undefined): string {
    if (!message) return '';
    const embeds = (message.embeds as { title?: string; description?: string }[]).map((e) => [e.title, e.description].filter(Boolean).join('\n'));
    return [message.content, ...embeds].filter(Boolean).join('\n');
  }

  findBotMessage(channelId: string, pattern: RegExp): FakeMessage | undefined {
    return this.botMessages(channelId).find((m) => pattern.test(DiscordApp.text(m)));
  }

  /** The task's status message: the embed titled with the task id. */
  statusMessage(channelId: string, taskId: string): FakeMessage | undefined {
    return this.botMessages(channelId).find((m) => (m.embeds as { title?: string }[]).some((e) => e.title === taskId));
  }

  /** REST calls that created a message in a channel (not webhooks, not edits). */
  posts(channelId: string): RecordedCall[] {
    return this.fake.callsTo('POST', new RegExp(`^/channels/${channelId}/messages$`));
  }

  edits(channelId: string, messageId: string): RecordedCall[] {
    return this.fake.callsTo('PATCH', new RegExp(`^/channels/${channelId}/messages/${messageId}$`));
  }

  agentRuns(): AgentRun[] {
    return readAgentRuns(this.agentLog);
  }

  tasks(): Promise<TaskRecord[]> {
    return this.app.store.listTasks();
  }

  async task(): Promise<TaskRecord> {
    const [task, ...more] = await this.tasks();
    if (!task || more.length > 0) throw new Error(`expected exactly one task, found ${more.length + (task ? 1 : 0)}`);
    return task;
  }

  wasHandled(deliveryId: string): boolean {
    return this.handled.some((i) => i.deliveryId === deliveryId);
  }

  /** Everything the bot posted, for a failure message. */
  transcript(): string {
    const bot = [...this.fake.messages.values()].filter((m) => m.author.id === this.fake.bot.id);
    return [...bot.map((m) => `[${m.channel_id}/${m.id}] ${DiscordApp.text(m)}`), ...this.logs.map((l) => `log: ${l}`)].join('\n---\n');
  }

  /** Workers killed, edits flushed, adapter stopped, fake closed, temp dirs removed. */
  async close(): Promise<void> {
    try {
      if (this.app) await this.app.close({ killWorkers: true });
    } finally {
      try {
        if (this.discord) await this.discord.stop();
      } finally {
        try {
          if (this.fake) await this.fake.close();
        } finally {
          rmSync(this.root, { recursive: true, force: true });
        }
      }
    }
  }
}
