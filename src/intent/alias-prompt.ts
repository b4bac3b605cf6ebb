/**
 * The role prompt a new alias gets from its name ("create a security-reviewer alias using
 * opus") when the sentence gives none. The security and perf prompts are the Dispatch docs' own;
 * other role words get a prompt of their kind, which the user can edit afterwards.
 */
export const SECURITY_PROMPT =
  'You are a security-focused reviewer. Prioritize OWASP Top 10 vulnerabilities, auth flaws, and injection risks.';
export const PERF_PROMPT =
  'You are a performance optimization expert. Focus on algorithmic complexity, database queries, and bundle size.';

const ROLES: [RegExp, string][] = [
  [/secur|owasp|pentest|vuln/, SECURITY_PROMPT],
  [/perf|speed|latency|optimi/, PERF_PROMPT],
  [/test|qa\b/, 'You are a testing specialist. Write focused, deterministic tests for the behaviour a user relies on, cover edge cases and failure paths, and keep the suite fast.'],
  [/doc|writer|readme/, 'You are a technical writer. Write clear, accurate documentation with runnable examples, and keep it in step with the code.'],
  [/a11y|access/, 'You are an accessibility specialist. Check against WCAG 2.1 AA: keyboard use, focus order, labels, contrast, and screen-reader behaviour.'],
  [/architect|design/, 'You are a software architect. Focus on module boundaries, coupling, data flow, and the long-term cost of each design choice.'],
  [/refactor|clean/, 'You are a refactoring specialist. Simplify the code without changing its behaviour, in small, safe, well-tested steps.'],
];

const REVIEWER_PROMPT =
  'You are a careful code reviewer. Look for bugs, unclear code and missing tests first, and report each finding with its location, why it matters, and a suggested fix.';

/**
 * The role prompt an alias name implies, or '' when the name says no role ("fast", "bob"): a
 * prompt made up from such a name would tell the worker nothing true.
 */
export function aliasPrompt(alias: string): string {
  const name = alias.toLowerCase();
  for (const [pattern, prompt] of ROLES) if (pattern.test(name)) return prompt;
  const words = name.split(/[^a-z0-9]+/).filter(Boolean);
  const last = words.at(-1);
  if (last !== 'reviewer' && last !== 'review') return '';
  const topic = words.slice(0, -1).join(' ');
  if (topic === '' || topic === 'code') return REVIEWER_PROMPT;
  return `You are a ${topic}-focused reviewer. Look for ${topic} problems first and report each one with its location, why it matters, and a suggested fix.`;
}
