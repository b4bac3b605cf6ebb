import { Scalar, isMap, type Document } from 'yaml';

/** Small helpers for reading and changing a config's YAML document. */
export type Data = Record<string, unknown>;

/** Plain view of a YAML mapping (anything else reads as empty: validation reports it later). */
export function record(value: unknown): Data {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Data) : {};
}

export function data(doc: Document): Data {
  return record(doc.toJS({ maxAliasCount: 100 }));
}

/** A prompt as Dispatch's docs write one: `prompt: >` with the text folded under it. */
export function foldedPrompt(prompt: string): Scalar {
  const scalar = new Scalar(`${prompt.trim()}\n`);
  scalar.type = Scalar.BLOCK_FOLDED;
  return scalar;
}

/** Make sure `key` holds a mapping (a bare `models:` line reads as null), then set `path` in it. */
export function setUnder(doc: Document, key: string, path: string[], value: unknown): void {
  const section = doc.get(key);
  if (!isMap(section)) doc.set(key, doc.createNode({}));
  else if (section.items.length === 0) section.flow = false; // `models: {}` grows into block style
  doc.setIn([key, ...path], value);
}

