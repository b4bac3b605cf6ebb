/**
 * The bot's own credentials, which a worker must never inherit: chat tokens, Redis, the bot's
 * own tokens, and GITHUB_TOKEN (the bot opens pull requests with it; a worker holding it could
 * write wherever the token reaches). The workers' keys (ANTHROPIC_API_KEY, OPENAI_API_KEY,
 * GEMINI_API_KEY, CURSOR_API_KEY, …) are what they run on, so they stay.
 */
const BOT_SECRET = [/^SLACK_/, /^DISCORD_/, /^REDIS_/, /^BULLMQ_/, /^DISPATCH_.*(?:TOKEN|SECRET|PASSWORD|_KEY)/, /^GITHUB_TOKEN$/];

/** Variables nested Claude Code sessions leave behind; with them claude thinks it runs inside another. */
export const CLAUDE_SESSION_VARS = ['CLAUDE_CODE_ENTRYPOINT', 'CLAUDECODE'];

export function botSecretNames(env: Record<string, string | undefined>): string[] {
  return Object.keys(env)
    .filter((name) => BOT_SECRET.some((re) => re.test(name.toUpperCase())))
    .sort();
}
