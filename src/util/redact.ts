/**
 * Credentials out of text that may reach a chat message or a log line: the user-info part of a
 * URL (`https://x-access-token:ghp_…@github.com/…` — git remotes often carry one), and the
 * values of the given secrets wherever they appear.
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  // Bounded runs with no overlap between the parts: linear on any text.
  let out = text.replace(/(\b[a-z][a-z0-9+.-]{0,20}:\/\/)[^\s/@]{1,500}@/gi, '$1***@');
  for (const secret of secrets) {
    // Short values would blank ordinary words; a token is never this short.
    if (secret && secret.length >= 8) out = out.split(secret).join('***');
  }
  return out;
}
