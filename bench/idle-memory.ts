/**
 * Idle memory of the compiled bot: the resident set (VmRSS) of `dispatch-bot shell` and of
 * `dispatch-bot start` on Slack (HTTP, against the fake Slack on 127.0.0.1), each once it is ready
 * and has settled, next to the floor measured in the same run: a bare Bolt app in its own process,
 * started the same way against the same fake. Goal: ≤ 100 MB.
 *
 * Each is sampled twice: `settle` seconds after it is ready, and again once V8's memory reducer
 * has run. Start-up grows V8's young generation to its largest (32 MB: loading modules is nearly
 * all surviving allocation) and V8 gives it back only when the reducer runs, 8 s or more after
 * start-up's last full collection (later while the process still allocates; 12 s was sometimes
 * too early for `start`). Before that the figure counts start-up's leftovers; after it, what the
 * process holds while idle.
 *
 *   node bin/run-ts.js bench/idle-memory.ts [settle-seconds=3] [reduced-seconds=20]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import buildDist from '../scripts/build-dist.js';
import { startFakeSlack } from '../test/fakes/slack-server.js';

const BIN = fileURLToPath(new URL('../bin/dispatch-bot.js', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GOAL_MB = 100;

/** A Bolt app that only acks, as small as a Slack bot gets: the floor. */
const BARE_BOLT = `
const { App, LogLevel } = await import('@slack/bolt');
const app = new App({ token: 'xoxb-bench', signingSecret: 'bench-secret', clientOptions: { slackApiUrl: process.env.SLACK_API_URL }, logLevel: LogLevel.ERROR });
app.command('/dispatch', async ({ ack }) => ack());
await app.start({ port: 0, host: '127.0.0.1' });
process.stderr.write('ready\\n');
`;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** The resident set soon after start-up, and once V8's memory reducer has run. */
interface Idle {
  settled: number;
  reduced: number;
}

/** The median of five samples, 200 ms apart. */
async function sampleRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssMb(pid));
    await sleep(200);
  }
  return samples.sort((a, b) => a - b)[2] as number;
}

/** Wait for `text` on the child's output, then sample after `settleMs` and again at `reducedMs`. */
async function idleRss(child: ChildProcess, text: string, settleMs: number, reducedMs: number): Promise<Idle> {
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const look = (chunk: string): void => {
      seen += chunk;
      if (seen.includes(text)) resolve();
    };
    child.stdout?.setEncoding('utf8').on('data', look);
    child.stderr?.setEncoding('utf8').on('data', look);
    child.once('exit', () => reject(new Error(`exited before "${text}":\n${seen}`)));
  });
  const ready = Date.now();
  await sleep(settleMs);
  const settled = await sampleRss(child.pid as number);
  await sleep(Math.max(0, ready + reducedMs - Date.now()));
  return { settled, reduced: await sampleRss(child.pid as number) };
}

async function measure(argv: string[], env: NodeJS.ProcessEnv, cwd: string, text: string, [settleMs, reducedMs]: [number, number], input?: string): Promise<Idle> {
  const child = spawn(argv[0] as string, argv.slice(1), { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  if (input !== undefined) child.stdin?.write(input);
  try {
    return await idleRss(child, text, settleMs, reducedMs);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin?.end();
    child.kill('SIGTERM');
    await exited;
  }
}

export async function runIdleMemoryBench(settleSeconds = 3, reducedSeconds = 20): Promise<void> {
  buildDist();
  const fake = await startFakeSlack({ botUserId: 'UBOT' });
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-bench-idle-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'default: opus\nmodels:\n  opus: { backend: claude }\naccess:\n  admins: [U1]\n');
  const base = { ...process.env, DISPATCH_HOME: join(dir, 'home'), DISPATCH_CONFIG: config, SLACK_APP_TOKEN: '', DISCORD_TOKEN: '', SLACK_API_URL: fake.apiUrl };
  const slackEnv = { ...base, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: 'bench-secret', PORT: '0' };
  const shellEnv = { ...base, SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '' };
  const settle: [number, number] = [settleSeconds * 1000, Math.max(settleSeconds, reducedSeconds) * 1000];
  try {
    // In this checkout, so `@slack/bolt` resolves from its node_modules (ESM ignores NODE_PATH).
    const floorFile = join(ROOT, 'bench', `.bare-bolt-${process.pid}.mjs`);
    writeFileSync(floorFile, BARE_BOLT);
    const floor = await measure([process.execPath, floorFile], slackEnv, ROOT, 'ready', settle).finally(() => rmSync(floorFile, { force: true }));
    const shell = await measure([process.execPath, BIN, 'shell'], shellEnv, dir, 'No tasks', settle, 'status\n');
    const start = await measure([process.execPath, BIN, 'start'], slackEnv, dir, 'ready, working on', settle);
    console.log(`Idle memory (VmRSS ${settleSeconds} s after ready, and ${settle[1] / 1000} s after, once V8's memory reducer has run), Node ${process.version}, ${cpus().length} cpus, load ${loadavg()[0]?.toFixed(2)}`);
    const mb = (x: number): string => `${x.toFixed(0).padStart(4)} MB`;
    const verdict = (x: number, of: number): string => `${(x / of).toFixed(2)}× floor, goal ≤ ${GOAL_MB} MB: ${x <= GOAL_MB ? 'met' : 'MISSED'}`;
    const row = (name: string, m: Idle): string => `${name.padEnd(34)} ${`${mb(m.settled)} (${verdict(m.settled, floor.settled)})`.padEnd(52)} ${mb(m.reduced)} (${verdict(m.reduced, floor.reduced)})`;
    console.log(`${''.padEnd(34)} ${`after ${settleSeconds} s`.padEnd(52)} after ${settle[1] / 1000} s`);
    console.log(`${'floor: bare Bolt app (HTTP)'.padEnd(34)} ${mb(floor.settled).padEnd(52)} ${mb(floor.reduced)}`);
    console.log(row('dispatch-bot shell', shell));
    console.log(row('dispatch-bot start (Slack, HTTP)', start));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await fake.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const settle = Number(process.argv[2] ?? 3);
  const reduced = Number(process.argv[3] ?? 20);
  await runIdleMemoryBench(Number.isFinite(settle) && settle >= 0 ? settle : 3, Number.isFinite(reduced) && reduced >= 0 ? reduced : 20);
}
