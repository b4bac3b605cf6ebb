import { fstatSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { PLAN_ITEMS_KEPT, PLAN_ITEM_CHARS, type PlanItem, type PlanMark } from '../task/index.js';
import { readOpenFile } from './files.js';

/** Heading of the section the bot appends notes under; the worker is told to keep it. */
export const NOTES_HEADING = '## Notes from the team';

const MARKS: Record<string, PlanMark> = { ' ': 'pending', x: 'done', X: 'done', '?': 'blocked', '!': 'error' };
// Written so that no input makes it backtrack more than linearly: the bullet and the spaces after
// it are one optional group, and the item text is taken whole and trimmed afterwards.
const ITEM = /^\s*(?:(?:[-*+]|\d{1,9}[.)])\s*)?\[([ xX?!])\]\s(.*)$/;

/** Longest line of plan.md looked at (an item's text is cut much shorter anyway). */
const LINE_CHARS = 4096;
/** Bytes of plan.md read: a plan is a checklist, not a data file. */
export const PLAN_BYTES_READ = 16 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

export interface PlanRead {
  /** The first items, at most PLAN_ITEMS_KEPT. */
  items: PlanItem[];
  /** Every item read, and how many of them are done. */
  total: number;
  done: number;
}

/** One line as a plan item, when it is one. */
function itemOf(line: string): PlanItem | undefined {
  const match = ITEM.exec(line.length > LINE_CHARS ? line.slice(0, LINE_CHARS) : line);
  const text = match?.[2]?.trim();
  if (!match || !text) return undefined;
  const item: PlanItem = { text: text.length > PLAN_ITEM_CHARS ? `${text.slice(0, PLAN_ITEM_CHARS - 1)}…` : text, mark: MARKS[match[1] ?? ' '] ?? 'pending' };
  return item;
}

/**
 * Collects a plan line by line, keeping the first items and counting the rest. A blocked (`[?]`)
 * item's explanation is the next line when that line is not itself an item. Lines in the notes
 * section are not items.
 */
class PlanReader {
  readonly read: PlanRead = { items: [], total: 0, done: 0 };
  private blocked?: PlanItem;
  private ended = false;

  line(raw: string): void {
    if (this.ended) return;
    if (raw.startsWith(NOTES_HEADING)) {
      this.ended = true;
      return;
    }
    const item = itemOf(raw);
    const waiting = this.blocked;
    this.blocked = undefined;
    if (!item) {
      const next = raw.trim();
      if (waiting && next && !next.startsWith('#')) waiting.note = next.replace(/^[-*>]\s*/, '').slice(0, PLAN_ITEM_CHARS);
      return;
    }
    this.read.total += 1;
    if (item.mark === 'done') this.read.done += 1;
    if (this.read.items.length < PLAN_ITEMS_KEPT) {
      this.read.items.push(item);
      if (item.mark === 'blocked') this.blocked = item;
    }
  }
}

/**
 * Read the checklist out of plan.md. A blocked (`[?]`) item's explanation is the next line
 * when that line is not itself an item. Lines in the notes section are not items.
 */
export function parsePlan(text: string): PlanItem[] {
  const reader = new PlanReader();
  for (const line of text.split(/\r?\n/)) reader.line(line);
  return reader.read.items;
}

/**
 * Read plan.md, keeping the first items and counting all of them; undefined when there is no
 * plan.md. A plan of one chunk (nearly every plan) is read synchronously: its promise form cost
 * several times the CPU, and a watcher reads the plan at every change. A longer one is read a
 * chunk at a time, the event loop running between chunks, up to PLAN_BYTES_READ.
 */
export async function readPlan(path: string): Promise<PlanRead | undefined> {
  const small = readSmallPlan(path);
  return small === 'large' ? readPlanInChunks(path) : small;
}

/** The plan when it fits in one chunk; 'large' when it does not (or grew while read). */
function readSmallPlan(path: string): PlanRead | undefined | 'large' {
  return readOpenFile(path, (fd): PlanRead | 'large' => {
    const size = fstatSync(fd).size;
    if (size >= CHUNK_BYTES) return 'large';
    // One byte more than the file holds tells a file that grew since the fstat.
    const buffer = Buffer.allocUnsafe(size + 1);
    const bytesRead = readSync(fd, buffer, 0, size + 1, 0);
    if (bytesRead > size) return 'large';
    const reader = new PlanReader();
    for (const line of buffer.toString('utf8', 0, bytesRead).split(/\r?\n/)) reader.line(line);
    return reader.read;
  });
}

async function readPlanInChunks(path: string): Promise<PlanRead | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const reader = new PlanReader();
    const buffer = Buffer.alloc(CHUNK_BYTES);
    const decoder = new TextDecoder('utf-8');
    let partial = '';
    for (let position = 0; position < PLAN_BYTES_READ; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_BYTES, PLAN_BYTES_READ - position), position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const lines = (partial + decoder.decode(buffer.subarray(0, bytesRead), { stream: true })).split(/\r?\n/);
      partial = (lines.pop() ?? '').slice(0, LINE_CHARS);
      for (const line of lines) reader.line(line);
    }
    reader.line(partial + decoder.decode());
    return reader.read;
  } finally {
    await handle.close();
  }
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
