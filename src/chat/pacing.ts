import type { CoalesceOptions } from './coalesce.js';

/** How a platform's rate limits translate into the pacing of one bot's posts and edits. */
export type PlatformPacing = Pick<CoalesceOptions, 'perMinute' | 'postsPerSecond'>;

/**
 * Slack: chat.update is Tier 3 (about 50 a minute per workspace), kept at 45 for room; a
 * bucket of 3 spent evenly stays under the tier in any minute. chat.postMessage allows about one
 * a second per channel.
 */
export const SLACK_PACING: PlatformPacing = { perMinute: 45, postsPerSecond: 1 };

/** Discord allows 5 message edits and 5 messages per 5 s per channel; the whole bot stays under that. */
export const DISCORD_PACING: PlatformPacing = { perMinute: 50, postsPerSecond: 1 };
