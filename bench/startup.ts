/**
 * Start-up of the compiled bot, as a user meets it: `dispatch-bot --help`, `config validate`,
 * and `shell` until its first prompt in a terminal (util-linux `script`; through a pipe, until the
 * answer to `status`, where there is none), each next to the floor measured in the same run:
 * `node -e 0`, a Node process that does nothing. Rounds are interleaved (floor, then each command)
 * so a neighbour on the shared machine slows all alike. Targets: --help and config validate under
 * 1 s, shell under 1.5 s.
 *
 *   node bin/run-ts.js bench/startup.ts [rounds=10]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import buildDist from '../scripts/build-dist.js';

const BIN = fileURLToPath(new URL('../bin/dispatch-bot.js', import.meta.url));
const WARMUP = 1;
const TERMINAL = spawnSync('script', ['--version']).status === 0;

interface Case {
  name: string;
  target?: number;
  time(): Promise<number>;
}

export async function runStartupBench(rounds = 10): Promise<void> {
  buildDist();
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-bench-startup-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'default: opus\nmodels:\n  opus: { backend: claude }\n  sonnet: { backend: claude }\n');
  const env = { ...process.env, DISPATCH_HOME: join(dir, 'home'), DISPATCH_CONFIG: config, SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: '', DISCORD_TOKEN: '' };
  const cases: Case[] = [
    { name: 'floor: node -e 0', time: () => timeExit([process.execPath, '-e', '0'], env, dir) },
    { name: 'dispatch-bot --help', target: 1000, time: () => timeExit([process.execPath, BIN, '--help'], env, dir) },
    { name: 'dispatch-bot config validate', target: 1000, time: () => timeExit([process.execPath, BIN, 'config', 'validate'], env, dir) },
    {
      name: TERMINAL ? 'dispatch-bot shell → first prompt (terminal)' : 'dispatch-bot shell → answer to "status" (pipe)',
      target: 1500,
      time: () => (TERMINAL ? timeShellPrompt(env, dir) : timeShellPipe(env, dir)),
    },
  ];
  const figures = cases.map(() => [] as number[]);
  try {
    for (let round = 0; round < WARMUP + rounds; round++) {
      for (const [i, c] of cases.entries()) {
        const ms = await c.time();
        if (round >= WARMUP) figures[i]?.push(ms);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`Start-up, wall time per process, ${rounds} interleaved rounds (after ${WARMUP} warm-up), Node ${process.version}, ${cpus().length} cpus, load ${loadavg()[0]?.toFixed(2)}`);
  const floor = median(figures[0] ?? []);
  for (const [i, c] of cases.entries()) {
    const ms = figures[i] ?? [];
    const med = median(ms);
    const over = i === 0 ? '' : `   floor ${med >= floor ? '+' : '−'} ${Math.abs(med - floor).toFixed(0)} ms`;
    const target = c.target ? `   target < ${c.target} ms: ${med < c.target ? 'met' : 'MISSED'}` : '';
    console.log(`${c.name.padEnd(48)} median ${med.toFixed(0).padStart(5)} ms   min ${Math.min(...ms).toFixed(0).padStart(5)} ms${over}${target}`);
  }
}

/** A process run to its exit, output discarded. */
function timeExit(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const started = performance.now();
  const child = spawn(argv[0] as string, argv.slice(1), { cwd, env, stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - started));
  });
}

/** `shell` in a terminal until it shows `dispatch> `, then Ctrl-D. */
function timeShellPrompt(env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const started = performance.now();
  const child = spawn('script', ['-qfec', `'${process.execPath}' '${BIN}' shell`, '/dev/null'], { cwd, env });
  return untilOutput(child, 'dispatch> ', started, () => child.stdin.end('\u0004'));
}

/** `shell` through a pipe until it answers `status`. */
function timeShellPipe(env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'shell'], { cwd, env });
  child.stdin.end('status\n');
  return untilOutput(child, 'No tasks', started, () => undefined);
}

function untilOutput(child: ReturnType<typeof spawn>, text: string, started: number, then: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let took: number | undefined;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
      if (took === undefined && seen.includes(text)) {
        took = performance.now() - started;
        then();
      }
    });
    child.once('error', reject);
    child.once('exit', () => (took === undefined ? reject(new Error(`never showed "${text}":\n${seen}`)) : resolve(took)));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rounds = Number(process.argv[2] ?? 10);
  await runStartupBench(Number.isInteger(rounds) && rounds > 0 ? rounds : 10);
}
