import { z } from 'zod';
import { messageOf } from '../errors/index.js';

/** Called when a stored row cannot be read back; `what` names the row (e.g. `task foo`). */
export type CorruptRowReporter = (what: string, reason: string) => void;

export const reportToConsole: CorruptRowReporter = (what, reason) => {
  console.error(`dispatch-bot store: skipped unreadable ${what}: ${reason}`);
};

/** Validate a record before it is written: storing what cannot be read back would lose it later. */
export function assertRecord<T>(schema: z.ZodType<T>, what: string, record: T): void {
  const checked = schema.safeParse(record);
  if (!checked.success) {
    throw new Error(`refusing to store ${what}: ${z.prettifyError(checked.error)}`);
  }
}

/** Validate and serialise a record for writing. */
export function encodeRecord<T>(schema: z.ZodType<T>, what: string, record: T): string {
  assertRecord(schema, what, record);
  return JSON.stringify(record);
}

/** Parse and validate a stored row; undefined (and a report) when it is damaged. */
export function decodeRecord<T>(
  schema: z.ZodType<T>,
  what: string,
  raw: string,
  report: CorruptRowReporter,
  extra?: Record<string, unknown>,
): T | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    report(what, `not JSON (${messageOf(err)})`);
    return undefined;
  }
  const input = extra && isPlainObject(parsed) ? { ...parsed, ...extra } : parsed;
  const checked = schema.safeParse(input);
  if (!checked.success) {
    report(what, z.prettifyError(checked.error).replace(/\n/g, '; '));
    return undefined;
  }
  return checked.data;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
