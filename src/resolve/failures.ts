import type { StartFailure } from '../task/index.js';

/** A CLI's own failure, recognised from its exit code and the tail of its output. */
export interface FailureRule {
  reason: StartFailure['reason'];
  exit?: number;
  text?: RegExp;
}

const MISSING: FailureRule[] = [
  { reason: 'missing', exit: 127 },
  { reason: 'missing', text: /\bspawn \S+ ENOENT\b|\bENOENT\b.*\bspawn\b/ },
];

/** Only a failed run is classified: a worker that succeeded may well have printed these words. */
export function classify(cli: string, exitCode: number | null, tail: string, rules: FailureRule[]): StartFailure | undefined {
  if (exitCode === 0) return undefined;
  for (const rule of [...MISSING, ...rules]) {
    const exitMatches = rule.exit === undefined || rule.exit === exitCode;
    const textMatch = rule.text ? rule.text.exec(tail) : undefined;
    if (exitMatches && (rule.text === undefined ? rule.exit !== undefined : textMatch)) {
      return { cli, reason: rule.reason, detail: detailOf(tail, textMatch?.index) };
    }
  }
  return undefined;
}

/** The CLI's own words: the line that matched (or the last non-empty line), kept short. */
function detailOf(tail: string, at: number | undefined): string {
  const lines = tail.split('\n');
  let line = lines.filter((l) => l.trim() !== '').at(-1) ?? '';
  if (at !== undefined) {
    const start = tail.lastIndexOf('\n', at) + 1;
    const end = tail.indexOf('\n', at);
    line = tail.slice(start, end < 0 ? undefined : end);
  }
  const text = line.trim();
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/**
 * A CLI refusing the model it was given, in each CLI's words: claude's "There's an issue with the
 * selected model", the OpenAI API's "The model `x` does not exist", Gemini's "models/x is not
 * found", Cursor's "Cannot use this model". Checked first: the rest of the output is noise then.
 */
export const CLAUDE_FAILURES: FailureRule[] = [
  { reason: 'model', text: /issue with the selected model|not_found_error[^\n]{0,80}model|model[^\n]{0,80}(?:does not exist|not found)/i },
  { reason: 'auth', text: /Not logged in|Please run \/login|Invalid API key|authentication_error|OAuth token has expired/i },
  { reason: 'other', text: /cannot be used with root\/sudo privileges/i },
  { reason: 'flags', text: /error: unknown option|error: option .* argument missing|error: too many arguments/i },
];

export const GEMINI_FAILURES: FailureRule[] = [
  { reason: 'model', text: /models\/[^\s"]{1,100} is not found|ModelNotFound|not supported for generateContent/i },
  { reason: 'auth', text: /Please set an Auth method|API key not valid/i },
  { reason: 'auth', exit: 41 },
  { reason: 'flags', text: /Unknown arguments?:|Not enough arguments following/i },
];

export const CODEX_FAILURES: FailureRule[] = [
  { reason: 'model', text: /model[^\n]{0,80}does not exist|model_not_found|unsupported model/i },
  { reason: 'flags', text: /unexpected argument|invalid value .* for/i },
  { reason: 'auth', text: /Not logged in|401 Unauthorized|Missing (?:environment variable: )?.?OPENAI_API_KEY/i },
  // Without credentials or network codex never fails: it reconnects until the task timeout stops it.
  { reason: 'network', text: /Reconnecting\.\.\.|stream disconnected|error sending request/i },
];

export const CURSOR_FAILURES: FailureRule[] = [
  { reason: 'model', text: /Cannot use this model|Invalid model|model[^\n]{0,80}not (?:found|available)/i },
  { reason: 'auth', text: /not (?:logged in|authenticated)|agent login|Authentication required|CURSOR_API_KEY/i },
  { reason: 'flags', text: /error: unknown option|error: too many arguments/i },
];
