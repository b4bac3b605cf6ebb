import type { Reply } from '../../src/chat/reply.js';
import type { ChatSurface, InputRequest, MessageRef, PostTarget } from '../../src/chat/surface.js';
import { renderText, statusSignature, type Style } from './render.js';

/** A choice the user can make by typing its number or label. */
export interface Choice {
  label: string;
  action: string;
  value: string;
  channel: string;
  thread?: string;
}

/**
 * The terminal as a chat surface: every post is printed, an edit is printed again only when what
 * it shows changed, and buttons/menus become numbered choices (the latest set is live).
 */
export class ShellSurface implements ChatSurface {
  readonly name = 'shell' as const;
  private nextId = 1;
  private readonly printed = new Map<string, string>();
  /** thread id → the task ids (status titles) posted in it, to label lines and resolve `#id`. */
  readonly threadTasks = new Map<string, string[]>();
  choices: Choice[] = [];

  /** The input prompt, when a terminal shows one; output arriving meanwhile redraws it below. */
  private promptText: string | undefined;
  private promptShown = false;

  constructor(
    private readonly out: (text: string) => void,
    private readonly style: Style,
  ) {}

  async post(target: PostTarget, reply: Reply): Promise<MessageRef> {
    const id = `m${this.nextId++}`;
    const thread = target.thread ?? (target.startThread ? `t${id.slice(1)}` : undefined);
    if (thread && reply.title) this.threadTasks.set(thread, [...(this.threadTasks.get(thread) ?? []), reply.title]);
    // The first message of a thread stands on its own; replies inside it carry the thread's label.
    this.print(target.channel, target.thread, reply);
    this.printed.set(id, statusSignature(reply));
    return { surface: 'shell', channel: target.channel, ...(thread ? { thread } : {}), id };
  }

  async edit(ref: MessageRef, reply: Reply): Promise<void> {
    const signature = statusSignature(reply);
    if (this.printed.get(ref.id) === signature) return;
    this.printed.set(ref.id, signature);
    this.print(ref.channel, ref.thread, reply);
  }

  async ephemeral(target: PostTarget, _user: string, reply: Reply): Promise<void> {
    this.print(target.channel, target.thread, { ...reply, text: `(only you) ${reply.text}` });
  }

  /** The terminal has no modals: the dispatcher falls back to asking for a thread reply. */
  async openInput(_trigger: string, _request: InputRequest): Promise<boolean> {
    return false;
  }

  /** The task id a thread is labelled with (its only task), or the thread id for a fan-out. */
  label(thread: string): string {
    const tasks = this.threadTasks.get(thread) ?? [];
    return tasks.length === 1 ? (tasks[0] as string) : thread;
  }

  private print(channel: string, thread: string | undefined, reply: Reply): void {
    // A terminal has no modals: an Answer button becomes the way to answer here, a `#` reply.
    const asks = reply.buttons?.some((b) => b.action.startsWith('input:')) && thread;
    const shown: Reply = { ...reply, buttons: reply.buttons?.filter((b) => !b.action.startsWith('input:')) ?? [] };
    if (asks) shown.text = `${shown.text}\n(answer with: #${this.label(thread)} <your answer>)`;
    const choices = this.offer(channel, thread, shown);
    const body = renderText(shown, this.style, choices);
    const prefix = thread ? `[${reply.title ?? this.label(thread)}] ` : '';
    this.write(`${prefix}${body.replace(/\n/g, `\n${' '.repeat(prefix.length)}`)}\n`);
  }

  /** Show the input prompt (terminals only); later output clears it and draws it again below. */
  prompt(text: string): void {
    this.promptText = text;
    this.promptShown = true;
    this.out(text);
  }

  /** The user pressed Enter: the prompt line is theirs now. */
  promptTaken(): void {
    this.promptShown = false;
  }

  private write(text: string): void {
    if (!this.promptShown || this.promptText === undefined) {
      this.out(text);
      return;
    }
    // \r + erase line (ECMA-48 EL): the worker's news goes above a fresh prompt.
    this.out(`\r\u001b[2K${text}${this.promptText}`);
  }

  private offer(channel: string, thread: string | undefined, reply: Reply): string[] {
    const fresh: Choice[] = [
      ...(reply.buttons ?? []).map((b) => ({ label: b.label, action: b.action, value: b.value, channel, ...(thread ? { thread } : {}) })),
      ...(reply.select?.options ?? []).map((o) => ({ label: o.label, action: reply.select?.action ?? '', value: o.value, channel, ...(thread ? { thread } : {}) })),
    ];
    // Status cards carry Cancel/Logs on every edit; in a terminal those are typed (`cancel <id>`),
    // and they must not steal the numbers of a live prompt.
    if (reply.title) return [];
    if (fresh.length > 0) this.choices = fresh;
    return fresh.map((c) => c.label);
  }
}
