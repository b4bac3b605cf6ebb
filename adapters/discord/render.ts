/**
 * Reply → a Discord message: plain content for conversational replies, an embed for cards
 * (title, fields, checklist, progress), buttons and a select menu as components, long text
 * attached as a file. Pure: the same Reply always renders the same payload.
 */
import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
  StringSelectMenuBuilder,
  type MessageActionRowComponentBuilder,
} from 'discord.js';
import type { Attachment, Button, PlanItem, Reply, SelectMenu } from '../../src/chat/reply.js';
import { sizeText } from '../../src/task/index.js';
import type { CustomIds } from './custom-ids.js';

/** Discord's limits (https://discord.com/developers/docs/resources/message). */
export const LIMITS = {
  content: 2000,
  description: 4096,
  title: 256,
  fieldName: 256,
  fieldValue: 1024,
  fields: 25,
  embedTotal: 6000,
  buttonsPerRow: 5,
  rows: 5,
  buttonLabel: 80,
  selectOptions: 25,
  optionLabel: 100,
  placeholder: 150,
  threadName: 100,
  /** Files on one message, and the bytes each may hold on a server without boosts. */
  files: 10,
  fileBytes: 10 * 1024 * 1024,
} as const;

export const COLOURS = { running: 0x5865f2, done: 0x57f287, failed: 0xed4245, blocked: 0xfee75c, cancelled: 0x99aab5 } as const;

const MARKS: Record<PlanItem['mark'], string> = { done: '✅', pending: '⬜', blocked: '❓', error: '❌' };

export interface RenderedMessage {
  content: string;
  embeds: EmbedBuilder[];
  components: ActionRowBuilder<MessageActionRowComponentBuilder>[];
  files: AttachmentBuilder[];
  allowedMentions: { parse: []; users: string[] };
}

/** Cut to `max` characters, ending with an ellipsis when cut. */
export function fit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function checklistLines(items: PlanItem[]): string {
  return items
    .map((item) => `${MARKS[item.mark]} ${item.text}${item.note ? `\n   ↳ ${item.note}` : ''}`)
    .join('\n');
}

/** `▓▓▓▓░░░░ 4/8`: one cell per item up to ten cells. */
export function progressBar(done: number, total: number): string {
  const cells = Math.max(1, Math.min(total, 10));
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * cells) : 0;
  return `${'▓'.repeat(filled)}${'░'.repeat(cells - filled)} ${done}/${total}`;
}

/** The card colour, from what the reply plainly says about its state. */
export function colourOf(reply: Reply): number {
  const heading = `${reply.title ?? ''}`.toLowerCase();
  const marks = reply.checklist?.map((i) => i.mark) ?? [];
  if (marks.includes('error') || /\b(failed|error|timed out)\b/.test(heading)) return COLOURS.failed;
  if (/\bcancell?ed\b/.test(heading)) return COLOURS.cancelled;
  if (marks.includes('blocked') || /\b(question|waiting|blocked)\b/.test(heading)) return COLOURS.blocked;
  const complete = reply.progress !== undefined && reply.progress.total > 0 && reply.progress.done >= reply.progress.total;
  if (complete || /\b(done|finished|complete)\b/.test(heading)) return COLOURS.done;
  return COLOURS.running;
}

/** A thread name from the reply's title or first line, markdown removed, ≤ 100 characters. */
export function threadName(reply: Reply): string {
  const source = reply.title ?? reply.text.split('\n').find((line) => line.trim() !== '') ?? '';
  const plain = source.replace(/\*\*|`|<@!?\d+>/g, '').replace(/\s+/g, ' ').trim();
  return fit(plain || 'dispatch', LIMITS.threadName);
}

const isCard = (reply: Reply): boolean =>
  reply.title !== undefined || (reply.fields?.length ?? 0) > 0 || reply.checklist !== undefined || reply.progress !== undefined;

/** The body text: the reply's text, then checklist, progress and (when it fits) code. */
function bodyParts(reply: Reply, codeInline: boolean): string {
  const parts = [reply.text.trim()];
  if (reply.checklist && reply.checklist.length > 0) parts.push(checklistLines(reply.checklist));
  if (reply.progress) parts.push(progressBar(reply.progress.done, reply.progress.total));
  if (reply.code !== undefined && codeInline) parts.push(`\`\`\`\n${reply.code.replace(/```/g, '`\u200b``')}\n\`\`\``);
  return parts.filter((p) => p !== '').join('\n\n');
}

function buttonRows(buttons: Button[], ids: CustomIds, maxRows: number): ActionRowBuilder<MessageActionRowComponentBuilder>[] {
  const rows: ActionRowBuilder<MessageActionRowComponentBuilder>[] = [];
  const shown = buttons.slice(0, maxRows * LIMITS.buttonsPerRow);
  for (let i = 0; i < shown.length; i += LIMITS.buttonsPerRow) {
    const row = new ActionRowBuilder<MessageActionRowComponentBuilder>();
    for (const b of shown.slice(i, i + LIMITS.buttonsPerRow)) {
      const style = b.style === 'primary' ? ButtonStyle.Primary : b.style === 'danger' ? ButtonStyle.Danger : ButtonStyle.Secondary;
      const id = ids.encode(b.opensInput ? 'input-button' : 'button', b.action);
      row.addComponents(new ButtonBuilder().setCustomId(id).setLabel(fit(b.label || b.action.type, LIMITS.buttonLabel)).setStyle(style));
    }
    rows.push(row);
  }
  return rows;
}

function selectRow(select: SelectMenu, ids: CustomIds): ActionRowBuilder<MessageActionRowComponentBuilder> {
  const shown = select.options.length > LIMITS.selectOptions ? select.options.slice(0, LIMITS.selectOptions - 1) : select.options;
  const menu = new StringSelectMenuBuilder()
    .setCustomId(ids.encode('select'))
    .setPlaceholder(fit(select.placeholder, LIMITS.placeholder))
    .addOptions(shown.map((o) => ({ label: fit(o.label || o.action.type, LIMITS.optionLabel), value: ids.encodeOption(o.action) })));
  return new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(menu);
}

/** What a menu that had to be cut says under the text. */
export function selectNote(select: SelectMenu | undefined): string | undefined {
  if (!select || select.options.length <= LIMITS.selectOptions) return undefined;
  const hidden = select.options.length - (LIMITS.selectOptions - 1);
  return `_The menu shows ${LIMITS.selectOptions - 1} of ${select.options.length}; ${hidden} more: type the name instead._`;
}

function components(reply: Reply, ids: CustomIds): ActionRowBuilder<MessageActionRowComponentBuilder>[] {
  const rows = reply.buttons && reply.buttons.length > 0 ? buttonRows(reply.buttons, ids, reply.select ? LIMITS.rows - 1 : LIMITS.rows) : [];
  if (reply.select && reply.select.options.length > 0) rows.push(selectRow(reply.select, ids));
  return rows;
}

function cardEmbed(reply: Reply, description: string): EmbedBuilder {
  const embed = new EmbedBuilder().setColor(colourOf(reply));
  if (reply.title) embed.setTitle(fit(reply.title, LIMITS.title));
  if (description) embed.setDescription(description);
  const fields = (reply.fields ?? []).slice(0, LIMITS.fields);
  if (fields.length > 0) {
    embed.addFields(fields.map((f) => ({ name: fit(f.label || '\u200b', LIMITS.fieldName), value: fit(f.value || '—', LIMITS.fieldValue), inline: f.value.length <= 40 })));
  }
  return embed;
}

/**
 * The reply's files as attachments, as many as Discord takes on one message (the spare room is
 * kept for a long text's own file); the line naming those left out, if any.
 */
function attachFiles(attachments: Attachment[], files: AttachmentBuilder[]): string | undefined {
  const left: string[] = [];
  for (const file of attachments) {
    const bytes = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : Buffer.from(file.content);
    if (files.length >= LIMITS.files - 1 || bytes.length > LIMITS.fileBytes) {
      left.push(`${file.filename} (${sizeText(bytes.length)})`);
      continue;
    }
    files.push(new AttachmentBuilder(bytes, { name: file.filename, ...(file.title ? { description: file.title } : {}) }));
  }
  return left.length ? `_Not attached (over what Discord takes on one message): ${left.join(', ')}._` : undefined;
}

/** Render a reply as one message. Text past Discord's limits goes into an attached file. */
export function renderReply(reply: Reply, ids: CustomIds): RenderedMessage {
  const mention = reply.mention ? `<@${reply.mention}>` : '';
  const note = selectNote(reply.select);
  const codeFits = reply.code === undefined || reply.code.length <= 1500;
  const files: AttachmentBuilder[] = [];
  if (!codeFits && reply.code !== undefined) files.push(new AttachmentBuilder(Buffer.from(reply.code, 'utf8'), { name: 'output.txt' }));
  const left = attachFiles(reply.attachments ?? [], files);
  const full = [bodyParts(reply, codeFits), note, left].filter((p): p is string => p !== undefined && p !== '').join('\n\n');
  const base = { components: components(reply, ids), files, allowedMentions: { parse: [] as [], users: reply.mention ? [reply.mention] : [] } };
  const plainContent = [mention, full].filter((p) => p !== '').join(' ');
  if (!isCard(reply) && plainContent.length <= LIMITS.content) {
    return { ...base, content: plainContent || '…', embeds: [] };
  }
  const room = LIMITS.embedTotal - (reply.title?.length ?? 0) - (reply.fields ?? []).reduce((n, f) => n + f.label.length + Math.min(f.value.length, LIMITS.fieldValue), 0) - 100;
  const max = Math.max(200, Math.min(LIMITS.description, room));
  let description = full;
  if (full.length > max) {
    const suffix = '\n\n… (full text attached as message.txt)';
    const cut = full.slice(0, max - suffix.length);
    const atLine = cut.lastIndexOf('\n');
    description = `${atLine > max / 2 ? cut.slice(0, atLine) : cut}${suffix}`;
    files.push(new AttachmentBuilder(Buffer.from(full, 'utf8'), { name: 'message.txt' }));
  }
  return { ...base, content: mention, embeds: [cardEmbed(reply, description)] };
}
