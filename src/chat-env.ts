type Env = Record<string, string | undefined>;

/** Which chat surfaces the environment asks for. */
export interface WantedSurfaces {
  slack: boolean;
  discord: boolean;
}

const set = (env: Env, name: string): boolean => Boolean(env[name]?.trim());

/**
 * Read before any chat SDK is loaded. A surface set only in part is an error naming the missing
 * variable: quietly falling back to the shell would exit at once under a service manager, and
 * the user would never learn why. Slack needs its bot token and, to hear anything, either the
 * app token (Socket Mode, where Slack signs nothing) or the signing secret (HTTP, where every
 * request is checked against it).
 */
export function wantedSurfaces(env: Env): WantedSurfaces {
  const problems: string[] = [];
  const slackVars = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET'].filter((name) => set(env, name));
  const slack = slackVars.length > 0;
  if (slack && !set(env, 'SLACK_BOT_TOKEN')) {
    problems.push(`slack: SLACK_BOT_TOKEN is not set (${slackVars.join(' and ')} ${slackVars.length > 1 ? 'are' : 'is'}); it is the app's Bot User OAuth Token, xoxb-…`);
  } else if (slack && !set(env, 'SLACK_APP_TOKEN') && !set(env, 'SLACK_SIGNING_SECRET')) {
    problems.push('slack: SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode, xapp-…) nor SLACK_SIGNING_SECRET (HTTP events on PORT) is');
  }
  const discord = set(env, 'DISCORD_TOKEN');
  if (!discord && set(env, 'DISCORD_GUILD_ID')) problems.push('discord: DISCORD_TOKEN is not set (DISCORD_GUILD_ID is); it is the bot token from the Discord developer portal');
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return { slack, discord };
}
