import { CommandSyntaxError } from '../errors/index.js';

/**
 * Split a configured command into argv the way a POSIX shell would tokenise it (quotes,
 * backslashes), without ever running a shell. `$(pwd)` (alone or quoted) becomes the `{dir}`
 * token the runner fills with the task's working directory. Anything a shell would *do*
 * (pipes, redirects, `;`, `&&`, other substitutions, globs) is refused: a worker command is one
 * program with its arguments.
 */
export const DIR_TOKEN = '{dir}';
export const PROMPT_TOKEN = '{prompt}';

const OPERATORS = new Set(['|', '||', '&', '&&', ';', '<', '>', '>>', '<<', '2>', '2>&1']);

export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const text = command.replaceAll('$(pwd)', '\u0000');
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new CommandSyntaxError('unclosed single quote');
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i = readDoubleQuoted(text, i + 1, (part) => (word += part));
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 >= text.length) throw new CommandSyntaxError('trailing backslash');
      word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i += 1;
    } else {
      if ('`$|;&<>(){}*?'.includes(ch) && ch !== '{' && ch !== '}') refuseShellSyntax(ch);
      word += ch;
      inWord = true;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  for (const w of words) if (OPERATORS.has(w)) refuseShellSyntax(w);
  if (words.length === 0) throw new CommandSyntaxError('the command is empty');
  return words.map((w) => w.replaceAll('\u0000', DIR_TOKEN));
}

function readDoubleQuoted(text: string, start: number, emit: (part: string) => void): number {
  let i = start;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"') return i + 1;
    if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1] as string)) {
      emit(text[i + 1] as string);
      i += 2;
      continue;
    }
    if (ch === '$' || ch === '`') refuseShellSyntax(ch);
    emit(ch);
    i += 1;
  }
  throw new CommandSyntaxError('unclosed double quote');
}

function refuseShellSyntax(what: string): never {
  throw new CommandSyntaxError(
    `"${what}" is shell syntax; a backend command is run without a shell, so write one program and its arguments (use $(pwd) for the task's directory)`,
  );
}

/** Quote one argv word so splitCommand reads it back the same; `dir` stands for the dir token. */
export function quoteWord(word: string, dir = '$(pwd)'): string {
  return word
    .split(DIR_TOKEN)
    .map((part) => (part === '' || /^[A-Za-z0-9_@%+=:,./-]+$/.test(part) ? part : `'${part.replaceAll("'", `'\\''`)}'`))
    .join(dir);
}

/** A worker command as a person reads it: what runs, with `<dir>` and `<prompt>` where they go. */
export function showCommand(command: { argv: string[]; promptAsLastArg: boolean }): string {
  const words = command.argv.map((word) => (word === PROMPT_TOKEN ? '<prompt>' : quoteWord(word, '<dir>')));
  return [...words, ...(command.promptAsLastArg ? ['<prompt>'] : [])].join(' ');
}
