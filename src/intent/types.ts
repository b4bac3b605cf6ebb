import { z } from 'zod';

/** One config change said in chat. A schema, because a prompt asking "config or task?" stores it. */
export const ConfigRequest = z.discriminatedUnion('op', [
  z.object({ op: z.literal('set-default'), model: z.string() }),
  /** The requester's own default (kept per user), not the config's `default:`. */
  z.object({ op: z.literal('set-my-default'), model: z.string() }),
  z.object({ op: z.literal('add-model'), model: z.string() }),
  z.object({ op: z.literal('remove-model'), model: z.string() }),
  /** `prompt` is the one said in the sentence, else one made from the alias's role words, else '' (none). */
  z.object({ op: z.literal('create-alias'), alias: z.string(), model: z.string(), prompt: z.string() }),
  z.object({ op: z.literal('remove-alias'), alias: z.string() }),
  z.object({ op: z.literal('migrate') }),
]);
export type ConfigRequest = z.infer<typeof ConfigRequest>;

export const TaskDraft = z.object({
  /** Short kebab-case id from the task's words, unique within the request. */
  id: z.string(),
  goal: z.string(),
  /** A configured model or alias, in its configured spelling (the last one named). */
  model: z.string().optional(),
  /** A model-like name that is not configured, when it was the last one named: the resolver decides. */
  unknownModel: z.string().optional(),
  worktree: z.boolean(),
  /** A repo named with `in <repo>` (configured repos only) or `repo=<name>`. */
  repo: z.string().optional(),
});
export type TaskDraft = z.infer<typeof TaskDraft>;

/** An issue a request names: `#7` (the task's own repository), `owner/repo#7`, or an issue URL (with its host). */
export const IssueRef = z.object({
  number: z.number().int().positive(),
  owner: z.string().optional(),
  repo: z.string().optional(),
  host: z.string().optional(),
});
export type IssueRef = z.infer<typeof IssueRef>;

/** What a request asks of the forge: the issues it works on, and a pull request when done ("… and open a PR"). */
export const ForgeAsk = z.object({ issues: z.array(IssueRef), openPr: z.boolean() });
export type ForgeAsk = z.infer<typeof ForgeAsk>;

/** The tasks of one request: one draft per task, the text around a list as shared context. */
export const TaskRequest = z.object({
  context: z.string(),
  tasks: z.array(TaskDraft).min(1),
  /** The models a prose request named, in order, when it named more than one. */
  splitHint: z.array(z.string()).optional(),
  /** Said only when the request names issues or asks for a pull request. */
  forge: ForgeAsk.optional(),
});
export type TaskRequest = z.infer<typeof TaskRequest>;

/** What a chat line asks for. Produced by `parseIntent`; pure data. */
export type Intent =
  | { kind: 'warm-up' }
  /** A question about the bot itself: what can be said, which models there are, what the config holds. */
  | { kind: 'help'; topic: HelpTopic }
  | { kind: 'status'; task?: string; all?: true }
  | { kind: 'control'; action: ControlAction; task: string }
  /** `cleanup` alone: remove the finished tasks older than `limits.retention` now (admins). */
  | { kind: 'sweep' }
  | { kind: 'config'; requests: ConfigRequest[] }
  | ({ kind: 'tasks' } & TaskRequest)
  /**
   * Reads both as a config change and as a task ("switch to sonnet and fix the flaky test"):
   * the requester is asked which. `rest` is the text without its config clauses, as tasks;
   * `whole` the whole text as tasks.
   */
  | { kind: 'unclear'; requests: ConfigRequest[]; rest: TaskRequest; whole: TaskRequest }
  /** Who may dispatch or administer: open it up, close it, or ask who may. */
  | { kind: 'access'; request: AccessRequest }
  /** About a finished task's branch: open its pull request, push it, address its review (`task`: named, else the thread's). */
  | { kind: 'forge'; action: ForgeAction; task?: string }
  /** Looked like a command but cannot be carried out: `reason` is the reply. */
  | { kind: 'invalid'; reason: string };

export type HelpTopic = 'help' | 'models' | 'config';

export type ForgeAction = 'open-pr' | 'push' | 'fix-review';

export type ControlAction = 'cancel' | 'retry' | 'logs' | 'cleanup';

/** The names the parser recognises, from the config. */
export interface KnownNames {
  models: string[];
  aliases: string[];
  repos?: string[];
}

/** Someone named in an access sentence, by the id the platform's mention markup carries. */
export type AccessTarget =
  /** `typed`: a plain `@name` (a name, not a platform mention): only the shell's users are names. */
  | { kind: 'user'; id: string; typed: boolean }
  /** A Slack user group (`S…`). */
  | { kind: 'group'; id: string }
  /** A Discord role. */
  | { kind: 'role'; id: string }
  /** Everyone in that channel. */
  | { kind: 'channel'; id: string }
  /** Everyone in the channel the sentence was said in. */
  | { kind: 'here' }
  | { kind: 'everyone' };

export type AccessList = 'dispatch' | 'admin' | 'both';

export type AccessRequest =
  | { op: 'grant'; list: Exclude<AccessList, 'both'>; targets: AccessTarget[] }
  | { op: 'revoke'; list: AccessList; targets: AccessTarget[] }
  | { op: 'list' };
