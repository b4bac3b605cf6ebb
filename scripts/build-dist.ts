import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Rebuild dist/ when a source or the build config is newer than the last build. vitest's global
 * setup (tests that start the bot as a process run bin/dispatch-bot.js, which runs dist/, exactly
 * as a user's `npm start` does) and the start-up bench call it, so neither ever runs an old build,
 * however it was started (`npm test`, or `npx vitest run test/…` while working).
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(ROOT, 'dist', '.built');
const INPUTS = ['src', 'adapters', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newest(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

export default function buildDist(): void {
  const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
  if (Math.max(...INPUTS.map((p) => newest(join(ROOT, p)))) <= built) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}

// Run as a script (`node --import tsx scripts/build-dist.ts`) it builds at once; the benchmarks import it.
if (process.argv[1] === fileURLToPath(import.meta.url)) buildDist();
