import { TaskId } from '../task/index.js';
import { bareWord, commandForm } from './text.js';
import type { ForgeAction, ForgeAsk, Intent, IssueRef } from './types.js';

/**
 * What a request says about the forge: the issues it works on ("fix #123", "do owner/repo#123",
 * an issue URL) and whether to open a pull request when done ("… and open a PR"); and the short
 * commands about a finished task's branch ("open a PR", "push the branch", "address the review
 * comments"). Pure, and linear on any text.
 */

const MAX_COMMAND_TEXT = 200;
/** How far from the end an "… and open a PR" clause is looked for. */
const TAIL = 160;
/** Issues one request may name; more is a paste, not a plan. */
const MAX_ISSUES = 10;

/** A request's forge words, and its text without the "and open a PR" clause (the worker is not the one to open it). */
export type ForgeReading = ForgeAsk & { text: string };

const OPEN_PR_TAIL = /[,;]?[ \t]*\b(?:and[ \t]+)?(?:then[ \t]+)?(?:open|create|make|raise|send|file|submit)[ \t]+(?:a[ \t]+|the[ \t]+)?(?:draft[ \t]+)?(?:pr|pull[ \t]+request)(?:[ \t]+for[ \t]+(?:it|that|this))?[ \t]*[.!]?\s*$/i;
/** A verb (or "issue") right before the refs, so `#123456` in "set the colour to #123456" is not an issue. */
const REFS_AFTER_VERB = /\b(?:fix(?:es)?|do|close[sd]?|resolve[sd]?|address|implement|tackle|handle|work[ \t]+on|issues?)[ \t]+((?:(?:[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100})?#\d{1,9}(?:[ \t]*(?:,|and|&)[ \t]*)?){1,10})/gi;
const ONE_REF = /(?:([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100}))?#(\d{1,9})/g;
const ISSUE_URL = /\bhttps?:\/\/([A-Za-z0-9.-]{1,253}(?::\d{1,5})?)\/([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})\/issues\/(\d{1,9})\b/gi;

/**
 * A task request read with its forge words: the "… and open a PR" clause left out of the tasks'
 * text, and each task put in a worktree (a pull request needs a branch of its own).
 */
export function forgeTasks(text: string, tasks: (text: string) => Intent): Intent {
  const { text: rest, ...ask } = forgeAsk(text);
  const intent = tasks(rest);
  if (intent.kind !== 'tasks' || (!ask.openPr && ask.issues.length === 0)) return intent;
  return { ...intent, forge: ask, tasks: ask.openPr ? intent.tasks.map((t) => ({ ...t, worktree: true })) : intent.tasks };
}

/** The issues a request names, and whether it asks for a pull request at the end. */
export function forgeAsk(text: string): ForgeReading {
  const start = Math.max(0, text.length - TAIL);
  const tail = OPEN_PR_TAIL.exec(text.slice(start));
  const openPr = tail !== null;
  const rest = tail ? text.slice(0, start + tail.index).trimEnd() : text;
  return { issues: issuesIn(rest), openPr, text: rest || text };
}

function issuesIn(text: string): IssueRef[] {
  const found: { at: number; ref: IssueRef }[] = [];
  for (const group of text.matchAll(REFS_AFTER_VERB)) {
    const refs = group[1] ?? '';
    const offset = group.index + group[0].length - refs.length;
    for (const m of refs.matchAll(ONE_REF)) {
      const ref: IssueRef = { number: Number(m[3]), ...(m[1] && m[2] ? { owner: m[1], repo: m[2] } : {}) };
      found.push({ at: offset + m.index, ref });
    }
  }
  for (const m of text.matchAll(ISSUE_URL)) {
    found.push({ at: m.index, ref: { host: (m[1] as string).toLowerCase(), owner: m[2] as string, repo: (m[3] as string).replace(/\.git$/, ''), number: Number(m[4]) } });
  }
  const seen = new Set<string>();
  const out: IssueRef[] = [];
  for (const { ref } of found.sort((a, b) => a.at - b.at)) {
    const key = `${ref.owner ?? ''}/${ref.repo ?? ''}#${ref.number}`;
    if (ref.number < 1 || seen.has(key)) continue;
    seen.add(key);
    out.push(ref);
  }
  return out.slice(0, MAX_ISSUES);
}

const REVIEW = /^(?:please )?(?:address|fix|handle|resolve|apply|work on) (?:the |all the |all )?(?:pr |pull request )?(?:review|reviewer's|reviewers') ?(?:comments?|feedback|remarks|notes|suggestions)?(?: (?:on|for|of|in) (\S+))?$/;
const OPEN_PR = /^(?:please )?(?:open|create|make|raise|send|submit) (?:a |the )?(?:draft )?(?:pr|pull request)(?: (?:for|of|on) (\S+))?$|^pr (\S+)$/;
const PUSH = /^(?:please )?push(?: (?:the )?branch)?(?: (?:of|for) )?(?: ?(\S+))?$/;

/**
 * "open a PR", "push the branch", "address the review comments" (optionally naming a task:
 * "open a PR for auth-module", "push auth-module"). Without a task id they mean the task of the
 * thread they are said in.
 */
export function parseForgeCommand(text: string): Intent | undefined {
  if (text.length > MAX_COMMAND_TEXT) return undefined;
  const form = commandForm(text);
  const review = REVIEW.exec(form);
  if (review) return command('fix-review', review[1]);
  const open = OPEN_PR.exec(form);
  if (open) return command('open-pr', open[1] ?? open[2]);
  const push = PUSH.exec(form);
  if (push) return command('push', push[1]);
  return undefined;
}

/** Words that point at the thread's task rather than name one. */
const THIS_TASK = new Set(['it', 'this', 'that', 'now', 'please', 'here']);

function command(action: ForgeAction, word: string | undefined): Intent | undefined {
  if (word === undefined || THIS_TASK.has(word)) return { kind: 'forge', action };
  const id = bareWord(word).replace(/^#/, '');
  // "push the fix" is a task, not a command about a task named "fix"… unless it is a task id; the
  // dispatcher says so when no task has that id.
  return TaskId.safeParse(id).success ? { kind: 'forge', action, task: id } : undefined;
}
