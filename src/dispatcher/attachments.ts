import type { InboundFile } from '../chat/inbound.js';
import type { Attachment, Reply } from '../chat/reply.js';
import type { Config } from '../config/schema.js';
import { MAX_TASK_FILES_BYTES, base64Bytes, safeFileName, sizeText, type TaskEventOf, type TaskFile } from '../task/index.js';
import type { Asker } from './confirm.js';
import type { DispatcherDeps } from './deps.js';

/**
 * The files attached to a request, fetched by the surface it came from for its workers, within
 * `limits.max_attachments` and `limits.max_attachment_bytes` (and what all of a task's files may
 * hold on the queue). Each file left out is said in the thread through `tell`; the task starts
 * without it.
 */
export async function fetchAttachments(deps: DispatcherDeps, asker: Asker, files: readonly InboundFile[], tell: (reply: Reply) => Promise<unknown>): Promise<TaskFile[]> {
  if (files.length === 0) return [];
  const { max_attachments: most, max_attachment_bytes: limit } = deps.config.current().limits;
  const surface = deps.surface(asker.where.surface);
  const fetched: TaskFile[] = [];
  const left: string[] = [];
  const taken = new Set<string>();
  let total = 0;
  for (const file of files) {
    const room = Math.min(limit, MAX_TASK_FILES_BYTES - total);
    if (!surface?.download) left.push(`${file.name} cannot be fetched from here`);
    else if (fetched.length >= most) left.push(`${file.name} is past the first ${most} files`);
    else if (file.size > limit) left.push(`${file.name} is ${sizeText(file.size)}, over the ${sizeText(limit)} limit`);
    else if (file.size > room) left.push(`${file.name} is ${sizeText(file.size)}, past the ${sizeText(MAX_TASK_FILES_BYTES)} a task's files may hold together`);
    else {
      const got = await surface.download(file, room);
      if (got.ok) {
        const name = safeFileName(file.name, taken);
        taken.add(name);
        total += got.data.byteLength;
        fetched.push({ name, ...(file.mime ? { mime: file.mime } : {}), data: Buffer.from(got.data).toString('base64') });
      } else if (got.reason === 'too-big') left.push(`${file.name} is over the ${sizeText(room)} limit`);
      else {
        deps.log?.(`attachment ${file.name} of ${asker.who.id}: ${got.reason}: ${got.detail}`);
        left.push(`${file.name} could not be downloaded (${got.detail})`);
      }
    }
  }
  if (left.length) await tell({ text: left.map((why) => `${why}; starting without it.`).join('\n') });
  return fetched;
}

/**
 * The files the worker left in `out/` go with its finish report, within the same limits as a
 * request's files; the report says which were left behind and where they are.
 */
export function attachOutFiles(config: Config, finish: Reply, event: TaskEventOf<'finished'>): void {
  const { max_attachments: most, max_attachment_bytes: limit } = config.limits;
  const left = [...(event.outSkipped ?? [])];
  const files: Attachment[] = [];
  for (const file of event.outFiles ?? []) {
    const bytes = base64Bytes(file.data);
    const path = event.outDir ? `${event.outDir}/${file.name}` : undefined;
    if (files.length >= most) left.push(`${file.name} (past the first ${most} files)`);
    else if (bytes > limit) left.push(`${file.name} (${sizeText(bytes)}, over the ${sizeText(limit)} limit)`);
    else files.push({ filename: file.name, content: Buffer.from(file.data, 'base64'), ...(path ? { path } : {}) });
  }
  if (files.length) finish.attachments = [...(finish.attachments ?? []), ...files];
  if (left.length) finish.text += `\n_${event.outDir ? `Left in ${event.outDir}, not posted` : 'Not posted from out/'}: ${left.join(', ')}._`;
}
