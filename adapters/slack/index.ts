import type { AddressInfo } from 'node:net';
import { App, LogLevel, webApi, type CustomRoute, type Logger } from '@slack/bolt';
import { z } from 'zod';
import type { Inbound } from '../../src/chat/inbound.js';
import type { ChatSurface } from '../../src/chat/surface.js';
import { OPS_PATHS, type OpsHandler } from '../../src/metrics/http.js';
import { slackSurface } from './egress.js';
import { UserGroups } from './groups.js';
import { CommandResponses } from './responses.js';
import { listen } from './listen.js';
import { slackDownloader } from './files.js';

export interface SlackOptions {
  botToken: string;
  /** HTTP mode checks every request against it; Socket Mode needs none (Slack signs nothing there). */
  signingSecret?: string;
  /** xapp-… token: Socket Mode instead of an HTTP endpoint. */
  appToken?: string;
  /** Web API base (SLACK_API_URL): tests, GovSlack. */
  apiUrl?: string;
  /** HTTP mode only (PORT): default 3000, 0 = any free port. */
  port?: number;
  /** HTTP mode only: interface to listen on (default: all). */
  host?: string;
  onInbound: (inbound: Inbound) => Promise<void>;
  /**
   * Keep a request durably before Slack is told it arrived; false when one of its keys was
   * delivered already (Slack retries a slow delivery). Must survive restarts.
   */
  accept: (keys: readonly string[], inbound: Inbound) => Promise<boolean>;
  log?: (line: string) => void;
  /** Called each time the Web API client tries a failed call again (a 429 waited out, a 5xx, the network). */
  onRetry?: () => void;
  /** HTTP mode only: `/healthz` and `/metrics` answered on the same port as Slack's events. */
  ops?: OpsHandler;
}

export interface SlackSurface extends ChatSurface {
  /** The HTTP port actually bound (undefined in Socket Mode). */
  readonly port?: number;
  stop(): Promise<void>;
}

/**
 * A 429 is waited out for its Retry-After by the client itself; these retries bound how often,
 * and back off network failures, so a call gives up within about a minute rather than thirty.
 */
const RETRY = { retries: 5, factor: 2, minTimeout: 250, maxTimeout: 15_000, randomize: true };

/**
 * Start-up's one call, auth.test, fails fast: a bot started with Slack out of reach (the network,
 * a wrong SLACK_API_URL) says so within about two seconds, not after a minute of backoff; a
 * service manager restarts it (deploy/systemd: Restart=on-failure).
 */
const START_RETRY = { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 1_000, randomize: false };
const START_TIMEOUT_MS = 10_000;

/** Who the token is (auth.test), asked once with start-up's short retries; a bad token or no answer throws. */
async function whoAmI(opts: SlackOptions, logger: Logger): Promise<{ botId?: string; botUserId?: string }> {
  const client = new webApi.WebClient(opts.botToken, {
    ...(opts.apiUrl ? { slackApiUrl: withSlash(opts.apiUrl) } : {}),
    retryConfig: START_RETRY,
    timeout: START_TIMEOUT_MS,
    logger,
    logLevel: LogLevel.WARN,
  });
  const who = await client.auth.test();
  return { ...(who.bot_id ? { botId: who.bot_id } : {}), ...(who.user_id ? { botUserId: who.user_id } : {}) };
}

/**
 * The client hands its retry options to p-retry, which calls `onFailedAttempt` after every
 * failed try (a 429 after its Retry-After wait); only one with tries left is tried again.
 */
function retryConfig(onRetry: (() => void) | undefined): webApi.RetryOptions {
  const config: webApi.RetryOptions & { onFailedAttempt: (error: { retriesLeft?: number }) => void } = {
    ...RETRY,
    onFailedAttempt: (error) => {
      if ((error.retriesLeft ?? 0) > 0) onRetry?.();
    },
  };
  return config;
}

/** Bolt's custom routes for the operations endpoints (GET only). */
function opsRoutes(handle: OpsHandler): CustomRoute[] {
  return OPS_PATHS.map((path) => ({
    path,
    method: ['GET'],
    handler: (_req, res) => {
      void handle(path).then((answer) => {
        if (!answer) res.writeHead(404).end();
        else res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
      });
    },
  }));
}

/** Start the Slack surface: Bolt over HTTP (/slack/events), or Socket Mode when an app token is given. */
export async function startSlack(opts: SlackOptions): Promise<SlackSurface> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const socketMode = Boolean(opts.appToken);
  const logger = boltLogger(log);
  // Bolt asks auth.test itself unless given who the bot is; asked here, a bad token or an
  // unreachable Slack fails start-up at once instead of through the client's long retries.
  const who = await whoAmI(opts, logger);
  const app = new App({
    token: opts.botToken,
    ...who,
    ...(opts.signingSecret ? { signingSecret: opts.signingSecret } : {}),
    ...(socketMode ? { appToken: opts.appToken, socketMode: true } : {}),
    logger,
    logLevel: LogLevel.WARN,
    clientOptions: { ...(opts.apiUrl ? { slackApiUrl: withSlash(opts.apiUrl) } : {}), retryConfig: retryConfig(opts.onRetry), timeout: 30_000 },
    ...(!socketMode && opts.ops ? { customRoutes: opsRoutes(opts.ops) } : {}),
    // Over HTTP an event's 200 goes out only once our listener has returned, and the listener
    // returns once the request is kept (it is handled afterwards): acknowledged means not lost.
    // In Socket Mode Bolt acknowledges events before listeners run; commands and actions are
    // acknowledged by our listeners, after the request is kept.
    processBeforeResponse: true,
  });
  const responses = new CommandResponses();
  const groups = new UserGroups(app.client, log);
  listen(app, { onInbound: opts.onInbound, accept: opts.accept, log, responses, groups });
  let port: number | undefined;
  if (socketMode) await app.start();
  else {
    const server = await app.start({ port: opts.port ?? 3000, ...(opts.host ? { host: opts.host } : {}) });
    port = (server.address() as AddressInfo).port;
  }
  let stopped = false;
  return {
    ...slackSurface(app.client, log, responses),
    download: slackDownloader(opts.botToken, opts.apiUrl),
    groupsOf: (user: string, candidates: readonly string[]) => groups.groupsOf(user, candidates),
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.stop();
    },
  };
}

const SlackEnv = z.object({
  SLACK_BOT_TOKEN: z.string().min(1),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().min(1).optional(),
  SLACK_API_URL: z.url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
});

/**
 * The Slack surface from SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or
 * SLACK_SIGNING_SECRET (HTTP); undefined when those are not set.
 */
export async function slackFromEnv(
  env: Record<string, string | undefined>,
  deps: Pick<SlackOptions, 'onInbound' | 'accept' | 'log' | 'onRetry' | 'ops'>,
): Promise<SlackSurface | undefined> {
  if (!env.SLACK_BOT_TOKEN || (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN)) return undefined;
  const blankless = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const e = SlackEnv.parse(blankless);
  return startSlack({
    ...deps,
    botToken: e.SLACK_BOT_TOKEN,
    ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
    ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
    ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL } : {}),
    ...(e.PORT !== undefined ? { port: e.PORT } : {}),
  });
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

const RANK: Record<LogLevel, number> = { [LogLevel.DEBUG]: 0, [LogLevel.INFO]: 1, [LogLevel.WARN]: 2, [LogLevel.ERROR]: 3 };

/** Bolt's and the Web API client's chatter, routed to our log line by line (warnings and up). */
function boltLogger(log: (line: string) => void): Logger {
  let level = LogLevel.WARN;
  let name = 'slack';
  const at =
    (l: LogLevel) =>
    (...parts: unknown[]): void => {
      if (RANK[l] >= RANK[level]) log(`${name} ${l}: ${parts.map(String).join(' ')}`);
    };
  return {
    debug: at(LogLevel.DEBUG),
    info: at(LogLevel.INFO),
    warn: at(LogLevel.WARN),
    error: at(LogLevel.ERROR),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n: string) => {
      name = n;
    },
  };
}
