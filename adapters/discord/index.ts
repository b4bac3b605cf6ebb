/**
 * The Discord surface: a discord.js client that turns mentions, `/dispatch`, thread replies,
 * buttons, selects and modals into Inbound requests, and renders Replies as embeds + components.
 * Pure translation: it never touches the runner or the config.
 */
import { Client, Events, GatewayIntentBits, Partials, RESTEvents, SlashCommandBuilder, type RESTOptions } from 'discord.js';
import { z } from 'zod';
import type { Inbound } from '../../src/chat/inbound.js';
import type { ChatSurface } from '../../src/chat/surface.js';
import { CustomIds } from './custom-ids.js';
import { DiscordEgress } from './egress.js';
import { COMMAND_NAME, onInteraction, onMessage, type IngressDeps } from './ingress.js';
import { InteractionRegistry } from './interactions.js';
import { discordDownloader } from './files.js';

export interface DiscordSurface extends ChatSurface {
  readonly botUserId: string;
  stop(): Promise<void>;
}

export interface DiscordDeps {
  onInbound: (inbound: Inbound) => Promise<void>;
  /**
   * Keep a request durably before it is acknowledged; false when one of its keys was delivered
   * already (so a gateway replay or a restart does not handle it twice).
   */
  accept: (keys: readonly string[], inbound: Inbound) => Promise<boolean>;
  log?: (line: string) => void;
  /** Called for each REST answer the client tries again: a 429 (waited out) or a 5xx. */
  onRetry?: () => void;
}

export interface DiscordOptions extends DiscordDeps {
  token: string;
  /** REST base, e.g. `http://127.0.0.1:P/api` (DISCORD_API_URL); the gateway URL is looked up through it. */
  apiUrl?: string;
  /** Register `/dispatch` in this guild only (instant) instead of globally (DISCORD_GUILD_ID). */
  guildId?: string;
  /** How long an `input:` button press waits for `openInput` before it is deferred (default 2 s). */
  modalHoldMs?: number;
}

const DEFAULT_MODAL_HOLD_MS = 2000;

export function dispatchCommand(): ReturnType<SlashCommandBuilder['toJSON']> {
  return new SlashCommandBuilder()
    .setName(COMMAND_NAME)
    .setDescription('Dispatch a task to an AI coding agent, or ask for status')
    .addStringOption((o) => o.setName('text').setDescription('What to do (empty: check the setup)').setRequired(false).setMaxLength(6000))
    .toJSON();
}

/** Node's fetch as the REST client's request function: the same web shapes, typed by two copies of undici. */
const nodeFetch = ((url: string, init: RequestInit) => fetch(url, init)) as unknown as RESTOptions['makeRequest'];

function newClient(apiUrl: string | undefined): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages],
    // DM channels are never in the cache before their first message.
    partials: [Partials.Channel],
    // Node's own fetch, not the REST client's bundled undici: once another undici (Slack's Socket
    // Mode client brings one) has installed the process-wide dispatcher first, the bundled one
    // hands it a multipart body it cannot read, and every message with a file fails.
    rest: { makeRequest: nodeFetch, ...(apiUrl ? { api: apiUrl } : {}) },
  });
}

async function login(client: Client, token: string): Promise<Client<true>> {
  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  await client.login(token);
  return ready;
}

/** Log in, register `/dispatch`, listen; resolves once the client is ready. */
export async function startDiscord(opts: DiscordOptions): Promise<DiscordSurface> {
  const log = opts.log ?? (() => undefined);
  const fresh = newClient(opts.apiUrl);
  const client = await login(fresh, opts.token).catch(async (error: unknown) => {
    await fresh.destroy();
    throw new Error(`discord: login failed: ${String(error)}`, { cause: error });
  });
  // discord.js re-sends a request after a 429 (once its reset passes) and after a 5xx (up to its `retries`).
  if (opts.onRetry) {
    const onRetry = opts.onRetry;
    client.rest.on(RESTEvents.Response, (_request, response) => {
      if (response.status === 429 || response.status >= 500) onRetry();
    });
  }
  const ids = new CustomIds();
  const interactions = new InteractionRegistry();
  const deps: IngressDeps = { client, ids, interactions, onInbound: opts.onInbound, accept: opts.accept, log, modalHoldMs: opts.modalHoldMs ?? DEFAULT_MODAL_HOLD_MS };
  client.on(Events.MessageCreate, (message) => void onMessage(deps, message).catch((e: unknown) => log(`discord: message ${message.id} failed: ${String(e)}`)));
  client.on(Events.InteractionCreate, (interaction) => void onInteraction(deps, interaction));
  client.on(Events.Error, (error) => log(`discord: client error: ${String(error)}`));
  // Listen before registering the command, so nothing said meanwhile is missed.
  try {
    const commands = [dispatchCommand()];
    await (opts.guildId ? client.application.commands.set(commands, opts.guildId) : client.application.commands.set(commands));
  } catch (error) {
    await client.destroy();
    throw new Error(`discord: registering /${COMMAND_NAME} failed: ${String(error)}`);
  }
  const egress = new DiscordEgress({ client, ids, interactions, log });
  return Object.assign(egress, {
    download: discordDownloader(opts.apiUrl),
    stop: async (): Promise<void> => {
      interactions.clear();
      await client.destroy();
    },
  });
}

const DiscordEnv = z.object({
  DISCORD_TOKEN: z.string().min(1).optional(),
  DISCORD_API_URL: z.string().url().optional(),
  DISCORD_GUILD_ID: z.string().regex(/^\d{15,25}$/, 'DISCORD_GUILD_ID must be a numeric guild id').optional(),
});

/** The Discord surface when DISCORD_TOKEN is set, else undefined. */
export function discordFromEnv(env: Record<string, string | undefined>, deps: DiscordDeps): Promise<DiscordSurface> | undefined {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = DiscordEnv.parse(blankless);
  if (!parsed.DISCORD_TOKEN) return undefined;
  return startDiscord({
    token: parsed.DISCORD_TOKEN,
    ...(parsed.DISCORD_API_URL ? { apiUrl: parsed.DISCORD_API_URL } : {}),
    ...(parsed.DISCORD_GUILD_ID ? { guildId: parsed.DISCORD_GUILD_ID } : {}),
    ...deps,
  });
}
