import type { PlanItem, PlanMark } from '../task/index.js';

/** Heading of the section the bot appends notes under; the worker is told to keep it. */
export const NOTES_HEADING = '## Notes from the team';

const MARKS: Record<string, PlanMark> = { ' ': 'pending', x: 'done', X: 'done', '?': 'blocked', '!': 'error' };
const ITEM = /^\s*(?:[-*+]|\d+[.)])?\s*\[([ xX?!])\]\s+(.*\S)\s*$/;

/**
 * Read the checklist out of plan.md. A blocked (`[?]`) item's explanation is the next line
 * when that line is not itself an item. Lines in the notes section are not items.
 */
export function parsePlan(text: string): PlanItem[] {
  const items: PlanItem[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith(NOTES_HEADING)) break;
    const match = ITEM.exec(line);
    if (!match) continue;
    const mark = MARKS[match[1] ?? ' '] ?? 'pending';
    const item: PlanItem = { text: match[2] ?? '', mark };
    if (mark === 'blocked') {
      const next = (lines[i + 1] ?? '').trim();
      if (next && !ITEM.test(next) && !next.startsWith('#')) item.note = next.replace(/^[-*>]\s*/, '');
    }
    items.push(item);
  }
  return items;
}

/**
 * One note as a bullet line. Continuation lines are indented and checkbox-like text defused, so
 * a note can never pose as a checklist item.
 */
export function noteBullet(note: string, at: Date): string {
  const body = note.trim().split(/\r?\n/).join('\n  ').replace(/\[([ xX?!])\]/g, '($1)');
  return `- (${at.toISOString().slice(0, 16).replace('T', ' ')} UTC) ${body}\n`;
}

function count(text: string, part: string): number {
  let n = 0;
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length)) n++;
  return n;
}

/** The notes the bot added that plan.md no longer holds (a worker rewrote the file without them). */
export function missingNotes(planText: string, bullets: string[]): string[] {
  const missing: string[] = [];
  const seen = new Map<string, number>();
  for (const bullet of bullets) {
    const wanted = (seen.get(bullet) ?? 0) + 1;
    seen.set(bullet, wanted);
    if (count(planText, bullet) < wanted) missing.push(bullet);
  }
  return missing;
}

/** plan.md with every note present: the missing ones appended under the notes heading. */
export function withNotes(planText: string, bullets: string[]): string {
  const missing = missingNotes(planText, bullets);
  if (missing.length === 0) return planText;
  const heading = planText.includes(NOTES_HEADING) ? '' : `\n${NOTES_HEADING}\n\n`;
  const newline = planText.length > 0 && !planText.endsWith('\n') ? '\n' : '';
  return planText + newline + heading + missing.join('');
}
