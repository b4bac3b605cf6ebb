import { z } from 'zod';

/**
 * Codes whose message tells the user what to change: the dispatcher replies with it. Every error
 * the bot raises on purpose carries a code, so callers branch on the code instead of the class or
 * the wording, and an error that crosses a queue arrives as the same error.
 */
const USER_FIXABLE_CODES = [
  /** The request itself cannot be acted on as asked (a generic user-fixable problem). */
  'bad_request',
  /** The text is longer than the bot reads. */
  'too_long',
  /** The config file (or a change to it) is invalid; `key` names the offending key. */
  'config_invalid',
  /** A configured command uses shell syntax or cannot be split into a program and its arguments. */
  'command_syntax',
  /** The requester may not do this here. */
  'access_denied',
  /** No task has that id (or none this runner holds). */
  'unknown_task',
  /** A task id that cannot name a branch or a directory. */
  'invalid_task_id',
  /** The task is in a state that does not allow this (cancel a finished task, retry a running one). */
  'task_state',
  /** A problem with the task's directory or repository (not a git repo, branch exists…). */
  'workspace',
  /**
   * A branch could not be pushed or a pull request opened: no token, no `origin`, a protected
   * branch, a rejected push, the forge's API refusing or failing. The message names what to fix.
   */
  'forge',
] as const;

/** Codes of failures that are not the user's to fix: logged with their stack, reported plainly. */
const OTHER_CODES = [
  /** The runner host holding the task does not answer any more. */
  'runner_gone',
  /** Anything else: a bug or an environment failure, reported as it is. */
  'internal',
] as const;

export const ErrorCode = z.enum([...USER_FIXABLE_CODES, ...OTHER_CODES]);
export type ErrorCode = z.infer<typeof ErrorCode>;

const USER_FIXABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(USER_FIXABLE_CODES);

/** An error as it crosses a process boundary (a queue job, a runner's reply). */
export const WireError = z.object({ code: ErrorCode, message: z.string(), key: z.string().optional() });
export type WireError = z.infer<typeof WireError>;

export class DispatchError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** True when the message is for the person who asked: the dispatcher replies with it. */
  get userFixable(): boolean {
    return USER_FIXABLE.has(this.code);
  }

  toWire(): WireError {
    return { code: this.code, message: this.message };
  }
}

/** An error the requester can fix; the dispatcher turns it into a clear chat reply. */
export class UserError extends DispatchError {
  constructor(message: string, code: ErrorCode = 'bad_request') {
    super(code, message);
  }
}

/** A config problem; `key` is the dotted path of the offending key (`aliases.x.model`). */
export class ConfigError extends UserError {
  constructor(
    message: string,
    readonly key: string | undefined,
    readonly file?: string,
  ) {
    super(message, 'config_invalid');
  }

  override toWire(): WireError {
    return { code: this.code, message: this.message, ...(this.key ? { key: this.key } : {}) };
  }
}

export class AccessDenied extends UserError {
  constructor(message: string) {
    super(message, 'access_denied');
  }
}

export class UnknownTaskError extends UserError {
  constructor(readonly task: string) {
    super(`There is no task **${task}**. Say \`status\` to see the tasks of this channel.`, 'unknown_task');
  }
}

/** A problem with the task's directory the requester can act on (shown as the failure detail). */
export class WorkspaceError extends UserError {
  constructor(message: string) {
    super(message, 'workspace');
  }
}

/** A push or a forge call that failed for a reason the message names, with what to fix. */
export class ForgeError extends UserError {
  constructor(message: string) {
    super(message, 'forge');
  }
}

/** A configured command that is shell syntax or empty: a worker command is one program and its arguments. */
export class CommandSyntaxError extends UserError {
  constructor(message: string) {
    super(message, 'command_syntax');
  }
}

/** Task ids end up in paths and branch names: anything but the tame shape is refused. */
export class InvalidTaskIdError extends UserError {
  constructor(id: string) {
    super(`task id "${id}" cannot name a branch or directory: use lowercase letters, digits and dashes`, 'invalid_task_id');
  }
}

/** The runner host holding a task does not answer any more (stopped or crashed). */
export class RunnerGoneError extends DispatchError {
  constructor(taskId: string, runnerId: string) {
    super('runner_gone', `task ${taskId}: its runner host ${runnerId} is gone`);
  }
}

/** The error a wire form describes, as the class its code belongs to. */
export function fromWire(wire: WireError): DispatchError {
  if (wire.code === 'config_invalid') return new ConfigError(wire.message, wire.key);
  if (USER_FIXABLE.has(wire.code)) return new UserError(wire.message, wire.code);
  return new DispatchError(wire.code, wire.message);
}

/** Any thrown value as a coded error: ours as they are, anything else as `internal`. */
export function asDispatchError(error: unknown): DispatchError {
  return error instanceof DispatchError ? error : new DispatchError('internal', messageOf(error), { cause: error });
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when `error` is one of ours with this code. */
export function hasCode(error: unknown, code: ErrorCode): boolean {
  return error instanceof DispatchError && error.code === code;
}
