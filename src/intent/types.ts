/** What a chat line asks for (SPEC §2). Produced by `parseIntent`; pure data. */
export type Intent =
  | { kind: 'warm-up' }
  | { kind: 'status'; task?: string }
  | { kind: 'control'; action: ControlAction; task: string }
  | { kind: 'config'; requests: ConfigRequest[] }
  /** `splitHint`: the models a prose request named, in order, when it named more than one. */
  | { kind: 'tasks'; context: string; tasks: TaskDraft[]; splitHint?: string[] }
  /** Who may dispatch or administer: open it up, close it, or ask who may. */
  | { kind: 'access'; request: AccessRequest }
  /** Looked like a command but cannot be carried out: `reason` is the reply. */
  | { kind: 'invalid'; reason: string };

export type ControlAction = 'cancel' | 'retry' | 'logs' | 'cleanup';

export type ConfigRequest =
  | { op: 'set-default'; model: string }
  /** The requester's own default (kept per user), not the config's `default:`. */
  | { op: 'set-my-default'; model: string }
  | { op: 'add-model'; model: string }
  | { op: 'remove-model'; model: string }
  | { op: 'create-alias'; alias: string; model: string; prompt: string }
  | { op: 'remove-alias'; alias: string }
  | { op: 'migrate' };

export interface TaskDraft {
  /** Short kebab-case id from the task's words, unique within the request. */
  id: string;
  goal: string;
  /** A configured model or alias, in its configured spelling (the last one named). */
  model?: string;
  /** A model-like name that is not configured, when it was the last one named: discover it. */
  unknownModel?: string;
  worktree: boolean;
  /** A repo named with `in <repo>` (configured repos only) or `repo=<name>`. */
  repo?: string;
}

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
