/**
 * A numbered list (`1)`, `1.`, `(1)`) in a request: several tasks. Items may wrap
 * over lines; after the last item, a blank line followed by an unindented paragraph ends the
 * list, and that text (with the text before the list) is the context every worker gets.
 */
export interface ListSplit {
  intro: string;
  items: string[];
  tail: string;
}

const ITEM = /^[ \t]{0,8}(?:\((\d{1,3})\)|(\d{1,3})[.)])[ \t]+(\S.*)$/;

export function splitList(text: string): ListSplit | undefined {
  const lines = text.split('\n');
  const intro: string[] = [];
  const items: string[][] = [];
  for (const line of lines) {
    const start = ITEM.exec(line);
    const number = start ? Number(start[1] ?? start[2]) : 0;
    if (start && number === items.length + 1) {
      items.push([start[3] ?? '']);
    } else {
      const current = items.at(-1);
      if (current) current.push(line);
      else intro.push(line);
    }
  }
  if (items.length < 2) return undefined;
  const last = items.at(-1) as string[];
  const tailAt = last.findIndex((line, i) => i > 0 && last[i - 1]?.trim() === '' && /^\S/.test(line));
  const tail = tailAt > 0 ? last.splice(tailAt) : [];
  return { intro: paragraph(intro), items: items.map(joinItem), tail: paragraph(tail) };
}

function joinItem(lines: string[]): string {
  return lines.map((l) => l.trim()).filter(Boolean).join(' ');
}

function paragraph(lines: string[]): string {
  return lines.map((l) => l.trim()).join('\n').replace(/\n{3,}/g, '\n\n').trim();
}
