import type { RespondFn } from '@slack/bolt';

/** Slack keeps a slash command's response_url usable for 30 minutes; stay inside that. */
const FRESH_MS = 25 * 60 * 1000;

/**
 * The latest slash command's `respond` per channel. A slash command works in channels the bot is
 * not a member of (private ones especially), where chat.postMessage answers `not_in_channel`;
 * the response_url is then the only way to tell the user why nothing happens.
 */
export class CommandResponses {
  private readonly byChannel = new Map<string, { respond: RespondFn; at: number }>();

  remember(channel: string, respond: RespondFn): void {
    this.byChannel.set(channel, { respond, at: Date.now() });
  }

  /** Tell the command's user (only them) in that channel; false when no fresh command is known. */
  async tell(channel: string, text: string): Promise<boolean> {
    const known = this.byChannel.get(channel);
    if (!known || Date.now() - known.at > FRESH_MS) return false;
    await known.respond({ response_type: 'ephemeral', text });
    return true;
  }
}

/** Slack's answers for a channel the bot cannot post in. */
export function cannotPostThere(error: unknown): boolean {
  const code = (error as { data?: { error?: string } } | undefined)?.data?.error;
  return code === 'not_in_channel' || code === 'channel_not_found' || code === 'is_archived';
}
