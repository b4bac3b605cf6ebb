import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup-env.ts'],
    // The reliability suite's figures (fuzz, configs, access, hostile corpus) print after the summary.
    reporters: ['default', './test/support/figures-reporter.ts'],
    // Tests that start the bot as a process run the built dist/: rebuilt first when stale.
    globalSetup: ['scripts/build-dist.ts'],
    // Integration tests start real child processes, git repos and loopback servers: give them room
    // on a 2-core machine rather than racing them.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most of a test's time is spent waiting on its child processes, so one worker more than this
    // machine's two cores keeps them busy: 101 s against 145 s with two, 130 s with four (the
    // longest file then waits for a core).
    maxWorkers: 3,
    // A worker process runs its files one after another with one module cache: each file does not
    // import zod, Bolt, discord.js and the bot again (a second or more per file here). Tests keep
    // their state in what they start (temp dirs, unique Redis prefixes, their own servers).
    isolate: false,
  },
});
