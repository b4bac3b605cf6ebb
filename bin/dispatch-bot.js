#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader, so the bin works right after
// `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // Start-up problems a person can fix (a bad token, Redis not reachable, an unwritable
  // DISPATCH_HOME) read better as one line than as a stack; DEBUG=1 shows the stack.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`dispatch-bot: ${message}\n`);
  if (process.env.DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
}
