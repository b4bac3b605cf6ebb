// Tests make real git commits (worktree tasks, the fake agent); a bare CI machine has no identity.
process.env.GIT_AUTHOR_NAME ??= 'dispatch-bot test';
process.env.GIT_AUTHOR_EMAIL ??= 'test@dispatch-bot.invalid';
process.env.GIT_COMMITTER_NAME ??= 'dispatch-bot test';
process.env.GIT_COMMITTER_EMAIL ??= 'test@dispatch-bot.invalid';
