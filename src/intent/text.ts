/**
 * Chat text → plain text the parser can read: platform mention markup, control characters and
 * invisible characters removed. Every pattern here is linear (no nested quantifiers), because
 * the input is whatever anyone typed or pasted.
 */
const MARKUP = /<([@#!][^<>\s|]{1,120})(?:\|([^<>\n]{0,200}))?>/g;
const LINK = /<((?:https?|mailto):[^<>\s|]{1,2000})(?:\|([^<>\n]{0,200}))?>/g;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]/g;

/** Line endings made `\n`; control and invisible characters (bidi overrides, zero-width) removed. */
export function withoutInvisible(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL, '');
}

export function cleanText(text: string): string {
  return withoutInvisible(text)
    .replace(MARKUP, (_all, ref: string, label: string | undefined) => (ref.startsWith('#') && label ? `#${label}` : ''))
    .replace(LINK, (_all, url: string, label: string | undefined) => label ?? url)
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u00a0/g, ' ')
    .trim();
}

/**
 * People paste what they type in Slack: a leading `/dispatch` (the slash command's own name) is
 * the request's address, not its words, on every surface. So is a lone "dispatch", and quotes
 * around the whole request (the Dispatch docs write `/dispatch "do a security review"`).
 */
const COMMAND = /^\/?dispatch(?:$|[ \t\n]+)/i;
const QUOTED = /^"([^"]*)"$|^'([^']*)'$|^`([^`]*)`$/;

export function withoutCommand(text: string): string {
  const trimmed = text.trim();
  const bare = trimmed.toLowerCase() === 'dispatch' ? '' : trimmed.startsWith('/') ? trimmed.replace(COMMAND, '') : trimmed;
  const quoted = QUOTED.exec(bare.trim());
  return (quoted ? (quoted[1] ?? quoted[2] ?? quoted[3] ?? '') : bare).trim();
}

/** One line: whitespace collapsed, trailing punctuation dropped, lower case (for matching commands). */
export function commandForm(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[\s?!.]+$/, '').trim().toLowerCase();
}

/** Strip markdown emphasis and code marks around a word (`**opus**`, `` `perf-audit` ``). */
export function bareWord(word: string): string {
  return word.replace(/^[*_`~#"'(]+/, '').replace(/[*_`~"'),.:;!?]+$/, '');
}
