type Env = Record<string, string | undefined>;

/** Errors that mean the platform was never reached: the token was not even looked at. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);
/** @slack/web-api's code for a request that got no answer (its platform errors have another code). */
const SLACK_REQUEST_ERROR = 'slack_webapi_request_error';

const SURFACE = {
  slack: { host: 'slack.com', url: 'SLACK_API_URL', token: (env: Env) => (env.SLACK_APP_TOKEN?.trim() ? 'SLACK_BOT_TOKEN and SLACK_APP_TOKEN' : 'SLACK_BOT_TOKEN') },
  discord: { host: 'discord.com', url: 'DISCORD_API_URL', token: () => 'DISCORD_TOKEN' },
} as const;

/**
 * One line saying why a chat surface did not start and what to check: the network when the
 * platform was never reached (blaming the token then sends people the wrong way), else the token.
 */
export function startFailure(surface: keyof typeof SURFACE, error: unknown, env: Env): Error {
  const s = SURFACE[surface];
  const apiUrl = env[s.url]?.trim();
  const why = reason(error);
  if (unreachable(error)) {
    const host = apiUrl ? hostOf(apiUrl) : s.host;
    return new Error(`${surface}: could not reach ${host}: ${why} — check the network${apiUrl ? ` or ${s.url}` : ''}`, { cause: error });
  }
  return new Error(`${surface}: could not start (${why}); check ${s.token(env)}${apiUrl ? ` and ${s.url}` : ''}`, { cause: error });
}

/** The error and what it wraps (`cause`, or the Slack client's `original`). */
function chain(error: unknown): unknown[] {
  const seen: unknown[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.includes(current) && seen.length < 8) {
    seen.push(current);
    const e = current as { cause?: unknown; original?: unknown };
    current = e.cause ?? e.original;
  }
  return seen;
}

function unreachable(error: unknown): boolean {
  return chain(error).some((e) => {
    const { code, message } = e as { code?: unknown; message?: unknown };
    return code === SLACK_REQUEST_ERROR || (typeof code === 'string' && NETWORK_CODES.has(code)) || message === 'fetch failed';
  });
}

function reason(error: unknown): string {
  const messages = chain(error).map((e) => (e instanceof Error ? e.message || String((e as { code?: unknown }).code ?? '') : String(e)));
  // The outermost message names the failure; a network error's own words are at the bottom
  // (fetch says only "fetch failed" and puts ECONNREFUSED and the like in its cause).
  const text = messages.find((m) => m && !/^(discord|slack): /.test(m) && m !== 'fetch failed') ?? messages[0] ?? String(error);
  return text.replace(/^A request error occurred: /, '');
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
