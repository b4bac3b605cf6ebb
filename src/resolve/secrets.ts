/**
 * The bot's own credentials (chat tokens, Redis, the shared queue secret, the token it opens
 * pull requests with): a worker never gets them, whatever the operator lets through.
 */
const BOT_SECRET = [/^SLACK_/, /^DISCORD_/, /^REDIS_/, /^BULLMQ_/, /^DISPATCH_.*(?:TOKEN|SECRET|PASSWORD|_KEY)/, /^GITHUB_TOKEN$/];

/**
 * Names that look like a credential of the host (GH_TOKEN, NPM_TOKEN, AWS_SECRET_ACCESS_KEY,
 * DATABASE_PASSWORD, …). The agents run with their permission checks off, so whatever the
 * runner's environment holds, a worker (or a prompt injected into it) could use or leak.
 */
const LOOKS_SECRET = [/TOKEN/, /SECRET/, /PASSWORD/, /PASSWD/, /(?:^|_)(?:API_?)?KEYS?(?:_|$)/, /APIKEY/];

/**
 * What the agent CLIs authenticate with when no login is stored in their home directory:
 * claude (ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, CLAUDE_CODE_OAUTH_TOKEN from
 * `claude setup-token`), codex (OPENAI_API_KEY, CODEX_API_KEY), gemini (GEMINI_API_KEY,
 * GOOGLE_API_KEY), cursor `agent` (CURSOR_API_KEY). A worker is that CLI, so these stay.
 */
export const CLI_KEYS: readonly string[] = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'OPENAI_API_KEY',
  'CODEX_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'CURSOR_API_KEY',
];

/** The operator's list of further names workers may have (DISPATCH_WORKER_ENV=AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY). */
export const WORKER_ENV_KEEP = 'DISPATCH_WORKER_ENV';

/** Variables nested Claude Code sessions leave behind; with them claude thinks it runs inside another. */
export const CLAUDE_SESSION_VARS = ['CLAUDE_CODE_ENTRYPOINT', 'CLAUDECODE'];

const isBotSecret = (name: string): boolean => BOT_SECRET.some((re) => re.test(name.toUpperCase()));

/**
 * The variables of this host's own environment a worker must not inherit: the bot's own
 * credentials always, and anything else that looks like a credential unless it is a CLI key or
 * named in DISPATCH_WORKER_ENV. Computed from the environment of the host that starts the
 * worker, never from what came with the task.
 */
export function secretNames(env: Record<string, string | undefined>): string[] {
  const keep = new Set([...CLI_KEYS, ...(env[WORKER_ENV_KEEP] ?? '').split(',').map((n) => n.trim()).filter(Boolean)]);
  return Object.keys(env)
    .filter((name) => isBotSecret(name) || (LOOKS_SECRET.some((re) => re.test(name.toUpperCase())) && !keep.has(name)))
    .sort();
}

/** `env` without `secretNames(env)`. */
export function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of secretNames(env)) delete out[name];
  return out;
}
