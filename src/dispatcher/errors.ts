/** Errors a user can fix: the dispatcher turns each into a clear chat reply instead of crashing. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnknownModelError extends UserError {
  constructor(
    readonly model: string,
    readonly available: string[],
  ) {
    super(
      `**${model}** is not available here. Available: ${available.length ? available.join(', ') : 'none (no agent CLI found on PATH)'}.`,
    );
  }
}

export class AccessDenied extends UserError {}

export class UnknownTaskError extends UserError {
  constructor(readonly task: string) {
    super(`There is no task **${task}**. Say \`status\` to see the tasks of this channel.`);
  }
}
