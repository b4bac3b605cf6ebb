import type { PlanItem, PlanMark } from '../chat/reply.js';

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

export function samePlan(a: PlanItem[], b: PlanItem[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The text to append to plan.md for one note: the heading the first time, then a bullet whose
 * continuation lines are indented so the note cannot pose as a checklist item.
 */
export function noteBlock(planText: string, note: string, at: Date): string {
  const body = note.trim().split(/\r?\n/).join('\n  ');
  const bullet = `- (${at.toISOString().slice(0, 16).replace('T', ' ')} UTC) ${body.replace(/\[([ xX?!])\]/g, '($1)')}\n`;
  const heading = planText.includes(NOTES_HEADING) ? '' : `\n${NOTES_HEADING}\n\n`;
  const newline = planText.length > 0 && !planText.endsWith('\n') ? '\n' : '';
  return newline + heading + bullet;
}
