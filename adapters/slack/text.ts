/**
 * Text conversions between Slack's wire format and the neutral model. Slack escapes `&`, `<`
 * and `>` in message text and uses `<…>` for mentions, channels and links.
 */

/** Slack requires these three escaped in any mrkdwn or plain text we send. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Our tiny markdown (**bold**, `code`, newlines) as Slack mrkdwn (*bold*). A user mention
 * `<@U…>` and a channel reference `<#C…>` stay markup so Slack shows the person or channel, never
 * the raw id; nothing else is unescaped (no `<!channel>` broadcasts or group pings, no links).
 */
export function toMrkdwn(text: string): string {
  return escapeSlack(text)
    .replace(/&lt;([@#])([UWC][A-Z0-9]{1,30})&gt;/g, '<$1$2>')
    .replace(/\*\*([^*\n]+?)\*\*/g, '*$1*');
}

/** Plain text (header, button labels): no markup, capped to Slack's field limit. */
export function plain(text: string, max: number): string {
  const flat = text.replace(/\*\*([^*\n]+?)\*\*/g, '$1').replace(/\s+/g, ' ').trim();
  return clip(flat, max);
}

/** Cut to at most `max` characters, marking the cut with an ellipsis. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${safeCut(text, max - 1)}…`;
}

/** A prefix of at most `n` characters that does not end inside a surrogate pair or an entity. */
function safeCut(text: string, n: number): string {
  let cut = Math.max(0, n);
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp > cut - 6 && !text.slice(amp, cut).includes(';') && /^&(amp|lt|gt);/.test(text.slice(amp))) {
    cut = amp;
  }
  return text.slice(0, cut);
}

/**
 * Split already-converted mrkdwn into pieces of at most `max` characters, preferring paragraph
 * breaks, then line breaks, then spaces, so a long reply reads naturally across sections.
 */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = safeCut(rest, max);
    const cut = bestBreak(window, max);
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\n+/, '');
  }
  if (rest.trim().length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}

function bestBreak(window: string, max: number): number {
  for (const sep of ['\n\n', '\n', ' ']) {
    const at = window.lastIndexOf(sep);
    if (at > max / 2) return at + sep.length;
  }
  return window.length;
}

/**
 * A user's message as the dispatcher should read it: the bot's own mention removed, links
 * unwrapped, entities decoded. Mentions of people, channels and user groups stay markup
 * (`<@U…>`, `<#C…|name>`, `<!subteam^S…>`): they carry the ids access sentences need.
 */
export function cleanInbound(text: string, botUserId: string | undefined): string {
  let out = text;
  if (botUserId) {
    const mention = new RegExp(`<@${escapeRegExp(botUserId)}(?:\\|[^<>]*)?>[ \\t]?`, 'g');
    out = out.replace(mention, '');
  }
  out = out
    // Each pattern stops at the next `<`, so a run of unclosed `<http:` costs one pass, not one per `<`.
    .replace(/<((?:https?|mailto):[^<>|]+)\|[^<>]*>/g, '$1')
    .replace(/<((?:https?|mailto):[^<>]+)>/g, '$1');
  return out.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').trim();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
