import { z } from 'zod';

/** `90s`, `30m`, `2h`, `1h30m` or a bare number of seconds → milliseconds. */
export const Duration = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return Math.round(value * 1000);
  const text = value.trim();
  const parts = /^(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$/.exec(text);
  if (text === '' || !parts || (!parts[1] && !parts[2] && !parts[3])) {
    if (/^\d+$/.test(text)) return Number(text) * 1000;
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (use e.g. 90s, 30m, 2h)` });
    return z.NEVER;
  }
  return ((Number(parts[1] ?? 0) * 60 + Number(parts[2] ?? 0)) * 60 + Number(parts[3] ?? 0)) * 1000;
});

/** Names of models, aliases, backends, repos: what a user can type in chat and git can carry. */
export const Name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$/, 'a name is letters, digits and . _ : / - (max 80), starting with a letter or digit');

export const BackendConfig = z.object({
  /** The base command, split like a shell would (never run through one); `$(pwd)` = the task's directory. */
  command: z.string().min(1, 'command must not be empty'),
  /** false: run the command exactly, without adding the model flag (the seed page's claude form). */
  model_flag: z.boolean().optional(),
});

export const ModelConfig = z
  .object({ backend: Name.optional() })
  .nullable()
  .transform((m) => m ?? {});

/** Longest role prompt: it goes into every worker's instructions, which must fit a command line. */
export const PROMPT_MAX_CHARS = 16_000;
const RolePrompt = z.string().max(PROMPT_MAX_CHARS, `a role prompt is at most ${PROMPT_MAX_CHARS.toLocaleString('en')} characters; put longer instructions in a file in the repo and point the prompt at it`);

export const AliasConfig = z.object({
  model: Name,
  prompt: RolePrompt.optional(),
});

/** Legacy Dispatch format: `agents.<name>.command` — read as aliases with inline commands. */
export const LegacyAgent = z.object({
  command: z.string().min(1),
  model: Name.optional(),
  prompt: RolePrompt.optional(),
});

export const RepoConfig = z.union([
  z.string().min(1).transform((path) => ({ path, default: false, worktree: 'ask' as const })),
  z.object({
    path: z.string().min(1),
    default: z.boolean().default(false),
    /** `always`: every task in this repo gets a worktree; `ask` (default): only when requested. */
    worktree: z.enum(['always', 'ask']).default('ask'),
  }),
]);

export const ChannelConfig = z.object({
  repo: Name.optional(),
  /** The channel's default model (before the config's `default:`; after the user's own). */
  default: Name.optional(),
});

/** A principal: a user id, a group id, `role:<id>`, or `"*"` for everyone. */
export const Principal = z.string().min(1).max(200);

export const AccessConfig = z.object({
  dispatch: z.array(Principal).default(['*']),
  admin: z.array(Principal).default(['*']),
});

export const LimitsConfig = z.object({
  // prefault, not default: zod 4 hands a default out as-is, skipping the transform to milliseconds.
  task_timeout: Duration.prefault('30m'),
  confirm_timeout: Duration.prefault('15m'),
  /** Workers running at once on one runner host. */
  concurrency: z.number().int().positive().default(4),
  /** Per-backend caps, e.g. `{ claude: 2 }`. */
  per_backend: z.record(Name, z.number().int().positive()).default({}),
  /**
   * What happens to a worktree when its task is done: `keep` it (default; `cleanup <task-id>`
   * removes it on request), or remove it `when-empty`: no commits and no uncommitted changes.
   */
  worktree_cleanup: z.enum(['keep', 'when-empty']).default('keep'),
});

export const ConfigFile = z
  .object({
    default: Name.optional(),
    backends: z.record(Name, BackendConfig).default({}),
    models: z.record(Name, ModelConfig).default({}),
    aliases: z.record(Name, AliasConfig).default({}),
    agents: z.record(Name, LegacyAgent).optional(),
    repos: z.record(Name, RepoConfig).default({}),
    channels: z.record(z.string().min(1), ChannelConfig).default({}),
    access: AccessConfig.default({ dispatch: ['*'], admin: ['*'] }),
    limits: LimitsConfig.prefault({}),
  })
  .strict();

export type ConfigFileInput = z.input<typeof ConfigFile>;
/** The validated config, as parsed from the file (before cross-key checks). */
export type Config = z.output<typeof ConfigFile>;
export type BackendConfig = z.output<typeof BackendConfig>;
export type AliasConfig = z.output<typeof AliasConfig>;
export type RepoConfig = z.output<typeof RepoConfig>;
