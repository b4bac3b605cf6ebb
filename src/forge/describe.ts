import type { Issue, ReviewComment } from './port.js';
import type { IssueLink } from './record.js';

/** GitHub's cap on a pull request body is 65,536 characters; leave room for the footer. */
const BODY_REPORT_MAX = 60_000;
/** What a worker's prompt may hold of review comments or an issue (its command line is bounded). */
const PROMPT_PART_MAX = 16_000;
const TITLE_MAX = 100;

/** How a pull request names an issue so the forge closes it on merge. */
export function fixesLine(issues: readonly IssueLink[]): string {
  return issues.map((i) => `Fixes ${i.local ? '' : i.repo}#${i.number}`).join('\n');
}

function cut(text: string, max: number, what: string): string {
  return text.length > max ? `${text.slice(0, max)}\n\n… (${what} cut at ${max.toLocaleString('en')} characters)` : text;
}

/** "… in a worktree" and its kin: how the task was run, not what it changes. */
const WORKTREE_PHRASE = /,?[ \t]+(?:in|on|using|with)[ \t]+(?:a[ \t]+|its[ \t]+own[ \t]+|a[ \t]+separate[ \t]+|a[ \t]+new[ \t]+)?(?:git[ \t]+)?worktree\b/gi;

/**
 * A pull request's title from its task: the goal on one line, without the words that only routed
 * it ("use opus to", "in a worktree"); a goal that only names an issue ("fix #7") takes the
 * issue's title.
 */
export function pullRequestTitle(goal: string, issueTitles: readonly string[], model?: string): string {
  let flat = goal.replace(/\s+/g, ' ').trim().replace(WORKTREE_PHRASE, '');
  if (model) {
    const lead = /^(?:please )?(?:use|using|have|ask|get|with) (\S+) (?:to )?/i.exec(flat);
    if (lead && lead[1]?.toLowerCase() === model.toLowerCase() && flat.length > lead[0].length) flat = flat.slice(lead[0].length);
  }
  flat = flat.trim();
  const onlyRefs = /^(?:\w+\s+)?(?:[\w.-]+\/[\w.-]+)?#\d+\.?$/.test(flat) || /^(?:\w+\s+)?https?:\/\/\S+$/.test(flat);
  const title = onlyRefs && issueTitles[0] ? issueTitles[0] : flat;
  const capital = title.charAt(0).toUpperCase() + title.slice(1);
  return capital.length > TITLE_MAX ? `${capital.slice(0, TITLE_MAX - 1)}…` : capital;
}

export interface BodyParts {
  /** The worker's output.md (or its summary when the report was not kept). */
  report: string | undefined;
  requester: string;
  model: string;
  /** A link back to the task's thread, when the surface has links. */
  thread: string | undefined;
  issues: readonly IssueLink[];
}

/** output.md, then who dispatched it with which model and a link to the thread, then `Fixes #N`. */
export function pullRequestBody(parts: BodyParts): string {
  const report = parts.report?.trim() ? cut(parts.report.trim(), BODY_REPORT_MAX, 'report') : '_The worker left no report (output.md)._';
  const origin = `Dispatched by ${parts.requester} with ${parts.model}${parts.thread ? ` · [thread](${parts.thread})` : ''}`;
  return [report, '---', origin, fixesLine(parts.issues)].filter(Boolean).join('\n\n') + '\n';
}

/** The shared context a task gets from the issues its request named. */
export function issueContext(issues: readonly (Issue & { link: IssueLink })[]): string {
  return issues
    .map((issue) => {
      const body = issue.body.trim() ? cut(issue.body.trim(), PROMPT_PART_MAX, 'issue') : '(no description)';
      return `## Issue ${issue.link.repo}#${issue.number}: ${issue.title}\n\n${issue.url}\n\n${body}`;
    })
    .join('\n\n');
}

/** The prompt part of a review successor: each unresolved comment, where it sits, and who made it. */
export function reviewContext(pr: { number: number; url: string }, comments: readonly ReviewComment[]): string {
  const lines = [`## Unresolved review comments on pull request #${pr.number} (${pr.url})`, ''];
  comments.forEach((c, i) => {
    const where = c.path ? ` on ${c.path}${c.line !== undefined ? `:${c.line}` : ''}${c.outdated ? ' (outdated: the code has changed since)' : ''}` : '';
    lines.push(`${i + 1}. ${c.author}${where}:`, ...c.body.split('\n').map((l) => `   ${l}`), '');
  });
  return cut(lines.join('\n').trim(), PROMPT_PART_MAX, 'review comments');
}
