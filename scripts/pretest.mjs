#!/usr/bin/env node
// What `npm test` checks before vitest, run side by side rather than one after another (each is
// mostly one core's work): the type check, the import structure, and the dist/ build that
// vitest's global setup would otherwise do after them (it then finds dist/ fresh). Each one's
// output is printed whole once it ends; any failure fails npm test.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const steps = [
  ['type check', [tsc, '--noEmit']],
  ['import structure', ['scripts/check-structure.mjs']],
  ['dist build', ['--import', 'tsx', 'scripts/build-dist.ts']],
];

function run([name, args]) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => {
      process.stdout.write(output);
      if (code !== 0) process.stderr.write(`npm test: the ${name} failed (exit ${code})\n`);
      resolve(code === 0);
    });
  });
}

const passed = await Promise.all(steps.map(run));
process.exit(passed.every(Boolean) ? 0 : 1);
