import { z } from 'zod';

/**
 * Files that go with a task: the ones its requester attached (written into the task folder's
 * `in/` before the worker starts) and the ones its worker leaves in `out/` (posted with the
 * finish report). They cross the queue as bytes, so a runner on another host gets them too.
 */

/** Most files one task carries in either direction. */
export const MAX_TASK_FILES = 20;
/** Most bytes (before base64) all of one task's files may hold on the wire: a queue job, a finish event. */
export const MAX_TASK_FILES_BYTES = 50 * 1024 * 1024;
/** Longest file name made for the task folder (most file systems allow 255 bytes). */
const NAME_MAX = 100;

/**
 * A name safe to create in a task folder: no path separator, not hidden, no control character,
 * not `.`/`..`. Every name from chat goes through `safeFileName` first; this checks it again
 * wherever a name arrives from elsewhere (a queue job, a finish event).
 */
export const SafeFileName = z
  .string()
  .min(1)
  .max(NAME_MAX)
  .regex(/^[^./\\\-\p{Cc}\s][^/\\\p{Cc}]*$/u, 'a file name has no path separator or control character and starts with neither a dot, a dash nor a space');

export const TaskFile = z.object({
  name: SafeFileName,
  mime: z.string().max(200).optional(),
  /** The file's bytes, base64. */
  data: z.base64(),
});
export type TaskFile = z.infer<typeof TaskFile>;

export const AttachedFiles = z
  .array(TaskFile)
  .max(MAX_TASK_FILES)
  .refine((files) => files.reduce((n, f) => n + base64Bytes(f.data), 0) <= MAX_TASK_FILES_BYTES, `files of one task hold at most ${MAX_TASK_FILES_BYTES} bytes`);

/** How many bytes a base64 text decodes to. */
export function base64Bytes(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}

/**
 * A file name from chat made safe for the task folder: anything but letters, digits and a few
 * punctuation marks becomes `_`, no leading dots, dashes or spaces (no hidden file, nothing a
 * command could take for an option), at most 100 characters with the extension kept, and a
 * `-2`, `-3`… before the extension when `taken` holds the name already.
 */
export function safeFileName(raw: string, taken: ReadonlySet<string> = new Set()): string {
  const cleaned = raw
    .replace(/[^\p{L}\p{N}._ ()+,=@-]/gu, '_')
    .replace(/^[.\s_-]+/u, '')
    .trim();
  const name = shorten(cleaned || 'file');
  if (!taken.has(name)) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 2; ; n += 1) {
    const candidate = shorten(`${stem.slice(0, NAME_MAX - ext.length - 6)}-${n}${ext}`);
    if (!taken.has(candidate)) return candidate;
  }
}

function shorten(name: string): string {
  if (name.length <= NAME_MAX) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  return `${name.slice(0, NAME_MAX - ext.length)}${ext}`;
}

/** A size people read: `812 bytes`, `31 MB`. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}
