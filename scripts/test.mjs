#!/usr/bin/env node
// `npm test`: vitest, with the type check and the import-structure check running beside it rather
// than before it (each is mostly one core's work for a few seconds, while vitest's first seconds
// go to importing). vitest's global setup brings dist/ up to date itself. The checks' output is
// printed whole after vitest's; npm test fails when any of the three fails. Arguments go to
// vitest (`npm test -- --sequence.shuffle`).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
// vitest's package exports no path to its command; its package.json says where it is.
const vitestPackage = require.resolve('vitest/package.json');
const vitest = join(dirname(vitestPackage), require(vitestPackage).bin.vitest);
const checks = [
  ['type check', [tsc, '--noEmit']],
  ['import structure', ['scripts/check-structure.mjs']],
];

function run([name, args], stdio) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ name, code, output }));
  });
}

const checked = Promise.all(checks.map((check) => run(check, ['ignore', 'pipe', 'pipe'])));
const tested = await run(['vitest', [vitest, 'run', ...process.argv.slice(2)]], 'inherit');
let failed = tested.code !== 0;
for (const { name, code, output } of await checked) {
  process.stdout.write(output);
  if (code !== 0) {
    failed = true;
    process.stderr.write(`npm test: the ${name} failed (exit ${code})\n`);
  }
}
process.exit(failed ? 1 : 0);
