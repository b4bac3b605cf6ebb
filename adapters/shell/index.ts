import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Inbound } from '../../src/chat/inbound.js';
import { ansiStyle, plainStyle } from './render.js';
import { ShellSurface, type Choice } from './surface.js';

export { ShellSurface } from './surface.js';

export const SHELL_CHANNEL = 'local';

export interface ShellOptions {
  input: Readable;
  output: Writable;
  user: string;
  /** True for a terminal: prompts and bold text; false for a pipe. */
  interactive: boolean;
  onInbound(inbound: Inbound): Promise<void>;
  /** Piped input ended: wait for the tasks this shell started, print their final state. */
  onEnd(): Promise<void>;
  /** The user quit (Ctrl-C): stop reading at once; `onEnd` is not called. */
  quit?: AbortSignal;
}

/** Builds the surface first so the dispatcher can be wired to it before lines are read. */
export function createShellSurface(output: Writable, interactive: boolean): ShellSurface {
  return new ShellSurface((text) => output.write(text), interactive ? ansiStyle : plainStyle);
}

/**
 * Read chat lines until the input ends. A line ending in `\` continues on the next; `#<task-id> text`
 * is a reply in that task's thread; a number or label answers the live choice.
 */
export async function runShell(surface: ShellSurface, options: ShellOptions): Promise<void> {
  const lines = createInterface({ input: options.input, terminal: false, crlfDelay: Infinity });
  options.quit?.addEventListener('abort', () => lines.close(), { once: true });
  const prompt = () => options.interactive && !options.quit?.aborted && surface.prompt('dispatch> ');
  let pending = '';
  prompt();
  for await (const raw of lines) {
    surface.promptTaken();
    if (raw.endsWith('\\')) {
      pending += `${raw.slice(0, -1)}\n`;
      continue;
    }
    const text = pending + raw;
    pending = '';
    await options.onInbound(toInbound(surface, text, options.user));
    prompt();
  }
  if (options.quit?.aborted) return;
  if (pending.trim()) await options.onInbound(toInbound(surface, pending, options.user));
  await options.onEnd();
}

export function toInbound(surface: ShellSurface, text: string, user: string): Inbound {
  const who = { id: user, name: user, groups: [] };
  const where = { surface: 'shell' as const, channel: SHELL_CHANNEL };
  const choice = pickChoice(surface.choices, text.trim());
  if (choice) {
    surface.choices = [];
    return { kind: 'action', who, where: { ...where, channel: choice.channel, ...(choice.thread ? { thread: choice.thread } : {}) }, action: choice.action };
  }
  const addressed = /^#([A-Za-z0-9][\w-]{0,80})\s+([\s\S]*)$/.exec(text.trim());
  if (addressed) {
    const [, ref = '', rest = ''] = addressed;
    const thread = [...surface.threadTasks.keys()].find((t) => t === ref);
    if (thread) return { kind: 'message', who, where: { ...where, thread }, text: rest, addressed: true };
    return { kind: 'message', who, where, text: rest, task: ref.toLowerCase(), addressed: true };
  }
  return { kind: 'message', who, where, text, addressed: true };
}

function pickChoice(choices: Choice[], text: string): Choice | undefined {
  if (choices.length === 0 || text === '') return undefined;
  if (/^\d{1,3}$/.test(text)) return choices[Number(text) - 1];
  const lower = text.toLowerCase();
  return choices.find((c) => c.label.toLowerCase() === lower);
}
