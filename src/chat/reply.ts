import type { PlanItem } from '../task/index.js';
import type { Action } from './action.js';

export type { PlanItem };

/**
 * The platform-neutral reply model. Adapters render it in their own idiom: Block Kit on Slack,
 * embeds + components on Discord, plain text with numbered choices in the shell.
 *
 * Text uses a tiny markdown subset every surface can show: **bold**, `code`, and newlines.
 */
export interface Field {
  label: string;
  value: string;
}

export interface Button {
  /** What the press means to the dispatcher, carried back with the press. */
  action: Action;
  label: string;
  style?: 'primary' | 'danger';
  /**
   * The press opens an input (a modal on Slack and Discord): the adapter keeps the press open
   * for it instead of acknowledging at once; a surface without inputs leaves the button out.
   */
  opensInput?: boolean;
}

export interface SelectMenu {
  placeholder: string;
  options: { label: string; action: Action }[];
}

/**
 * A file that goes with a reply (a report too long for a message, a file the worker left in
 * `out/`): uploaded into the thread on Slack, attached on Discord; the shell, on the runner's own
 * machine, prints `path` instead.
 */
export interface Attachment {
  filename: string;
  /** Text, or the file's bytes (an image). */
  content: string | Uint8Array;
  title?: string;
  /** Where the file is on the runner host. */
  path?: string;
}

export interface Reply {
  text: string;
  /** A user id to mention at the start (a worker question mentions its requester). */
  mention?: string;
  /** A heading for a card (status messages); adapters may show it as a title. */
  title?: string;
  fields?: Field[];
  checklist?: PlanItem[];
  progress?: { done: number; total: number };
  buttons?: Button[];
  select?: SelectMenu;
  /** Long text (logs, output) shown as a preformatted block; adapters attach it as a file when too long. */
  code?: string;
  /** Files that go with a posted reply (an edit keeps the files it was posted with). */
  attachments?: Attachment[];
}
