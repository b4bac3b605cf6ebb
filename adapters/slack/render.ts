import type { types as SlackTypes } from '@slack/bolt';
import type { Button, PlanItem, Reply, SelectMenu } from '../../src/chat/reply.js';
import { clip, escapeSlack, plain, splitText, toMrkdwn } from './text.js';
import { encodeAction } from '../../src/chat/action.js';

type KnownBlock = SlackTypes.KnownBlock;

/** One chat message as Slack takes it: blocks plus the `text` fallback for notifications. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Content too long for any message: uploaded as a file into the same thread. */
export interface SlackFile {
  filename: string;
  title: string;
  /** Text, or a file's bytes. */
  content: string | Uint8Array;
}

// Slack's published limits, with a per-message budget well under where msg_too_long starts.
const SECTION_MAX = 3000;
const MESSAGE_BUDGET = 3500;
const MAX_BLOCKS = 50;
const MAX_FIELDS = 10;
const MAX_ELEMENTS = 25;
const FALLBACK_MAX = 1000;
const FENCE = '```';

interface Unit {
  block: KnownBlock;
  /** Characters of text the block carries (what counts against the message budget). */
  size: number;
  /** Text units may be cut from an edit that must fit one message; card units never are. */
  text: boolean;
}

/** A reply as one or more messages (long text is split, never rejected) plus files for huge code. */
export function renderPost(reply: Reply): { messages: SlackMessage[]; files: SlackFile[] } {
  const files: SlackFile[] = [];
  const units = buildUnits(reply, (code) => {
    files.push({ filename: 'output.txt', title: 'Full output', content: code });
    return section(`_Full output attached as a file (${lineCount(code)} lines)._`);
  });
  for (const file of reply.attachments ?? []) files.push({ filename: file.filename, title: file.title ?? file.filename, content: file.content });
  return { messages: pack(units).map(toMessage), files };
}

/** A reply as exactly one message (edits and ephemerals cannot spread): long text is cut. */
export function renderSingle(reply: Reply): SlackMessage {
  const units = buildUnits(reply, (code) => section(codeTail(code)));
  const cardSize = units.filter((u) => !u.text).reduce((n, u) => n + u.size, 0);
  let room = MESSAGE_BUDGET - cardSize;
  let cut = false;
  const kept: Unit[] = [];
  for (const unit of units) {
    if (!unit.text) kept.push(unit);
    else if (!cut && unit.size <= room) {
      kept.push(unit);
      room -= unit.size;
    } else if (!cut) {
      cut = true;
      const block = unit.block;
      const rest = block.type === 'section' && block.text ? block.text.text : '';
      kept.push(section(room > 200 ? `${clip(rest, room - 20)}\n_(truncated)_` : '_… (truncated)_'));
    }
  }
  return toMessage(kept.slice(0, MAX_BLOCKS));
}

function buildUnits(reply: Reply, longCode: (code: string) => Unit): Unit[] {
  const units: Unit[] = [];
  if (reply.title) units.push(header(reply.title));
  const mention = reply.mention && /^[A-Z0-9]+$/i.test(reply.mention) ? `<@${reply.mention}> ` : '';
  const body = mention + toMrkdwn(reply.text);
  if (body.trim()) for (const piece of splitText(body, SECTION_MAX)) units.push({ ...section(piece), text: true });
  if (reply.fields?.length) units.push(...fieldSections(reply.fields));
  if (reply.checklist?.length) {
    for (const piece of splitText(reply.checklist.map(checklistLine).join('\n'), SECTION_MAX)) units.push(section(piece));
  }
  if (reply.progress) units.push(section(progressBar(reply.progress.done, reply.progress.total)));
  if (reply.code !== undefined && reply.code.length > 0) {
    const fenced = `${FENCE}\n${escapeSlack(reply.code)}\n${FENCE}`;
    units.push(fenced.length <= SECTION_MAX ? section(fenced) : longCode(reply.code));
  }
  units.push(...actionBlocks(reply.buttons ?? [], reply.select));
  return units;
}

function section(text: string): Unit {
  return { block: { type: 'section', text: { type: 'mrkdwn', text } }, size: text.length, text: false };
}

function header(title: string): Unit {
  const text = plain(title, 150);
  return { block: { type: 'header', text: { type: 'plain_text', text, emoji: true } }, size: text.length, text: false };
}

function fieldSections(fields: NonNullable<Reply['fields']>): Unit[] {
  const units: Unit[] = [];
  for (let i = 0; i < fields.length; i += MAX_FIELDS) {
    const texts = fields
      .slice(i, i + MAX_FIELDS)
      .map((f) => clip(`*${escapeSlack(plain(f.label, 200))}*\n${toMrkdwn(f.value)}`, 2000));
    units.push({
      block: { type: 'section', fields: texts.map((text) => ({ type: 'mrkdwn' as const, text })) },
      size: texts.reduce((n, t) => n + t.length, 0),
      text: false,
    });
  }
  return units;
}

const MARKS: Record<PlanItem['mark'], string> = { done: '✅', pending: '⬜', blocked: '❓', error: '❌' };

function checklistLine(item: PlanItem): string {
  const line = `${MARKS[item.mark]} ${toMrkdwn(item.text)}`;
  return item.note ? `${line}\n        _${toMrkdwn(item.note)}_` : line;
}

/** One cell per plan item up to ten, so a short plan reads as its own items: `▓▓▓▓░░░░ 4/8`. */
export function progressBar(done: number, total: number): string {
  const cells = total > 0 && total <= 10 ? total : 10;
  const filled = total > 0 ? Math.min(cells, Math.round((done / total) * cells)) : 0;
  return `${'▓'.repeat(filled)}${'░'.repeat(cells - filled)} ${done}/${total}`;
}

/** Slack's limit on a static_select option's value. */
const OPTION_VALUE_MAX = 150;

function actionBlocks(buttons: Button[], select: SelectMenu | undefined): Unit[] {
  // The action travels in the value (a button's holds 2000 characters, an option's 150); the
  // action_id only has to be unique within the message.
  const elements: SlackTypes.ActionsBlockElement[] = buttons.map((b, n) => ({
    type: 'button',
    action_id: `${b.action.type}:${n}`,
    text: { type: 'plain_text', text: plain(b.label, 75), emoji: true },
    value: encodeAction(b.action),
    ...(b.style ? { style: b.style } : {}),
  }));
  const options = (select?.options ?? []).filter((o) => encodeAction(o.action).length <= OPTION_VALUE_MAX);
  if (select && options.length > 0) {
    elements.push({
      type: 'static_select',
      action_id: `select:${buttons.length}`,
      placeholder: { type: 'plain_text', text: plain(select.placeholder, 150) },
      options: options.slice(0, 100).map((o) => ({
        text: { type: 'plain_text', text: plain(o.label, 75) },
        value: encodeAction(o.action),
      })),
    });
  }
  const units: Unit[] = [];
  for (let i = 0; i < elements.length; i += MAX_ELEMENTS) {
    units.push({ block: { type: 'actions', elements: elements.slice(i, i + MAX_ELEMENTS) }, size: 0, text: false });
  }
  return units;
}

/** Greedy packing: a new message when the budget or the block count would overflow. */
function pack(units: Unit[]): Unit[][] {
  const messages: Unit[][] = [];
  let current: Unit[] = [];
  let size = 0;
  for (const unit of units) {
    if (current.length > 0 && (size + unit.size > MESSAGE_BUDGET || current.length >= MAX_BLOCKS)) {
      messages.push(current);
      current = [];
      size = 0;
    }
    current.push(unit);
    size += unit.size;
  }
  if (current.length > 0 || messages.length === 0) messages.push(current);
  return messages;
}

function toMessage(units: Unit[]): SlackMessage {
  const blocks = units.map((u) => u.block);
  return { blocks, text: fallbackText(blocks) };
}

/** The notification / screen-reader text: what the blocks say, briefly. */
function fallbackText(blocks: KnownBlock[]): string {
  const parts: string[] = [];
  for (const block of blocks) {
    if ((block.type === 'header' || block.type === 'section') && block.text) parts.push(block.text.text);
    if (block.type === 'actions') {
      for (const el of block.elements) if (el.type === 'button') parts.push(`[${el.text.text}]`);
    }
  }
  const text = parts.join('\n').trim();
  return text ? clip(text, FALLBACK_MAX) : 'dispatch-bot';
}

/** The end of a log is what matters in a status edit; the full text goes out as a file on post. */
function codeTail(code: string): string {
  const room = SECTION_MAX - 80;
  const lines = code.split('\n');
  const kept: string[] = [];
  let size = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = escapeSlack(lines[i] ?? '');
    if (size + line.length + 1 > room) break;
    kept.unshift(line);
    size += line.length + 1;
  }
  if (kept.length === 0) kept.push(escapeSlack(code.slice(-Math.floor(room / 5))));
  const dropped = lines.length - kept.length;
  const note = dropped > 0 ? `_… ${dropped} earlier lines not shown_\n` : '';
  return `${note}${FENCE}\n${kept.join('\n')}\n${FENCE}`;
}

function lineCount(text: string): number {
  return text.split('\n').length;
}
