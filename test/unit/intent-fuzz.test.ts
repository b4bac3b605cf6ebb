import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_CHARS, parseIntent, type Intent } from '../../src/intent/index.js';
import { cleanInbound } from '../../adapters/slack/text.js';
import { recordFigure } from '../support/figures.js';
import { anyText, repeatedText } from '../support/fuzz-texts.js';

const known = { models: ['opus', 'sonnet', 'gpt-5.3', 'my_model'], aliases: ['security-reviewer'], repos: ['web'] };

const KINDS = ['warm-up', 'help', 'status', 'control', 'config', 'unclear', 'access', 'forge', 'tasks', 'sweep', 'invalid'];

function sane(intent: Intent): boolean {
  if (!KINDS.includes(intent.kind)) return false;
  if (intent.kind !== 'tasks') return true;
  return intent.tasks.length > 0 && intent.tasks.every((t) => /^[a-z0-9][a-z0-9-]{0,62}$/.test(t.id));
}

/**
 * Time budget per character of input. A linear parse of the longest request (24,000 characters)
 * takes a few milliseconds; a quadratic pattern took 0.4–1.25 s on 23,000 newlines. The bound
 * sits far from both, so a loaded machine does not fail it and a quadratic pattern always does.
 */
const US_PER_CHAR = 4;
const FIXED_MS = 25;

/** The fastest of a few runs: a pause of the machine is noise; a slow pattern is slow every time. */
function fastestMs(run: () => unknown, runs = 3): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

describe('the parser takes any text', () => {
  it('10,000 texts: never throws, always a sane intent', (context) => {
    let maxMs = 0;
    let runs = 0;
    parseIntent('warm up the parser once, so compiling its patterns is not counted', known);
    fc.assert(
      fc.property(anyText, (text) => {
        let intent: Intent | undefined;
        maxMs = Math.max(maxMs, fastestMs(() => (intent = parseIntent(text, known)), 2));
        runs += 1;
        return intent !== undefined && sane(intent);
      }),
      { numRuns: 10_000 },
    );
    recordFigure(context, 'fuzz', { parserTexts: runs, crashes: 0, maxMsPerText: Math.ceil(maxMs) });
  });

  it(`stays linear: every text up to the ${MAX_REQUEST_CHARS.toLocaleString('en-US')}-character limit parses within ${US_PER_CHAR} µs per character`, () => {
    fc.assert(
      fc.property(repeatedText(MAX_REQUEST_CHARS), (text) => {
        const ms = fastestMs(() => parseIntent(text, known));
        expect(ms, `${text.length} characters of ${JSON.stringify(text.slice(0, 40))}…`).toBeLessThanOrEqual(FIXED_MS + (text.length * US_PER_CHAR) / 1000);
      }),
      { numRuns: 150 },
    );
  });

  it('a message of "a" and 23,000 newlines parses in linear time (it took over 0.4 s in the worktree pattern)', () => {
    const text = `a${'\n'.repeat(23_000)}`;
    expect(fastestMs(() => parseIntent(text, known))).toBeLessThanOrEqual(FIXED_MS + (text.length * US_PER_CHAR) / 1000);
  });

  it('Slack text conversion stays linear on runs of unclosed markup', () => {
    fc.assert(
      fc.property(repeatedText(40_000), (text) => {
        expect(fastestMs(() => cleanInbound(text, 'UBOT'))).toBeLessThanOrEqual(FIXED_MS + (text.length * US_PER_CHAR) / 1000);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a text far over the limit before reading it', () => {
    const text = `use opus to ${'\n'.repeat(10 * MAX_REQUEST_CHARS)}`;
    expect(parseIntent(text, known)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/too long/) });
  });
});
