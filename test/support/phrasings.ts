/**
 * How people ask the bot for things, each with the decision it must lead to: the lines of
 * Dispatch's page on using different models ("seed"), the Dispatch README's and skill's phrasings
 * ("docs"), the lines a new user typed that the bot once misread ("issue"), and plausible chat (casing,
 * punctuation, em dashes, quotes, markdown, Slack `<@U…>` and Discord `<@id>` mention markup).
 *
 * Decisions, as `decisionOf` in test/unit/intent-corpus.test.ts writes them:
 * - `run M` (`run M as A` through alias A), `confirm M (source)`, `discover N`, `ask F` (which
 *   model of family F), one per task (` / ` between tasks), ` +worktree` when it asks for one;
 * - `config: op arg…` (`; ` between requests), `unclear: <config> | <tasks>`;
 * - `warm-up`, `help: topic`, `status`, `status: id`, `control: action id`, `access: op`, `invalid`.
 *
 * The config they are read against: opus (the default), sonnet, haiku, three gemini models,
 * gpt-5.3 and composer-1.5; the aliases security-reviewer, perf-reviewer and harvey.
 */
export interface Phrasing {
  text: string;
  decision: string;
  /** Where it comes from (see above). */
  from: 'seed' | 'docs' | 'issue' | 'chat';
}

/** The models page's pre-launch sweep: five tasks, their models and worktrees, and shared context. */
export const PRE_LAUNCH = `we launch Thursday, need a full pre-launch sweep:

1) security audit the auth flow (JWT, sessions, password reset) and the
   stripe payment integration. use opus, do it in a worktree

2) performance - load test the top 5 API endpoints, find N+1 queries,
   check db indexes on users/orders/products tables. sonnet in a worktree

3) frontend audit - accessibility (WCAG 2.1 AA), bundle size, flag any
   components missing error boundaries. dispatch sonnet

4) generate OpenAPI specs for every endpoint that's missing one. use gemini

5) error handling audit - find uncaught exceptions, missing try/catch,
   inconsistent error response formats across all API routes. sonnet, worktree

ask me if anything is unclear. security is highest priority - flag
anything critical immediately`;

const CONFIRM = 'confirm opus (config)';

export const PHRASINGS: Phrasing[] = [
  // Dispatch's page on using different models, as typed in Slack.
  { from: 'seed', text: '/dispatch use opus to review this PR for edge cases', decision: 'run opus' },
  { from: 'seed', text: '/dispatch use sonnet to find better design patterns', decision: 'run sonnet' },
  { from: 'seed', text: '/dispatch have opus review and sonnet test the auth module', decision: 'run sonnet' },
  { from: 'seed', text: '/dispatch use opus to review the auth module', decision: 'run opus' },
  { from: 'seed', text: '/dispatch use sonnet to test the auth module', decision: 'run sonnet' },
  { from: 'seed', text: '/dispatch do a security review', decision: CONFIRM },
  { from: 'seed', text: '/dispatch use claude-4.7-sonnet to review this code', decision: 'discover claude-4.7-sonnet' },
  { from: 'seed', text: '/dispatch create a security-reviewer alias using opus', decision: 'config: create-alias security-reviewer opus' },
  { from: 'seed', text: '/dispatch have security-reviewer check my latest changes', decision: 'run opus as security-reviewer' },
  { from: 'seed', text: '/dispatch use opus-5.0 to review this architecture', decision: 'discover opus-5.0' },
  { from: 'seed', text: `/dispatch ${PRE_LAUNCH}`, decision: 'run opus +worktree / run sonnet +worktree / run sonnet / ask gemini / run sonnet +worktree' },
  { from: 'seed', text: 'status', decision: 'status' },

  // The Dispatch docs (its README and skill pages).
  { from: 'docs', text: '/dispatch "add user authentication with JWT"', decision: CONFIRM },
  { from: 'docs', text: '/dispatch "do a security review of this project"', decision: CONFIRM },
  { from: 'docs', text: '/dispatch "have harvey review the auth module"', decision: 'run gpt-5.3 as harvey' },
  { from: 'docs', text: 'dispatch sonnet to review this', decision: 'run sonnet' },
  { from: 'docs', text: 'dispatch opus to fix the bug', decision: 'run opus' },
  { from: 'docs', text: 'dispatch a worker to research connection pooling', decision: CONFIRM },
  { from: 'docs', text: '/dispatch "implement the feature described in requirements.txt"', decision: CONFIRM },
  { from: 'docs', text: '/dispatch "review the auth module"', decision: CONFIRM },
  { from: 'docs', text: '/dispatch "migrate my config"', decision: 'config: migrate' },
  { from: 'docs', text: '/dispatch', decision: 'warm-up' },
  { from: 'docs', text: 'dispatch', decision: 'warm-up' },
  { from: 'docs', text: "how's it going?", decision: 'status' },
  { from: 'docs', text: 'add opus-4.5-thinking to my config', decision: 'config: add-model opus-4.5-thinking' },
  { from: 'docs', text: 'set default sonnet', decision: 'config: set-default sonnet' },
  { from: 'docs', text: 'change model to haiku', decision: 'config: set-default haiku' },
  { from: 'docs', text: 'create alias', decision: 'invalid' },

  // Lines the bot once misread: config phrases with /dispatch, model-shaped names, rewordings, questions.
  { from: 'issue', text: '/dispatch switch default to sonnet', decision: 'config: set-default sonnet' },
  { from: 'issue', text: '/dispatch add gpt-5.3-codex to my config', decision: 'config: add-model gpt-5.3-codex' },
  { from: 'issue', text: '/dispatch remove composer-1.5', decision: 'config: remove-model composer-1.5' },
  { from: 'issue', text: 'use nova-3-pro to review this code', decision: 'discover nova-3-pro' },
  { from: 'issue', text: 'use the logs to find the flaky test', decision: CONFIRM },
  { from: 'issue', text: 'have a look at the login page', decision: CONFIRM },
  { from: 'issue', text: 'fix the retry loop with care', decision: CONFIRM },
  { from: 'issue', text: 'use sonnet-4.6 to review the auth module', decision: 'discover sonnet-4.6' },
  { from: 'issue', text: 'use opus-4.5-thinking to audit the session handling', decision: 'discover opus-4.5-thinking' },
  { from: 'issue', text: 'switch to sonnet', decision: 'config: set-default sonnet' },
  { from: 'issue', text: 'set default opus', decision: 'config: set-default opus' },
  { from: 'issue', text: 'create an alias called reviewer for opus with prompt be strict', decision: 'config: create-alias reviewer opus "be strict"' },
  { from: 'issue', text: 'create a reviewer alias using opus with prompt: be strict about auth, and kind', decision: 'config: create-alias reviewer opus "be strict about auth, and kind"' },
  { from: 'issue', text: 'help', decision: 'help: help' },
  { from: 'issue', text: '?', decision: 'help: help' },
  { from: 'issue', text: 'what can you do', decision: 'help: help' },
  { from: 'issue', text: 'models', decision: 'help: models' },
  { from: 'issue', text: 'list models', decision: 'help: models' },
  { from: 'issue', text: 'show config', decision: 'help: config' },
  { from: 'issue', text: 'ask gemini to write docs', decision: 'ask gemini' },
  { from: 'issue', text: 'use gpt-5.33 to fix it', decision: 'discover gpt-5.33' },
  { from: 'issue', text: 'fix the login redirect --worktree', decision: `${CONFIRM} +worktree` },
  { from: 'issue', text: 'fix the signup form on a separate branch', decision: `${CONFIRM} +worktree` },
  { from: 'issue', text: 'nova-3-pro: review the parser', decision: 'discover nova-3-pro' },
  { from: 'issue', text: 'review the cache layer via nova-3-pro', decision: 'discover nova-3-pro' },
  { from: 'issue', text: 'have nova-3-pro summarise the RFC', decision: 'discover nova-3-pro' },
  { from: 'issue', text: 'ask nova-3-pro to triage the open issues', decision: 'discover nova-3-pro' },
  { from: 'issue', text: 'switch to sonnet and fix the flaky test', decision: 'unclear: set-default sonnet | confirm opus (config)' },
  { from: 'issue', text: 'add gpt-5.3 to my config and review the auth module', decision: 'unclear: add-model gpt-5.3 | confirm opus (config)' },

  // Chat as people type it.
  { from: 'chat', text: 'Use OPUS to review the PR.', decision: 'run opus' },
  { from: 'chat', text: 'use **sonnet** to tidy up the README', decision: 'run sonnet' },
  { from: 'chat', text: 'use `haiku` to fix typos in the docs', decision: 'run haiku' },
  { from: 'chat', text: 'Security review of the auth flow — use opus, in a worktree', decision: 'run opus +worktree' },
  { from: 'chat', text: '<@U0BOT> use sonnet to fix the flaky test', decision: 'run sonnet' },
  { from: 'chat', text: '<@123456789012345678> use haiku to bump the dependencies', decision: 'run haiku' },
  { from: 'chat', text: '<@U0BOT> /dispatch switch default to haiku', decision: 'config: set-default haiku' },
  { from: 'chat', text: '<@!123456789012345678> status', decision: 'status' },
  { from: 'chat', text: '"use opus to review the billing code"', decision: 'run opus' },
  { from: 'chat', text: 'Can you use sonnet to look at the perf regression?', decision: 'run sonnet' },
  { from: 'chat', text: 'please use python-3.12 to run the tests', decision: CONFIRM },
  { from: 'chat', text: 'use utf-8 everywhere in the parser', decision: CONFIRM },
  { from: 'chat', text: 'fix the crash with issue-123 in the login flow', decision: CONFIRM },
  { from: 'chat', text: 'use the new API client to fetch users', decision: CONFIRM },
  { from: 'chat', text: 'review the code with opus — carefully', decision: 'run opus' },
  { from: 'chat', text: 'review this with care, using sonnet', decision: 'run sonnet' },
  { from: 'chat', text: 'STATUS', decision: 'status' },
  { from: 'chat', text: 'cancel perf-audit', decision: 'control: cancel perf-audit' },
  { from: 'chat', text: 'make sonnet my default', decision: 'config: set-my-default sonnet' },
  { from: 'chat', text: 'remove the security-reviewer alias', decision: 'config: remove-alias security-reviewer' },
  { from: 'chat', text: '1. fix the login bug with opus\n2. write tests for billing using haiku', decision: 'run opus / run haiku' },
  { from: 'chat', text: 'use gemini to write docs, in a worktree', decision: 'ask gemini +worktree' },
  { from: 'chat', text: 'use o3 to plan the migration', decision: 'discover o3' },
  { from: 'chat', text: 'use grok-4 to review the code', decision: 'discover grok-4' },
  { from: 'chat', text: 'use qwen2.5-coder to refactor utils', decision: 'discover qwen2.5-coder' },
  { from: 'chat', text: 'who can dispatch?', decision: 'access: list' },
  { from: 'chat', text: 'allow <@U0BOB>', decision: 'access: grant' },
  { from: 'chat', text: 'allow users to reset passwords', decision: CONFIRM },
  { from: 'chat', text: 'have security-reviewer and perf-reviewer check the diff', decision: 'run sonnet as perf-reviewer' },
  { from: 'chat', text: 'use the default model to write the changelog', decision: CONFIRM },
  { from: 'chat', text: 'what models are there?', decision: 'help: models' },
  { from: 'chat', text: 'show me the config', decision: 'help: config' },
  { from: 'chat', text: 'upgrade the client from gpt-4 to gpt-5', decision: 'discover gpt-5' },
  { from: 'chat', text: 'document the gemini integration', decision: CONFIRM },
  { from: 'chat', text: 'ask claude to tidy CLAUDE.md', decision: CONFIRM },
  { from: 'chat', text: 'create an alias system for shell commands', decision: CONFIRM },
  { from: 'chat', text: 'set the default branch to main in CI', decision: CONFIRM },
];
