import type { PlanItem, Reply } from '../../src/chat/reply.js';
import { sizeText } from '../../src/task/index.js';

const MARK: Record<PlanItem['mark'], string> = { pending: '[ ]', done: '[x]', blocked: '[?]', error: '[!]' };

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
}

export const plainStyle: Style = { bold: (t) => t, dim: (t) => t };
export const ansiStyle: Style = { bold: (t) => `\u001b[1m${t}\u001b[22m`, dim: (t) => `\u001b[2m${t}\u001b[22m` };

/** `**bold**` → the style's bold; `_x_` → dim; mention markup `<@id>` → `@id`. */
export function inline(text: string, style: Style): string {
  return text
    .replace(/\*\*([^*]+)\*\*/g, (_, t: string) => style.bold(t))
    .replace(/(^|\s)_([^_\n]+)_(?=\s|$)/g, (_, pre: string, t: string) => `${pre}${style.dim(t)}`)
    .replace(/<@([^>\s]+)>/g, '@$1');
}

export function progressBar(done: number, total: number, width = 10): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `${'▓'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total}`;
}

/** A Reply as terminal lines; `choices` are the numbered labels of its buttons and menu options. */
export function renderText(reply: Reply, style: Style, choices: string[]): string {
  const lines: string[] = [];
  const head = inline(reply.text, style);
  lines.push(reply.mention ? `@${reply.mention} ${head}` : head);
  if (reply.fields?.length) lines.push(style.dim(reply.fields.map((f) => `${f.label}: ${f.value}`).join(' · ')));
  if (reply.progress) lines.push(progressBar(reply.progress.done, reply.progress.total));
  for (const item of reply.checklist ?? []) {
    lines.push(`  ${MARK[item.mark]} ${item.text}`);
    if (item.note) lines.push(`      ${style.dim(item.note)}`);
  }
  if (reply.code) lines.push(...reply.code.split('\n').map((l) => `    ${l}`));
  // The shell runs beside its runner: a file is a path to open, not text to scroll through.
  for (const file of reply.attachments ?? []) lines.push(file.path ? `${file.filename}: ${file.path}` : `${file.filename} (${sizeOf(file.content)}) is on the runner's machine`);
  choices.forEach((label, i) => lines.push(`  ${i + 1}) ${label}`));
  if (choices.length) lines.push(style.dim('  (type a number or a label)'));
  return lines.join('\n');
}

function sizeOf(content: string | Uint8Array): string {
  return typeof content === 'string' ? `${content.split('\n').length} lines` : sizeText(content.byteLength);
}
