import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isNode, isScalar, parseDocument, Scalar, YAMLMap, type Pair } from 'yaml';

/** How a fresh piece of YAML is written: two-space indent, prompts folded near 80 columns. */
export const STRINGIFY = { indent: 2, lineWidth: 80 } as const;

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The file's own habits, used for the lines we add: its indent step and its line ending. */
interface Style {
  step: number;
  eol: string;
}

/** The splice cannot be done safely here; the caller renders the whole document instead. */
class CannotSplice extends Error {}

/**
 * Write `edited` (a Document parsed from `original` and then changed) back as text, keeping
 * every byte of `original` that the change did not touch: yaml's own stringify would re-indent
 * lists, re-wrap long lines and move comments, which is not what a user who wrote the file by
 * hand expects. Only changed entries are re-rendered. When the file's shape is unusual (flow
 * maps at the top, anchors, tags…) or the result does not read back as `edited`, the whole
 * document is stringified instead: correctness first, layout second.
 */
export function renderKeepingLayout(source: string, edited: Document): string {
  const whole = () => edited.toString(STRINGIFY);
  // A pair appended after a last line without its newline must still start a line of its own.
  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  const original = source.endsWith('\n') || source === '' ? source : `${source}${eol}`;
  const before = parseDocument(original);
  if (before.errors.length > 0 || !isBlockMap(before.contents) || !isMap(edited.contents)) return whole();
  let text: string;
  try {
    const style: Style = { step: indentStep(original, before.contents), eol };
    text = applyEdits(original, diffMap(original, before.contents, edited.contents, style));
  } catch (error) {
    if (error instanceof CannotSplice) return whole();
    throw error;
  }
  const check = parseDocument(text);
  const same = check.errors.length === 0 && isDeepStrictEqual(check.toJS(), edited.toJS());
  return same ? text : whole();
}

function isBlockMap(node: unknown): node is YAMLMap {
  return isMap(node) && !node.flow && node.items.length > 0;
}

function keyName(pair: Pair): string {
  const key: unknown = pair.key;
  if (isScalar(key)) return String(key.value);
  if (typeof key === 'string' || typeof key === 'number') return String(key); // keys made by setIn
  throw new CannotSplice();
}

function plain(node: unknown): unknown {
  if (node === null || node === undefined) return null;
  if (typeof node === 'object' && 'toJSON' in node && typeof node.toJSON === 'function') {
    try {
      return node.toJSON();
    } catch {
      throw new CannotSplice(); // aliases need their document to resolve
    }
  }
  return node;
}

function diffMap(text: string, before: YAMLMap, after: YAMLMap, style: Style): Edit[] {
  const indent = mapIndent(text, before);
  const next = new Map(after.items.map((pair) => [keyName(pair), pair] as const));
  // Key positions are read from the text as it was; keyStart refuses keys that have none.
  const prev = new Map(before.items.map((pair) => [keyName(pair), pair] as const));
  const edits: Edit[] = [];
  for (const [key, old] of prev) {
    const now = next.get(key);
    if (!now) edits.push({ start: lineStart(text, keyStart(old)), end: pairEnd(text, old), text: '' });
    else edits.push(...diffPair(text, old, now, indent, style));
  }
  let anchor = lineStart(text, keyStart(before.items[0]));
  for (const [key, pair] of next) {
    const old = prev.get(key);
    if (old) anchor = pairEnd(text, old);
    else edits.push({ start: anchor, end: anchor, text: renderPair(pair, indent, style) });
  }
  return edits;
}

function diffPair(text: string, old: Pair, now: Pair, indent: number, style: Style): Edit[] {
  if (isDeepStrictEqual(plain(old.value), plain(now.value))) return [];
  if (isBlockMap(old.value) && isBlockMap(now.value)) return diffMap(text, old.value, now.value, style);
  const inline = inlineScalar(old.value, now.value);
  if (inline !== undefined && isScalar(old.value) && old.value.range) {
    return [{ start: old.value.range[0], end: old.value.range[1], text: inline }];
  }
  return [{ start: lineStart(text, keyStart(old)), end: pairEnd(text, old), text: renderPair(now, indent, style) }];
}

/** A one-line scalar replacing a one-line scalar, in the style the user chose (quotes or not). */
function inlineScalar(old: unknown, now: unknown): string | undefined {
  if (!isScalar(old) || !isScalar(now) || !old.range || old.range[0] === old.range[1]) return undefined;
  const styles: unknown[] = [Scalar.PLAIN, Scalar.QUOTE_DOUBLE, Scalar.QUOTE_SINGLE];
  if (!styles.includes(old.type ?? Scalar.PLAIN) || old.anchor || old.tag) return undefined;
  if (now.type === Scalar.BLOCK_FOLDED || now.type === Scalar.BLOCK_LITERAL) return undefined; // asked for a block
  const scalar = new Scalar(now.value);
  scalar.type = old.type ?? Scalar.PLAIN;
  const rendered = new Document(scalar).toString({ lineWidth: 0 }).replace(/\n$/, '');
  return rendered.includes('\n') ? undefined : rendered;
}

function renderPair(pair: Pair, indent: number, style: Style): string {
  const map = new YAMLMap();
  map.items.push(pair);
  const width = Math.max(40, STRINGIFY.lineWidth - indent);
  const rendered = new Document(map).toString({ ...STRINGIFY, indent: style.step, lineWidth: width });
  const pad = ' '.repeat(indent);
  return rendered
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join(style.eol);
}

/** How far the file indents a nested mapping (2 unless it shows otherwise). */
function indentStep(text: string, root: YAMLMap): number {
  for (const pair of root.items) {
    if (!isBlockMap(pair.value)) continue;
    const step = mapIndent(text, pair.value) - mapIndent(text, root);
    if (step > 0 && step <= 8) return step;
  }
  return STRINGIFY.indent;
}

function keyStart(pair: Pair | undefined): number {
  const key: unknown = pair?.key;
  if (!isScalar(key) || !key.range) throw new CannotSplice();
  return key.range[0];
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/** The column of the map's keys; each key must begin its own line (block style). */
function mapIndent(text: string, map: YAMLMap): number {
  const starts = map.items.map((pair) => keyStart(pair));
  const first = starts[0];
  if (first === undefined) throw new CannotSplice();
  const indent = first - lineStart(text, first);
  for (const start of starts) {
    const from = lineStart(text, start);
    if (start - from !== indent || text.slice(from, start).trim() !== '') throw new CannotSplice();
  }
  return indent;
}

/** Just past the newline ending the pair's last line of content (trailing blank lines stay put). */
function pairEnd(text: string, pair: Pair): number {
  const value: unknown = pair.value;
  const range = isNode(value) ? value.range : undefined;
  const from = range && range[1] > keyStart(pair) ? range[1] : keyStart(pair);
  let end = text[from - 1] === '\n' ? from : endOfLine(text, from);
  while (end > 0) {
    const start = lineStart(text, end - 1);
    if (start <= keyStart(pair) || text.slice(start, end).trim() !== '') break;
    end = start;
  }
  return end;
}

function endOfLine(text: string, pos: number): number {
  const newline = text.indexOf('\n', pos);
  return newline < 0 ? text.length : newline + 1;
}

function applyEdits(text: string, edits: Edit[]): string {
  const sorted = edits.map((edit, order) => ({ edit, order })).sort((a, b) => a.edit.start - b.edit.start || a.order - b.order);
  let out = '';
  let pos = 0;
  for (const { edit } of sorted) {
    if (edit.start < pos) throw new CannotSplice();
    out += text.slice(pos, edit.start) + edit.text;
    pos = edit.end;
  }
  return out + text.slice(pos);
}
