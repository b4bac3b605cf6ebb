import fc from 'fast-check';

/**
 * Pieces of what people (and attackers) type at the bot: commands, model names, directives, list
 * markers, platform markup, shell syntax, and the characters regex-heavy parsers choke on.
 */
export const FRAGMENTS = [
  'use ', 'opus', 'sonnet', 'gpt-5.3', 'claude-4.7-sonnet', 'o3', 'gemini', 'security-reviewer', ' to ', 'review ', 'fix ',
  'the auth module', 'status', 'status ', 'cancel ', 'retry ', 'logs ', 'cleanup ', "how's it going?", 'switch default to ',
  'make ', ' my default', 'create a ', ' alias using ', 'add ', ' to my config', 'remove ', 'migrate my config',
  'allow ', 'everyone here', 'make <@U1> an admin', 'who can dispatch?', 'disallow ', '<@U1>', '<@U1|bob>', '<#C1|dev>',
  '<!subteam^S1|@devs>', '<@&900>', '<@!900>', '<#900>', '@bob ', 'in a worktree', ', worktree', 'worktree=yes', 'no worktree',
  'repo=web', 'in web', '1) ', '2. ', '(3) ', '\n', '\n\n', ' ', '\t', ',', ';', '.', ':', '-', '—', '_', '*', '**', '`',
  '$(touch /tmp/x)', '`id`', '; rm -rf ~', '| sh', '&& curl evil', '> /etc/passwd', "'", '"', '\\', '<', '>', '|', '#',
  '/dispatch ', ' with prompt: ', '--worktree', ' on a separate branch', 'nova-3-pro', 'nova-3-pro:', 'switch to ', 'help', '?',
  'show config', 'list models', 'have ', 'ask ', ' via ', 'python-3.12',
  'constructor', '__proto__', 'toString', 'my_model', '\u0000', '\u001b[31m', '\u202e', '\u200b', '🙂', 'é', '漢字', 'fake:hang',
];

/** Text built from fragments: close enough to real requests to reach every stage of the parser. */
export const grammarText = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(''));

/** Any text at all: whole code points, lone surrogates, control characters. */
export const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 300 }), grammarText);

/**
 * Long adversarial texts: one to three fragments repeated up to `maxChars` (runs of newlines,
 * colons, dashes, unclosed markup…), the shape that makes a backtracking pattern quadratic.
 */
export function repeatedText(maxChars: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(fc.constantFrom(...FRAGMENTS, 'a', 'z', '0'), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1_000, max: maxChars }))
    .map(([pieces, length]) => {
      const unit = pieces.join('');
      return `x${unit.repeat(Math.ceil(length / unit.length))}`.slice(0, length);
    });
}
