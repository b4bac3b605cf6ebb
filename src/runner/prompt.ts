import { join, relative } from 'node:path';
import type { TaskSpec } from '../task/index.js';
import { NOTES_HEADING } from './plan.js';
import type { TaskPaths } from './paths.js';

function protocol(paths: TaskPaths): string {
  const ipc = paths.ipc;
  return [
    '## How to work (the dispatch protocol)',
    '',
    `Plan file: ${paths.plan}`,
    '',
    `1. Write your plan as a checklist in ${paths.plan} before you start, one item per line:`,
    '   `- [ ] item` pending, `- [x] item` done, `- [?] item` blocked (explain why on the next line),',
    '   `- [!] item` failed. Keep plan.md updated and check items off as you finish each one; it is',
    '   how the team follows your progress. Write it atomically (write a temp file, then rename).',
    `2. The team may append notes to plan.md under "${NOTES_HEADING}" while you work. Re-read`,
    '   plan.md between items, follow those notes, and keep that section when you rewrite the file.',
    `3. To ask a question, write it to ${ipc}/NNN.question (NNN = 001, 002, … in order) atomically`,
    `   (temp file + rename), then wait for ${ipc}/NNN.answer. When you have read the answer, write`,
    `   ${ipc}/NNN.done. Ask only when you cannot reasonably decide yourself.`,
    '4. If you give up waiting for an answer, mark the item you are on `[?]` with the reason on the',
    `   next line, and write ${paths.context} for a successor: what is done, what you were about to`,
    '   do, what you asked, and anything it must know. Then stop; a new worker will continue.',
    `5. At the end, write your final report to ${paths.output} (what you did, what you found,`,
    `   what is left), then create the empty file ${paths.done}. Files for the team to see (a`,
    `   screenshot, a patch, a chart) go in ${paths.filesOut}/; they are posted with your report.`,
    `Paths are absolute; your working directory is ${paths.dir} (task files: ${relative(paths.dir, paths.root)}).`,
  ].join('\n');
}

/** The files the requester attached (a screenshot, a log), by absolute path, and where files for the thread go. */
function attachedFiles(paths: TaskPaths, names: readonly string[]): string {
  return [
    '## Attached files',
    '',
    'The request came with these files (read them as part of the task):',
    ...names.map((name) => `- ${join(paths.filesIn, name)}`),
  ].join('\n');
}

function resumeNote(paths: TaskPaths): string {
  return [
    '## You are continuing this task',
    '',
    'A previous worker stopped at the blocked item (`[?]`) while it waited for an answer. Continue',
    `from the blocked item: read ${paths.plan} and ${paths.context}, and the answer in ${paths.ipc}/`,
    '(the highest NNN.answer; write NNN.done once you have read it). Do not redo items marked `[x]`.',
    'Turn the blocked item back into `[ ]` or `[x]` as you work on it.',
  ].join('\n');
}

/**
 * The instructions a worker gets: the alias's role prompt first (it frames everything), then
 * the task, the context shared by the request's tasks, and the protocol with the plan path.
 */
export function buildWorkerPrompt(spec: TaskSpec, paths: TaskPaths, attached: readonly string[] = []): string {
  const parts: string[] = [];
  if (spec.rolePrompt.trim()) parts.push(spec.rolePrompt.trim());
  parts.push(`## Your task (${spec.id})\n\n${spec.goal.trim()}`);
  if (attached.length) parts.push(attachedFiles(paths, attached));
  if (spec.context.trim()) parts.push(`## Context shared with the other tasks of this request\n\n${spec.context.trim()}`);
  if (spec.resume) parts.push(resumeNote(paths));
  parts.push(protocol(paths));
  return parts.join('\n\n') + '\n';
}

/**
 * Longest prompt passed as an argument. Linux refuses a single argument over 128 KiB (E2BIG), and
 * the environment shares the same space, so stay well under it.
 */
export const ARGV_PROMPT_BYTES = 96 * 1024;

/**
 * What to put on the command line for `prompt`: the prompt itself, or for one too long for a
 * command line, a short one sending the worker to the whole text in `promptFile` (every agent CLI
 * can read a file in its workspace).
 */
export function argvPrompt(prompt: string, paths: TaskPaths, promptFile: string): { argv: string; file?: string } {
  if (Buffer.byteLength(prompt) <= ARGV_PROMPT_BYTES) return { argv: prompt };
  const pointer = [
    `Your full instructions are in ${promptFile} (they are too long for a command line).`,
    'Read that file first, completely, and follow it as your instructions for this task.',
    '',
    `Plan file: ${paths.plan}`,
  ].join('\n');
  return { argv: `${pointer}\n`, file: prompt };
}
