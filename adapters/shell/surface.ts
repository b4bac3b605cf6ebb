import type { Action } from '../../src/chat/action.js';
import type { Reply } from '../../src/chat/reply.js';
import type { ChatSurface, InputRequest, MessageRef, PostTarget } from '../../src/chat/surface.js';
import { renderText, type Style } from './render.js';

/** A choice the user can make by typing its number or label. */
export interface Choice {
  label: string;
  action: Action;
  channel: string;
  thread?: string;
}

/**
 * The terminal as a chat surface: every post is printed; an edit prints only the lines that
 * changed (a checked item, the progress bar, the state), never the ticking elapsed time; buttons
 * and menus become numbered choices (the latest set is live). Every line of a task's thread is
 * labelled with its task id.
 */
export class ShellSurface implements ChatSurface {
  readonly name = 'shell' as const;
  private nextId = 1;
  /** The lines each message shows now (elapsed time left out), to print only what an edit changes. */
  private readonly printed = new Map<string, string[]>();
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
    this.printed.set(id, this.print(target.channel, target.thread, reply));
    return { surface: 'shell', channel: target.channel, ...(thread ? { thread } : {}), id };
  }

  async edit(ref: MessageRef, reply: Reply): Promise<void> {
    const before = this.printed.get(ref.id);
    if (!before) {
      this.printed.set(ref.id, this.print(ref.channel, ref.thread, reply));
      return;
    }
    const now = this.lines(reply);
    const seen = new Set(before);
    const changed = now.filter((line) => !seen.has(line) && line.trim() !== '');
    this.printed.set(ref.id, now);
    if (changed.length > 0) this.write(this.labelled(ref.thread, reply, changed.map((line) => line.trim())));
  }

  /** The lines a message shows now (its last edit), as they were printed. */
  showing(ref: MessageRef): string {
    return (this.printed.get(ref.id) ?? []).join('\n');
  }

  /** The shell has no threads: a task is answered by its id. */
  replyHint(task: string): string {
    return `Answer with \`#${task} <your answer>\`.`;
  }

  async ephemeral(target: PostTarget, _user: string, reply: Reply): Promise<void> {
    this.print(target.channel, target.thread, { ...reply, text: `(only you) ${reply.text}` });
  }

  /** The terminal has no modals: the dispatcher falls back to asking for a thread reply. */
  async openInput(_trigger: string, _request: InputRequest): Promise<boolean> {
    return false;
  }

  /**
   * What a thread's lines are labelled with: the task a message is about (its status card's
   * title, or the task id it starts with), else the thread's task ids.
   */
  label(thread: string, reply?: Reply): string {
    const tasks = this.threadTasks.get(thread) ?? [];
    const named = reply?.title ?? tasks.find((id) => reply?.text.startsWith(`**${id}**`));
    return named ?? (tasks.length > 0 ? tasks.join(', ') : 'thread');
  }

  /** Print a message whole; returns the lines an edit compares against. */
  private print(channel: string, thread: string | undefined, reply: Reply): string[] {
    const shown = this.shown(reply);
    const choices = this.offer(channel, thread, shown);
    const body = renderText(shown, this.style, choices).split('\n');
    this.write(this.labelled(thread, reply, body));
    return this.lines(reply);
  }

  /** A message's lines as an edit compares them: no choices, no elapsed time. */
  private lines(reply: Reply): string[] {
    const shown = this.shown(reply);
    return renderText({ ...shown, fields: shown.fields?.filter((f) => f.label !== 'Elapsed') ?? [] }, this.style, []).split('\n');
  }

  /** A terminal has no modals: an input button (Answer) is left out; replyHint says how instead. */
  private shown(reply: Reply): Reply {
    return { ...reply, buttons: reply.buttons?.filter((b) => !b.opensInput) ?? [] };
  }

  private labelled(thread: string | undefined, reply: Reply, lines: string[]): string {
    const prefix = thread ? `[${this.label(thread, reply)}] ` : '';
    return `${prefix}${lines.join(`\n${' '.repeat(prefix.length)}`)}\n`;
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
      ...(this.shown(reply).buttons ?? []).map((b) => ({ label: b.label, action: b.action, channel, ...(thread ? { thread } : {}) })),
      ...(reply.select?.options ?? []).map((o) => ({ label: o.label, action: o.action, channel, ...(thread ? { thread } : {}) })),
    ];
    // Status cards carry Cancel/Logs on every edit; in a terminal those are typed (`cancel <id>`),
    // and they must not steal the numbers of a live prompt.
    if (reply.title) return [];
    if (fresh.length > 0) this.choices = fresh;
    return fresh.map((c) => c.label);
  }
}
