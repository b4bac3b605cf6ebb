import { z } from 'zod';
import { ForgeError, messageOf } from '../errors/index.js';
import { redact } from '../util/redact.js';

/** What an Octokit failure carries (a RequestError: status and GitHub's answer; a GraphQL error: its errors). */
const Failure = z.object({
  status: z.number().optional(),
  response: z
    .object({
      headers: z.record(z.string(), z.unknown()).optional(),
      data: z.unknown().optional(),
    })
    .optional(),
  errors: z.array(z.object({ type: z.string().optional(), message: z.string().optional() })).optional(),
});

const GitHubMessage = z.object({
  message: z.string().optional(),
  errors: z.array(z.union([z.string(), z.object({ message: z.string().optional(), code: z.string().optional(), field: z.string().optional() })])).optional(),
});

interface Context {
  /** What the bot was doing, as a verb phrase: `open a pull request for dispatch/x`. */
  what: string;
  repo: string;
  api: string;
  token: string;
}

/** GitHub's own words for a refusal: its message and the messages of its errors. */
function githubWords(data: unknown): string {
  const parsed = GitHubMessage.safeParse(data);
  if (!parsed.success) return '';
  const details = (parsed.data.errors ?? []).map((e) => (typeof e === 'string' ? e : (e.message ?? [e.field, e.code].filter(Boolean).join(' '))));
  return [parsed.data.message, ...details].filter(Boolean).join('; ');
}

/** When a rate limit is used up, the time it resets (GitHub sends epoch seconds). */
function rateLimitReset(headers: Record<string, unknown> | undefined): string | undefined {
  if (headers?.['x-ratelimit-remaining'] !== '0') return undefined;
  const reset = Number(headers['x-ratelimit-reset']);
  return Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString().slice(11, 16) + ' UTC' : 'a while';
}

/**
 * An Octokit failure as one line that names what to fix. The token never appears: Octokit
 * redacts it from what it keeps, and every message passes through `redact` besides.
 */
export function forgeFailure(error: unknown, ctx: Context): ForgeError {
  const failure = Failure.safeParse(error);
  const info = failure.success ? failure.data : {};
  const said = githubWords(info.response?.data);
  const words = said ? `: ${said}` : '';
  const status = info.response ? info.status : undefined;
  const line = (() => {
    if (info.errors?.some((e) => e.type === 'NOT_FOUND')) return `GitHub has no such pull request or repository ${ctx.repo} visible to GITHUB_TOKEN, so the bot could not ${ctx.what}: check the number, origin, and the token's repository access.`;
    if (status === undefined) {
      if (info.status === 404) return `GitHub has nothing at ${ctx.repo} visible to GITHUB_TOKEN, so the bot could not ${ctx.what}.`;
      return `Could not reach GitHub at ${ctx.api} to ${ctx.what} (${messageOf(error)}): check GITHUB_API_URL and the network.`;
    }
    if (status === 401) return `GitHub refused GITHUB_TOKEN (401${words}): set a valid token for the bot.`;
    if (status === 403 || status === 429) {
      const reset = rateLimitReset(info.response?.headers);
      if (reset) return `GitHub's rate limit for GITHUB_TOKEN is used up (${status}); the bot can ${ctx.what} again after ${reset}.`;
      return `GitHub refused to ${ctx.what} on ${ctx.repo} (${status}${words}): give GITHUB_TOKEN write access to pull requests (and read access to issues) there.`;
    }
    if (status === 404) return `GitHub has no ${ctx.what.includes('issue') ? 'such issue in' : 'repository'} ${ctx.repo} visible to GITHUB_TOKEN (404), so the bot could not ${ctx.what}: check origin and the token's repository access.`;
    if (status === 422 && /draft/i.test(said)) return `GitHub refused a draft pull request on ${ctx.repo} (422${words}): set \`draft: false\` for this repo under \`repos:\` in the config.`;
    if (status === 422) return `GitHub refused to ${ctx.what} on ${ctx.repo} (422${words}).`;
    if (status >= 500) return `GitHub failed to ${ctx.what} (${status}${words}); nothing was changed there. Try again in a minute.`;
    return `GitHub answered ${status} when the bot tried to ${ctx.what} on ${ctx.repo}${words}.`;
  })();
  return new ForgeError(redact(line, [ctx.token]));
}
