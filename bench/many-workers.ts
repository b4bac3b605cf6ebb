/**
 * Many workers on one host: the compiled bot (`dispatch-bot start`, Slack surface) against the
 * fake Slack that enforces the rate tiers (chat.update 50 a minute, chat.postMessage 1 a second
 * per channel with a burst of 3), with N requests arriving together (200 in 4.5 s, the same pace
 * for fewer) and each fake worker checking off one plan item a second for the run's duration.
 * Next to it, in the same run, the floor: a supervisor written for this benchmark that spawns the
 * same fake workers at the same pace and watches their plan.md, nothing else
 * (bench/floor-supervisor.mjs). Both processes load bench/loop-lag.mjs to report their event-loop
 * delay; RSS and CPU come from /proc. Status staleness is sampled from what the fake Slack shows
 * against each plan.md, every 250 ms; its floor is the bound of even pacing at the bot's 45 edits
 * a minute (N × 60 s / 45).
 *
 *   node bin/run-ts.js bench/many-workers.ts [seconds=60] [sizes=10,50,200]
 *
 * BENCH_BOT_NODE_ARGS adds node flags to the bot alone (not to its workers), for profiling it:
 * e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` or `--heapsnapshot-signal=SIGUSR2`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import buildDist from '../scripts/build-dist.js';
import { SlackSender, startFakeSlack, type FakeSlack } from '../test/fakes/slack-server.js';
import { botEnv, botPaths, makeRepo, readAgentRuns } from '../test/support/bot-env.js';

const BIN = fileURLToPath(new URL('../bin/dispatch-bot.js', import.meta.url));
const FLOOR = fileURLToPath(new URL('./floor-supervisor.mjs', import.meta.url));
const LAG = new URL('./loop-lag.mjs', import.meta.url).href;
const SECRET = 'bench-signing-secret';
/** The bot's chat.update budget (src/start.ts) and Slack's tiers as the fake enforces them. */
const EDITS_PER_MINUTE = 45;
const TIERS = { updatePerMinute: 50, postPerChannel: { perSecond: 1, burst: 3 } };
/** 200 requests in 4.5 s; fewer arrive at the same pace. */
const REQUEST_SPACING_MS = 4500 / 200;
const TASKS_PER_CHANNEL = 10;
const SAMPLE_MS = 250;
const TICK_HZ = 100;

/** What one run (ours or the floor) measured. */
interface Run {
  rssMb: number;
  peakRssMb: number;
  lagSteady: number;
  lagWhole: number;
  lagMax: number;
  cpuMsPerWorkerSecond: number;
  /** The same while every worker ran (from the last start to the first finish). */
  cpuMsPerWorkerSecondSteady: number;
  spawnMs: number[];
  staleness: number[];
  limited: number;
  limitedBy?: string;
  unfinished: number;
  memory?: LagFigures['memory'];
  /** Where the CPU went, by thread kind (user + system ms), from the first request on. */
  threads?: string;
  spikes?: string;
}

export async function runManyWorkersBench(seconds = 60, sizes = [10, 50, 200]): Promise<void> {
  buildDist();
  console.log(`Many workers, ${seconds} s each (a plan item a second), Node ${process.version}, ${cpus().length} cpus, load ${loadavg()[0]?.toFixed(2)}`);
  for (const n of sizes) {
    const ours = await runOurs(n, seconds);
    const floor = await runFloor(n, seconds);
    print(n, seconds, ours, floor);
  }
}

async function runOurs(n: number, seconds: number): Promise<Run> {
  const root = mkdtempSync(join(tmpdir(), 'dispatch-bench-many-'));
  const repo = makeRepo(join(root, 'repo'));
  const { configFile, agentLog } = botPaths(root);
  const lagFile = join(root, 'lag.json');
  writeFileSync(configFile, `default: opus\nmodels:\n  opus: { backend: claude }\nlimits:\n  concurrency: ${n}\n  task_timeout: 1h\n`);
  const fake = await startFakeSlack({ botUserId: 'UBOT', botId: 'BBOT', ...TIERS });
  const env = botEnv(root, {
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_APP_TOKEN: '',
    DISCORD_TOKEN: '',
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
    LOOP_LAG_FILE: lagFile,
  });
  const booted = Date.now();
  const nodeArgs = (process.env.BENCH_BOT_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const bot = spawn(process.execPath, [...nodeArgs, '--import', LAG, BIN, 'start'], { cwd: repo, env, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const port = await listeningPort(bot);
    // A moment idle first, so the lag preload samples the bot's memory before any request.
    await sleep(1200);
    const sender = new SlackSender(`http://127.0.0.1:${port}/slack/events`, SECRET);
    const sentAt = new Map<number, number>();
    // Start-up is the idle row's business: count the CPU from the first request on.
    const cpuBefore = cpuOf(bot.pid ?? 0);
    const threadsBefore = threadCpu(bot.pid ?? 0);
    const started = Date.now();
    const requests: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const ts = `1800000000.${String(i + 1).padStart(6, '0')}`;
      const channel = `C${Math.floor(i / TASKS_PER_CHANNEL) + 1}`;
      const text = `<@UBOT> use opus to review area ${words(i)} fake:items=${seconds} fake:slow=1000 fake:tag=${i}`;
      sentAt.set(i, Date.now());
      requests.push(sender.event({ type: 'app_mention', user: 'UALICE', text, channel, ts, event_ts: ts }, `Ev${i}`));
      await sleep(REQUEST_SPACING_MS);
    }
    await Promise.all(requests);
    const deadline = started + (seconds + 60 + (n * 60 * 1.5) / EDITS_PER_MINUTE) * 1000;
    const watch = await watchStatuses(bot, join(repo, '.dispatch', 'tasks'), n, seconds, deadline, (id) => shownProgress(fake, id));
    const cpuMs = cpuOf(bot.pid ?? 0) - cpuBefore;
    const threads = threadCpuText(threadsBefore, threadCpu(bot.pid ?? 0));
    const peakRssMb = procStatus(bot.pid ?? 0, 'VmHWM') / 1024;
    const spawnMs = spawnLatencies(agentLog, sentAt);
    const lag = lagFigures(lagFile, watch.steady.map((t) => (t - booted) / 1000), (started - booted) / 1000, started);
    return {
      rssMb: median(watch.rss),
      peakRssMb,
      ...lag,
      cpuMsPerWorkerSecond: cpuMs / (n * seconds),
      cpuMsPerWorkerSecondSteady: steadyCpu(watch, n),
      spawnMs,
      staleness: watch.staleness,
      limited: fake.calls.filter((c) => c.status === 429).length,
      limitedBy: [...new Set(fake.calls.filter((c) => c.status === 429).map((c) => c.method))].map((m) => `${m} ${fake.calls.filter((c) => c.status === 429 && c.method === m).length}`).join(', '),
      unfinished: watch.unfinished,
      threads,
      ...(lag.spikes ? { spikes: `${lag.spikes} (every worker ran from +${((watch.steady[0] ?? started) - started) / 1000} s to +${((watch.steady[1] ?? started) - started) / 1000} s)` } : {}),
    };
  } finally {
    await stop(bot);
    await fake.close();
    rmSync(root, { recursive: true, force: true });
  }
}

async function runFloor(n: number, seconds: number): Promise<Run> {
  const root = mkdtempSync(join(tmpdir(), 'dispatch-bench-floor-'));
  const repo = makeRepo(join(root, 'repo'));
  const { agentLog } = botPaths(root);
  const lagFile = join(root, 'lag.json');
  const env = botEnv(root, { LOOP_LAG_FILE: lagFile });
  const started = Date.now();
  const floor = spawn(process.execPath, ['--import', LAG, FLOOR, repo, String(n), String(seconds), String(REQUEST_SPACING_MS)], { cwd: repo, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const sentAt = new Map<number, number>();
  let out = '';
  floor.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    const lines = out.split('\n');
    out = lines.pop() ?? '';
    for (const line of lines) {
      const { tag, requested } = JSON.parse(line) as { tag: number; requested: number };
      sentAt.set(tag, requested);
    }
  });
  try {
    const deadline = started + (seconds + 120) * 1000;
    const watch = await watchStatuses(floor, join(repo, '.dispatch', 'tasks'), n, seconds, deadline, undefined);
    return {
      rssMb: median(watch.rss),
      peakRssMb: watch.peakRssMb,
      ...lagFigures(lagFile, watch.steady.map((t) => (t - started) / 1000)),
      cpuMsPerWorkerSecond: watch.cpuMs / (n * seconds),
      cpuMsPerWorkerSecondSteady: steadyCpu(watch, n),
      spawnMs: spawnLatencies(agentLog, sentAt),
      staleness: [],
      limited: 0,
      unfinished: watch.unfinished,
    };
  } finally {
    await stop(floor);
    rmSync(root, { recursive: true, force: true });
  }
}

interface Watched {
  rss: number[];
  peakRssMb: number;
  cpuMs: number;
  staleness: number[];
  /** When every worker had started, and when the first one finished: the steady phase. */
  steady: number[];
  /** The process's CPU (ms) at those two moments. */
  steadyCpuMs: number[];
  unfinished: number;
}

/**
 * Sample every 250 ms until every worker is done (and, with `shown`, Slack shows every plan
 * complete) or the deadline passes: the process's RSS and CPU, each plan's progress (the first
 * time each count was seen), and how long each status has lagged behind its plan.
 */
async function watchStatuses(proc: ChildProcess, tasksDir: string, n: number, items: number, deadline: number, shown: ((id: string) => number | undefined) | undefined): Promise<Watched> {
  const pid = proc.pid ?? 0;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const firstSeen = new Map<string, number[]>();
  const w: Watched = { rss: [], peakRssMb: 0, cpuMs: 0, staleness: [], steady: [], steadyCpuMs: [], unfinished: n };
  let allStarted: number | undefined;
  let firstDone: number | undefined;
  while (Date.now() < deadline && !gone) {
    const now = Date.now();
    const ids = existsSync(tasksDir) ? readdirSync(tasksDir) : [];
    let complete = 0;
    for (const id of ids) {
      const done = checked(join(tasksDir, id, 'plan.md'));
      const seen = firstSeen.get(id) ?? [now];
      for (let k = seen.length; k <= done; k++) seen.push(now);
      firstSeen.set(id, seen);
      if (done >= items) firstDone ??= now;
      const onScreen = shown ? (shown(id) ?? 0) : done;
      if (shown && onScreen < done) w.staleness.push(now - (seen[onScreen + 1] ?? now));
      else if (shown) w.staleness.push(0);
      if (done >= items && onScreen >= items) complete += 1;
    }
    if (ids.length >= n && allStarted === undefined) {
      allStarted = now;
      w.steadyCpuMs[0] = cpuOf(pid);
    }
    if (firstDone !== undefined && w.steadyCpuMs[1] === undefined) w.steadyCpuMs[1] = cpuOf(pid);
    const rss = procStatus(pid, 'VmRSS') / 1024;
    if (rss > 0) {
      if (allStarted !== undefined && firstDone === undefined) w.rss.push(rss);
      w.peakRssMb = Math.max(w.peakRssMb, procStatus(pid, 'VmHWM') / 1024);
      w.cpuMs = cpuOf(pid) || w.cpuMs;
    }
    w.unfinished = n - complete;
    if (shown && complete >= n) break;
    await Promise.race([sleep(SAMPLE_MS), exited]);
  }
  w.steady = [allStarted ?? 0, firstDone ?? Date.now()];
  if (w.rss.length === 0) w.rss.push(w.peakRssMb);
  return w;
}

/** The plan progress a task's status message shows in the fake Slack now. */
function shownProgress(fake: FakeSlack, id: string): number | undefined {
  const mark = `*${id}*`;
  let best: number | undefined;
  for (const m of fake.allMessages()) {
    const text = m.text + JSON.stringify(m.blocks);
    if (!text.includes(mark)) continue;
    const bar = /[▓░]+\s*(\d+)\/(\d+)/.exec(text);
    if (bar) best = Math.max(best ?? 0, Number(bar[1]));
  }
  return best;
}

function checked(plan: string): number {
  try {
    return (readFileSync(plan, 'utf8').match(/- \[x\]/g) ?? []).length;
  } catch {
    return 0;
  }
}

/** From each request (by its fake:tag) to its worker's first line of code running. */
function spawnLatencies(agentLog: string, sentAt: Map<number, number>): number[] {
  const out: number[] = [];
  for (const run of readAgentRuns(agentLog) as (ReturnType<typeof readAgentRuns>[number] & { at?: number })[]) {
    const tag = /fake:tag=(\d+)/.exec(run.prompt)?.[1];
    const sent = tag === undefined ? undefined : sentAt.get(Number(tag));
    if (sent !== undefined && run.at !== undefined) out.push(run.at - sent);
  }
  return out;
}

/** What Node counts of a process's memory, in MB (the preload's per-second sample). */
interface Memory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

interface LagFigures {
  lagSteady: number;
  lagWhole: number;
  lagMax: number;
  /** The three seconds of the worst p99 (ours only): seconds after the first request, and the p99. */
  spikes?: string;
  /** Before the first request (ours only), the median of each figure while every worker ran, and the sample of the highest rss. */
  memory?: { idle?: Memory; steady: Memory; peak: Memory };
}

/**
 * Event-loop lag from the per-second windows the preload wrote: steady is the median of the
 * seconds' p99 while every worker ran; whole run is the p99 of the seconds' p99 and the largest
 * delay, both from the first request on (start-up is not the workers' doing).
 */
function lagFigures(file: string, steadySeconds: number[], fromSecond = 0, idleBefore?: number): LagFigures {
  try {
    const figures = JSON.parse(readFileSync(file, 'utf8')) as { windows: { p99: number | null; max: number | null; mem?: Memory; at?: number }[] };
    const [from = 0, to = Infinity] = steadySeconds;
    const p99 = (w: { p99: number | null }[]): number[] => w.map((x) => x.p99).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    const run = figures.windows.slice(Math.floor(fromSecond));
    const steadyWindows = figures.windows.slice(Math.floor(from), Math.ceil(to));
    const steady = p99(steadyWindows);
    const maxima = run.map((x) => x.max).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    const spikes = idleBefore === undefined ? undefined : worstSeconds(figures.windows, idleBefore);
    return { lagSteady: quantile(steady, 0.5), lagWhole: quantile(p99(run), 0.99), lagMax: Math.max(...maxima), ...(spikes ? { spikes } : {}), ...memoryFigures(steadyWindows, run, idleBefore === undefined ? undefined : figures.windows.filter((w) => (w.at ?? Infinity) < idleBefore).at(-1)?.mem) };
  } catch {
    return { lagSteady: NaN, lagWhole: NaN, lagMax: NaN };
  }
}

function worstSeconds(windows: { p99: number | null; at?: number }[], from: number): string {
  return windows
    .filter((w) => w.at !== undefined && w.at >= from && typeof w.p99 === 'number')
    .sort((a, b) => (b.p99 ?? 0) - (a.p99 ?? 0))
    .slice(0, 3)
    .map((w) => `+${(((w.at ?? 0) - from) / 1000).toFixed(0)} s: ${(w.p99 ?? 0).toFixed(0)} ms`)
    .join(', ');
}

function memoryFigures(steadyWindows: { mem?: Memory }[], run: { mem?: Memory }[], idle: Memory | undefined): Pick<LagFigures, 'memory'> {
  const steady = steadyWindows.map((w) => w.mem).filter((m): m is Memory => m !== undefined);
  const all = run.map((w) => w.mem).filter((m): m is Memory => m !== undefined);
  const peak = all.reduce<Memory | undefined>((top, m) => (top && top.rss >= m.rss ? top : m), undefined);
  if (steady.length === 0 || !peak) return {};
  const mid = (key: keyof Memory): number => median(steady.map((m) => m[key]));
  return { memory: { ...(idle ? { idle } : {}), steady: { rss: mid('rss'), heapTotal: mid('heapTotal'), heapUsed: mid('heapUsed'), external: mid('external'), arrayBuffers: mid('arrayBuffers') }, peak } };
}

function memoryText(m: Memory): string {
  return `rss ${m.rss.toFixed(0)}, heap ${m.heapUsed.toFixed(0)}/${m.heapTotal.toFixed(0)}, external ${m.external.toFixed(0)} (buffers ${m.arrayBuffers.toFixed(0)}) MB`;
}

function steadyCpu(w: Watched, n: number): number {
  const [from, to] = w.steady;
  const [cpuFrom, cpuTo] = w.steadyCpuMs;
  if (from === undefined || to === undefined || cpuFrom === undefined || cpuTo === undefined || to <= from) return NaN;
  return (cpuTo - cpuFrom) / ((n * (to - from)) / 1000);
}

function procStatus(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** User and system CPU (ms) of each kind of thread of a process (main, libuv pool, V8 workers…). */
function threadCpu(pid: number): Map<string, { user: number; system: number }> {
  const out = new Map<string, { user: number; system: number }>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '').trim();
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const sum = out.get(name) ?? { user: 0, system: 0 };
      sum.user += (Number(fields[11]) * 1000) / TICK_HZ;
      sum.system += (Number(fields[12]) * 1000) / TICK_HZ;
      out.set(name, sum);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

function threadCpuText(before: Map<string, { user: number; system: number }>, after: Map<string, { user: number; system: number }>): string {
  return [...after]
    .map(([name, t]) => ({ name, user: t.user - (before.get(name)?.user ?? 0), system: t.system - (before.get(name)?.system ?? 0) }))
    .filter((t) => t.user + t.system > 0)
    .sort((a, b) => b.user + b.system - (a.user + a.system))
    .map((t) => `${t.name} ${t.user.toFixed(0)}+${t.system.toFixed(0)}`)
    .join(', ');
}

/** User + system CPU of the process itself (not its children), in ms. */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK_HZ;
  } catch {
    return 0;
  }
}

function listeningPort(bot: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the bot did not start:\n${seen}`)), 60_000);
    bot.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (seen.length < 100_000) seen += chunk;
      const port = /listening on port (\d+)/.exec(seen)?.[1];
      if (port && /ready, working on/.test(seen)) {
        clearTimeout(timer);
        resolve(Number(port));
      }
    });
    bot.once('exit', (code) => reject(new Error(`the bot exited (${code}):\n${seen}`)));
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function print(n: number, seconds: number, ours: Run, floor: Run): void {
  const pacingBound = (n * 60) / EDITS_PER_MINUTE;
  const spawnOurs = [...ours.spawnMs].sort((a, b) => a - b);
  const spawnFloor = [...floor.spawnMs].sort((a, b) => a - b);
  const stale = [...ours.staleness].sort((a, b) => a - b);
  const rows: [string, string, string, string, string][] = [
    ['bot RSS (steady / peak)', `${ours.rssMb.toFixed(0)} / ${ours.peakRssMb.toFixed(0)} MB`, `${floor.rssMb.toFixed(0)} / ${floor.peakRssMb.toFixed(0)} MB`, ratio(ours.rssMb, floor.rssMb), '≤ 150 MB'],
    ['event-loop lag p99, steady', ms(ours.lagSteady), ms(floor.lagSteady), ratio(ours.lagSteady, floor.lagSteady), '≤ 2× floor'],
    ['event-loop lag p99 whole run / max', `${ms(ours.lagWhole)} / ${ms(ours.lagMax)}`, `${ms(floor.lagWhole)} / ${ms(floor.lagMax)}`, ratio(ours.lagWhole, floor.lagWhole), '≤ 2× floor'],
    ['CPU per worker-second', `${ours.cpuMsPerWorkerSecond.toFixed(2)} ms`, `${floor.cpuMsPerWorkerSecond.toFixed(2)} ms`, ratio(ours.cpuMsPerWorkerSecond, floor.cpuMsPerWorkerSecond), '≤ 3× floor'],
    ['  of it while every worker ran', `${ours.cpuMsPerWorkerSecondSteady.toFixed(2)} ms`, `${floor.cpuMsPerWorkerSecondSteady.toFixed(2)} ms`, ratio(ours.cpuMsPerWorkerSecondSteady, floor.cpuMsPerWorkerSecondSteady), ''],
    ['status staleness p99', `${(quantile(stale, 0.99) / 1000).toFixed(1)} s`, `${pacingBound.toFixed(1)} s (even pacing)`, ratio(quantile(stale, 0.99) / 1000, pacingBound), '≤ 1.2×'],
    ['Slack 429s (fake enforcing tiers)', `${ours.limited}${ours.limitedBy ? ` (${ours.limitedBy})` : ''}`, '—', '', '0'],
    [`${n} requests → workers spawned (median / p95)`, `${s(quantile(spawnOurs, 0.5))} / ${s(quantile(spawnOurs, 0.95))}`, `${s(quantile(spawnFloor, 0.5))} / ${s(quantile(spawnFloor, 0.95))}`, ratio(quantile(spawnOurs, 0.5), quantile(spawnFloor, 0.5)), '≤ 1.2×'],
  ];
  console.log(`\n-- N=${n} workers, ${seconds} s${ours.unfinished ? `   (${ours.unfinished} statuses never showed their plan complete before the deadline)` : ''}`);
  console.log(`${'figure'.padEnd(46)}${'ours'.padEnd(20)}${'floor'.padEnd(26)}${'ratio'.padEnd(9)}goal`);
  for (const [name, a, b, r, goal] of rows) console.log(`${name.padEnd(46)}${a.padEnd(20)}${b.padEnd(26)}${r.padEnd(9)}${goal}`);
  if (ours.threads) console.log(`CPU by thread, ours (user+system ms): ${ours.threads}`);
  if (ours.spikes) console.log(`worst seconds of event-loop lag, ours (after the first request): ${ours.spikes}`);
  for (const [who, run] of [['ours', ours], ['floor', floor]] as const) {
    if (run.memory) console.log(`memory, ${who}: ${run.memory.idle ? `idle ${memoryText(run.memory.idle)}; ` : ''}steady ${memoryText(run.memory.steady)}; at peak ${memoryText(run.memory.peak)}`);
  }
}

const ms = (x: number): string => `${x.toFixed(1)} ms`;
const s = (x: number): string => `${(x / 1000).toFixed(2)} s`;
const ratio = (a: number, b: number): string => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : '');

function quantile(sorted: number[], q: number): number {
  const values = [...sorted].sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? NaN;
}

function median(values: number[]): number {
  return quantile(values, 0.5);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Distinct words per request, so every task gets its own id from its words. */
function words(i: number): string {
  const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
  return `${names[i % 10]} ${names[Math.floor(i / 10) % 10]} ${names[Math.floor(i / 100) % 10]}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seconds = Number(process.argv[2] ?? 60);
  const sizes = (process.argv[3] ?? '10,50,200').split(',').map(Number).filter((x) => Number.isInteger(x) && x > 0);
  await runManyWorkersBench(Number.isInteger(seconds) && seconds > 0 ? seconds : 60, sizes);
}
