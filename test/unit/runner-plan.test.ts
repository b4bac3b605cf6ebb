import { describe, expect, it } from 'vitest';
import { NOTES_HEADING, missingNotes, noteBullet, parsePlan, withNotes } from '../../src/runner/plan.js';

describe('plan.md parsing', () => {
  it('reads every marker, in order, with the blocked item explained by its next line', () => {
    const plan = [
      '# Plan: audit',
      '',
      '- [x] Read the auth flow',
      '- [?] Check the token store',
      '  Waiting for an answer to 001: which store?',
      '* [ ] Write the report',
      '1. [!] Run the load test',
      '- [X] Done with a capital X',
    ].join('\n');
    expect(parsePlan(plan)).toEqual([
      { text: 'Read the auth flow', mark: 'done' },
      { text: 'Check the token store', mark: 'blocked', note: 'Waiting for an answer to 001: which store?' },
      { text: 'Write the report', mark: 'pending' },
      { text: 'Run the load test', mark: 'error' },
      { text: 'Done with a capital X', mark: 'done' },
    ]);
  });

  it('gives a blocked item no note when the next line is another item', () => {
    expect(parsePlan('- [?] Stuck\n- [ ] Next')).toEqual([
      { text: 'Stuck', mark: 'blocked' },
      { text: 'Next', mark: 'pending' },
    ]);
  });

  it('ignores lines that only look like checkboxes and everything in the notes section', () => {
    const plan = `Intro with [x] inline\n- [x] Real item\n- [] not an item\n\n${NOTES_HEADING}\n\n- [ ] a note that looks like an item\n`;
    expect(parsePlan(plan)).toEqual([{ text: 'Real item', mark: 'done' }]);
  });
});

describe('notes appended to plan.md', () => {
  const at = new Date('2026-11-26T01:02:03Z');

  it('adds the notes heading once, then one bullet per note', () => {
    const first = withNotes('- [ ] Step\n', [noteBullet('Use tabs', at)]);
    const second = withNotes(first, [noteBullet('Use tabs', at), noteBullet('And the wiki', at)]);
    expect(second).toBe(`- [ ] Step\n\n${NOTES_HEADING}\n\n- (2026-11-26 01:02 UTC) Use tabs\n- (2026-11-26 01:02 UTC) And the wiki\n`);
    expect(parsePlan(second)).toEqual([{ text: 'Step', mark: 'pending' }]);
  });

  it('keeps a multi-line note from posing as a checklist item', () => {
    const text = withNotes('- [ ] Step', [noteBullet('first\n- [x] fake item', at)]);
    expect(text).toContain('  - (x) fake item');
    expect(parsePlan(text)).toHaveLength(1);
  });

  it('finds the notes a rewrite of plan.md dropped, counting repeats', () => {
    const a = noteBullet('same', at);
    const b = noteBullet('other', at);
    expect(missingNotes(`x\n${a}`, [a, a, b])).toEqual([a, b]);
    expect(missingNotes(`x\n${a}${a}${b}`, [a, a, b])).toEqual([]);
  });
});
