#!/usr/bin/env node
// The `dispatch-bot` command: runs the compiled bot in dist/, which `npm ci` builds (the
// `prepare` script; `npm run build` builds it again after a change to the sources).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(entry)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`dispatch-bot: the compiled bot is missing (${fileURLToPath(entry)}); run \`npm ci\` (or \`npm run build\`) in ${root}\n`);
  process.exit(1);
}
const { main } = await import(entry.href);
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // Start-up problems a person can fix (a bad token, Redis not reachable, an unwritable
  // DISPATCH_HOME) read better as one line than as a stack; DEBUG=1 shows the stack.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`dispatch-bot: ${message.replace(/\n/g, '\ndispatch-bot: ')}\n`);
  if (process.env.DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
}
