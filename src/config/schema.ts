import { z } from 'zod';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;

/** `2d`, `90s`, `30m`, `2h`, `1h30m` or a bare number of seconds → milliseconds (undefined: not a duration). */
function durationMs(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value * 1000) : undefined;
  const text = value.trim();
  if (/^\d{1,12}$/.test(text)) return Number(text) * 1000;
  // Each unit at most once, in order; every part is bounded, so the match is linear.
  const parts = /^(?:(\d{1,9})d)?\s?(?:(\d{1,9})h)?\s?(?:(\d{1,9})m)?\s?(?:(\d{1,9})s)?$/.exec(text);
  if (text === '' || !parts || parts.slice(1).every((p) => p === undefined)) return undefined;
  const [d, h, m, s] = parts.slice(1).map((p) => Number(p ?? 0)) as [number, number, number, number];
  return d * UNIT_MS.d + h * UNIT_MS.h + m * UNIT_MS.m + s * UNIT_MS.s;
}

/** A duration as the user wrote it, for messages. */
const written = (value: number | string) => (typeof value === 'number' ? String(value) : value.trim());

/**
 * A duration of at least one second and at most `max` (written like the value, e.g. `7d`). The cap
 * matters: Node fires a timer at once when its delay is above 2^31-1 ms (about 24.8 days), so an
 * uncapped `600h` would time a task out the moment it starts.
 */
export function duration(max: string) {
  const maxMs = durationMs(max) ?? 0;
  return z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
    const ms = durationMs(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${written(value)}" is not a duration (use e.g. 90s, 30m, 2h, 1d)` });
      return z.NEVER;
    }
    if (ms < 1000) {
      ctx.addIssue({ code: 'custom', message: `${written(value)} is too short (at least 1s)` });
      return z.NEVER;
    }
    if (ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `${written(value)} is longer than the maximum, ${max}` });
      return z.NEVER;
    }
    return ms;
  });
}

/** A duration that may also be turned off: `0` or `off` (→ 0). */
export function durationOrOff(max: string) {
  const on = duration(max);
  return z.union([z.literal(0), z.literal('0'), z.literal('off'), z.literal(false)]).transform(() => 0).or(on);
}

/**
 * Names a config file may not use: the built-in properties of every JavaScript object. A model
 * named `constructor` would read as already configured everywhere the bot looks a name up, and
 * `__proto__` silently vanishes when the file is read.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

export function reservedName(name: string): string {
  return `"${name}" is reserved (a built-in property name of JavaScript objects); pick another name`;
}

/** Names of models, aliases, backends, repos: what a user can type in chat and git can carry. */
export const Name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$/, 'a name is letters, digits and . _ : / - (max 80), starting with a letter or digit')
  .refine((name) => !RESERVED_NAMES.has(name), { error: (issue) => reservedName(String(issue.input)) });

// Every mapping is strict: a misspelt key (`limits.concurency`, `aliases.x.promt`) is an error
// naming it, not a setting silently ignored.
export const BackendConfig = z.strictObject({
  /** The base command, split like a shell would (never run through one); `$(pwd)` = the task's directory. */
  command: z.string().min(1, 'command must not be empty'),
  /** false: run the command exactly, without adding the model flag (Dispatch's own `claude -p --dangerously-skip-permissions`, which picks no model). */
  model_flag: z.boolean().optional(),
});

/** US dollars per million tokens, for a CLI that reports tokens but no cost. */
export const ModelPrice = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  /** Cached input tokens (the input price when left out). */
  cached_input: z.number().nonnegative().optional(),
});

const ModelFields = z.strictObject({ backend: Name.optional(), price: ModelPrice.optional() });

export const ModelConfig = ModelFields.nullable()
  .transform((m) => m ?? {});

/** Longest role prompt: it goes into every worker's instructions, which must fit a command line. */
export const PROMPT_MAX_CHARS = 16_000;
const RolePrompt = z.string().max(PROMPT_MAX_CHARS, `a role prompt is at most ${PROMPT_MAX_CHARS.toLocaleString('en')} characters; put longer instructions in a file in the repo and point the prompt at it`);

export const AliasConfig = z.strictObject({
  model: Name,
  prompt: RolePrompt.optional(),
});

/** Legacy Dispatch format: `agents.<name>.command` — read as aliases with inline commands. */
export const LegacyAgent = z.strictObject({
  command: z.string().min(1),
  model: Name.optional(),
  prompt: RolePrompt.optional(),
});

/**
 * What a task's branch name starts with (`dispatch/` by default; `''` for none). Branch
 * protection rules match names, so a team picks one its rules leave open. Checked here for the
 * shape git accepts; the runner checks the whole name with `git check-ref-format` too.
 */
export const BranchPrefix = z
  .string()
  .max(60)
  .regex(/^(?:[A-Za-z0-9_][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_][A-Za-z0-9._-]*)*\/?)?$/, 'a branch prefix is letters, digits, . _ - and / between parts (e.g. dispatch/ or bot-), starting with a letter or digit')
  .refine((p) => !p.includes('..') && !/\.(?:lock)?\/|\.lock$/.test(p), 'a branch prefix may not hold "..", nor a part ending in "." or ".lock"');

const RepoFields = z.strictObject({
  path: z.string().min(1),
  default: z.boolean().default(false),
  /** `always`: every task in this repo gets a worktree; `ask` (default): only when requested. */
  worktree: z.enum(['always', 'ask']).default('ask'),
  /** Open a pull request by itself when a worktree task ends with commits (no button press). */
  auto_pr: z.boolean().default(false),
  /** Pull requests open as drafts (default) or ready for review. */
  draft: z.boolean().default(true),
  /** This repo's branch prefix, instead of `limits.branch_prefix`. */
  branch_prefix: BranchPrefix.optional(),
});

export const RepoConfig = z.union([
  z
    .string()
    .min(1)
    .transform((path): z.output<typeof RepoFields> => ({ path, default: false, worktree: 'ask', auto_pr: false, draft: true })),
  RepoFields,
]);

export const ChannelConfig = z.strictObject({
  repo: Name.optional(),
  /** The channel's default model (before the config's `default:`; after the user's own). */
  default: Name.optional(),
});

/**
 * A principal: a user id, a Slack user-group id, `role:<id>` (a Discord role), `channel:<id>`
 * (everyone in that channel), or `"*"` for everyone. Always text: YAML reads an unquoted Discord
 * id as a number and loses its last digits.
 */
export const Principal = z
  .string({
    error: (issue) =>
      typeof issue.input === 'number' ? `write ids in quotes ("${String(issue.input)}" loses digits as a number: YAML reads it as ${String(issue.input)})` : undefined,
  })
  .min(1, 'an empty id matches nobody')
  .max(200);

/**
 * Who may do what. A key left out keeps the open meaning it had before access rules existed
 * (warm-up and `doctor` warn about it); the first run writes both keys.
 */
export const AccessConfig = z
  .object({
    /** May start tasks (admins may too). */
    dispatch: z.array(Principal).optional(),
    /** May change the config from chat and act on any task. */
    admin: z.array(Principal).optional(),
  })
  .strict();

export const LimitsConfig = z.strictObject({
  // prefault, not default: zod 4 hands a default out as-is, skipping the transform to milliseconds.
  task_timeout: duration('7d').prefault('30m'),
  confirm_timeout: duration('24h').prefault('15m'),
  /** Workers running at once on one runner host. */
  concurrency: z.number().int().positive().default(4),
  /** Per-backend caps, e.g. `{ claude: 2 }`. */
  per_backend: z.record(Name, z.number().int().positive()).default({}),
  /**
   * What happens to a worktree when its task is done: `keep` it (default; `cleanup <task-id>`
   * removes it on request), or remove it `when-empty`: no commits and no uncommitted changes.
   */
  worktree_cleanup: z.enum(['keep', 'when-empty']).default('keep'),
  /** What worktree branches are named: `<prefix><task-id>` (a repo's own `branch_prefix` wins). */
  branch_prefix: BranchPrefix.default('dispatch/'),
  /** US dollars one task may cost before it is stopped (its requester may continue it with as much again). */
  max_cost_usd: z.number().positive().optional(),
  /** US dollars one user's tasks may cost per day (UTC); a request past it is refused before it starts. */
  max_cost_usd_per_day: z.number().positive().optional(),
  /** A worker with no plan change, no output and no question this long is reported stalled (its requester mentioned once). */
  stall_after: duration('7d').prefault('10m'),
  /**
   * A task whose runner stopped answering (DISPATCH_QUEUE=redis): `restart` it once on another
   * runner (a fresh worktree, the branch gets a `-r2` suffix), or `report` it interrupted with a
   * Retry button.
   */
  on_runner_lost: z.enum(['restart', 'report']).default('restart'),
  /**
   * A worker being stopped (cancel, timeout, cost limit) gets this long after SIGTERM to exit,
   * it and everything it started, before SIGKILL.
   */
  kill_grace: duration('10m').prefault('3s'),
  /** How long a runner told to stop (SIGTERM) lets its running workers finish before it hands them back. */
  drain_timeout: duration('24h').prefault('5m'),
  /**
   * Finished tasks older than this are removed with their logs and task folders (at start-up,
   * hourly, and by `cleanup`); `off` (or 0) keeps them for ever.
   */
  retention: durationOrOff('3650d').prefault('30d'),
  /**
   * Bytes one file attached to a request (or left in a task's `out/`) may hold; a bigger one is
   * left out and the thread says so. At most 50 MB: all of a task's files cross the queue together.
   */
  max_attachment_bytes: z.number().int().positive().max(50 * 1024 * 1024).default(20 * 1024 * 1024),
  /** How many files of a request go to its worker, and of a worker's `out/` to the thread. */
  max_attachments: z.number().int().positive().max(20).default(10),
});

export const ConfigFile = z.strictObject({
  default: Name.optional(),
  backends: z.record(Name, BackendConfig).default({}),
  models: z.record(Name, ModelConfig).default({}),
  aliases: z.record(Name, AliasConfig).default({}),
  agents: z.record(Name, LegacyAgent).optional(),
  repos: z.record(Name, RepoConfig).default({}),
  channels: z.record(z.string().min(1), ChannelConfig).default({}),
  access: AccessConfig.optional(),
  limits: LimitsConfig.prefault({}),
});

/** Each mapping's keys, by where it sits: the top level, a section, or an entry of a section. */
const SECTION_KEYS: Record<string, string[]> = { access: Object.keys(AccessConfig.shape), limits: Object.keys(LimitsConfig.shape) };
const ENTRY_KEYS: Record<string, string[]> = {
  backends: Object.keys(BackendConfig.shape),
  models: Object.keys(ModelFields.shape),
  aliases: Object.keys(AliasConfig.shape),
  agents: Object.keys(LegacyAgent.shape),
  repos: Object.keys(RepoFields.shape),
  channels: Object.keys(ChannelConfig.shape),
};

/** The keys the mapping at `path` may hold (`[]` is the top level, `['aliases', 'rev']` one alias). */
export function knownKeys(path: readonly PropertyKey[]): string[] {
  const [section] = path;
  if (section === undefined) return Object.keys(ConfigFile.shape);
  return (path.length === 1 ? SECTION_KEYS[String(section)] : ENTRY_KEYS[String(section)]) ?? [];
}

export type ConfigFileInput = z.input<typeof ConfigFile>;
/** The validated config, as parsed from the file (before cross-key checks). */
export type Config = z.output<typeof ConfigFile>;
export type BackendConfig = z.output<typeof BackendConfig>;
export type AliasConfig = z.output<typeof AliasConfig>;
export type ModelPrice = z.output<typeof ModelPrice>;
export type RepoConfig = z.output<typeof RepoConfig>;
