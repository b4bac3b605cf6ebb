import { z } from 'zod';
import { SurfaceName, Where } from '../chat/inbound.js';
import { TaskSpec } from '../queue/task.js';
import type { PendingConfirm, QuestionRecord, TaskRecord } from './records.js';

/**
 * zod shapes of the stored records. Everything a store reads back goes through them, so a row
 * damaged on disk (or written by a buggy build) is reported and skipped instead of crashing a
 * status query. Top-level records are loose: a field added by a newer build survives a rewrite.
 */
const MessageRef = z.object({
  surface: SurfaceName,
  channel: z.string(),
  thread: z.string().optional(),
  id: z.string(),
});

const PlanItem = z.object({
  text: z.string(),
  mark: z.enum(['pending', 'done', 'blocked', 'error']),
  note: z.string().optional(),
});

const TaskStateSchema = z.enum([
  'queued',
  'running',
  'waiting',
  'blocked',
  'done',
  'failed',
  'cancelled',
  'timed_out',
  'interrupted',
]);

const WorktreeReport = z.object({
  branch: z.string(),
  path: z.string(),
  commits: z.number(),
  diffstat: z.string(),
});

const StartFailure = z.object({
  cli: z.string(),
  reason: z.enum(['missing', 'auth', 'flags', 'network', 'other']),
  detail: z.string(),
});

export const TaskRecordSchema: z.ZodType<TaskRecord> = z.looseObject({
  id: z.string().min(1),
  spec: TaskSpec,
  state: TaskStateSchema,
  where: Where,
  thread: z.string().optional(),
  status: MessageRef.optional(),
  reportedModel: z.string().optional(),
  activity: z.string().optional(),
  plan: z.array(PlanItem),
  pid: z.number().int().optional(),
  dir: z.string().optional(),
  branch: z.string().optional(),
  summary: z.string().optional(),
  logTail: z.string().optional(),
  worktree: WorktreeReport.optional(),
  failure: StartFailure.optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  finishedAt: z.number().optional(),
});

export const PendingConfirmSchema: z.ZodType<PendingConfirm> = z.looseObject({
  id: z.string().min(1),
  requester: z.string(),
  where: Where,
  text: z.string(),
  model: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
  prompt: MessageRef.optional(),
  purpose: z.enum(['confirm', 'first-run', 'recover']),
});

export const QuestionRecordSchema: z.ZodType<QuestionRecord> = z.looseObject({
  taskId: z.string().min(1),
  seq: z.string().min(1),
  text: z.string(),
  askedAt: z.number(),
  posted: MessageRef.optional(),
  answer: z.string().optional(),
  answeredAt: z.number().optional(),
});

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
    report(what, `not JSON (${err instanceof Error ? err.message : String(err)})`);
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
