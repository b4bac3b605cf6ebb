/** A task's directives, as written in its text: a worktree, and which repo. */

const WORKTREE_YES = [
  /\b(?:in|use|using|with|on|into)\s+(?:a|an|its\s+own|their\s+own|own|a\s+separate|separate|a\s+new|a\s+dedicated|a\s+fresh)\s+(?:git\s+)?worktrees?\b/,
  /\b(?:in|use|using|with)\s+(?:git\s+)?worktrees?\s*(?=$|[.,;!)])/m,
  // After a line start only spaces and tabs: `\s*` there would rescan a run of newlines from every line.
  /(?:^|[,;(]|\s[-\u2013\u2014])[ \t]*(?:git[ \t]+)?worktrees?[ \t]*(?=$|[.,;!)])/m,
  /\bworktrees?\s*[=:]\s*(?:yes|true|on)\b/,
  /(?:^|\s)--worktree(?![\w-])/,
  // A branch of its own is what a worktree gives a task ("on a separate branch", "in its own branch").
  /\b(?:on|in|into|use|using|with)\s+(?:a\s+|an\s+)?(?:separate|new|dedicated|fresh|its\s+own|their\s+own|own)\s+(?:git\s+)?branch(?:es)?\b/,
];
const WORKTREE_NO = [
  /\b(?:no|without(?:\s+a)?|not\s+in\s+a|(?:don't|do\s+not)\s+use\s+a|skip\s+the)\s+(?:git\s+)?worktrees?\b/,
  /\bworktrees?\s*[=:]\s*(?:no|false|off)\b/,
  /(?:^|\s)--no-worktree(?![\w-])/,
];

/** true / false when the text asks for (or refuses) a worktree; undefined when it says nothing. */
export function worktreeDirective(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (WORKTREE_NO.some((re) => re.test(lower))) return false;
  if (WORKTREE_YES.some((re) => re.test(lower))) return true;
  return undefined;
}

const REPO_EXPLICIT = /\brepo\s*[=:]\s*([A-Za-z0-9][A-Za-z0-9._/-]{0,79})/gi;
const REPO_IN = /\bin\s+(?:the\s+)?([A-Za-z0-9][A-Za-z0-9._/-]{0,79})/gi;

/** `repo=<name>` always; `in <name>` only when the name is a configured repo. The last one wins. */
export function repoDirective(text: string, repos: string[]): string | undefined {
  let found: { at: number; name: string } | undefined;
  const consider = (at: number, name: string) => {
    if (!found || at > found.at) found = { at, name };
  };
  for (const m of text.matchAll(REPO_EXPLICIT)) consider(m.index, trimName(m[1] ?? ''));
  if (repos.length > 0) {
    const byLower = new Map(repos.map((r) => [r.toLowerCase(), r]));
    for (const m of text.matchAll(REPO_IN)) {
      const repo = byLower.get(trimName(m[1] ?? '').toLowerCase());
      if (repo) consider(m.index, repo);
    }
  }
  return found && found.name !== '' ? found.name : undefined;
}

function trimName(name: string): string {
  return name.replace(/[._/-]+$/, '');
}

const MAX_ROUTING_CLAUSES = 8;
const DIRECTIVE_WORDS = new Set(
  'use using with dispatch do it this that in a an its own worktree worktrees --worktree please and on via have separate new git model the run branch'.split(' '),
);

/**
 * The goal without its trailing directive-only clauses ("…integration. use opus, do it in a
 * worktree" → "…integration."): the summary line and the worker read the task, not the routing.
 */
export function goalWithoutDirectives(text: string, isName: (word: string) => boolean): string {
  let goal = text.trim();
  // Routing is said in a clause or two at the end; a long run of them is not worth a quadratic scan.
  for (let clauses = 0; clauses < MAX_ROUTING_CLAUSES; clauses += 1) {
    const cut = Math.max(goal.lastIndexOf(','), goal.lastIndexOf(';'), goal.lastIndexOf('. '), goal.lastIndexOf(': '));
    if (cut <= 0) return goal;
    const clause = goal.slice(cut + 1).toLowerCase();
    const words = clause.split(/[^a-z0-9._:/=-]+/).filter(Boolean);
    const routing = words.every((w) => DIRECTIVE_WORDS.has(w) || isName(w.replace(/[.:]+$/, '')) || w.startsWith('repo='));
    if (!routing) return goal;
    goal = goal.slice(0, goal[cut] === '.' ? cut + 1 : cut).trim();
  }
  return goal;
}
