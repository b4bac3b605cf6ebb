import { readSync, readdirSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { readOpenFile } from './files.js';

/**
 * What /proc says about processes. Linux only: the runner needs it to find a worker's whole
 * tree, including descendants that left the worker's process group (setsid, double fork).
 */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  /** Start time in clock ticks since boot: with the pid it names one process, not a reused pid. */
  startTicks: number;
}

/** Parse `/proc/<pid>/stat`; the command name may contain spaces and parentheses. */
export function parseStat(text: string): ProcInfo | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number.parseInt(text.slice(0, text.indexOf(' ')), 10);
  // Fields after the command: state(3) ppid(4) pgrp(5) … starttime(22).
  const rest = text.slice(close + 2).split(' ');
  const [state, ppid, pgid] = rest;
  const startTicks = rest[19];
  if (state === undefined || ppid === undefined || pgid === undefined || startTicks === undefined) return undefined;
  return { pid, ppid: Number(ppid), pgid: Number(pgid), state, startTicks: Number(startTicks) };
}

/**
 * A /proc file read whole, synchronously, into `scratch` (a larger buffer is made when it does
 * not fit); undefined when it cannot be read. /proc files are made by the kernel on the read and
 * never wait on a disk. They say their size is 0, so a promise readFile reads each through a
 * 64 KB buffer of its own, in four hops to the thread pool: a scan of a thousand processes cost
 * 64 MB of garbage and most of a finishing worker's CPU.
 */
function readProcFile(path: string, scratch: { buffer: Buffer }): string | undefined {
  return readOpenFile(path, (fd) => {
    let length = 0;
    for (;;) {
      if (length === scratch.buffer.length) {
        const larger = Buffer.allocUnsafe(scratch.buffer.length * 2);
        scratch.buffer.copy(larger, 0, 0, length);
        scratch.buffer = larger;
      }
      const read = readSync(fd, scratch.buffer, length, scratch.buffer.length - length, null);
      if (read === 0) return scratch.buffer.toString('utf8', 0, length);
      length += read;
    }
  });
}

/** Room for a /proc/<pid>/stat line (about 300 bytes); a longer one gets a larger buffer. */
const STAT_BYTES = 1024;

function statOf(pid: number, scratch: { buffer: Buffer }): ProcInfo | undefined {
  const text = readProcFile(`/proc/${pid}/stat`, scratch);
  return text === undefined ? undefined : parseStat(text);
}

export async function procInfo(pid: number): Promise<ProcInfo | undefined> {
  return statOf(pid, { buffer: Buffer.allocUnsafe(STAT_BYTES) });
}

/**
 * Whether any process is left in the group (a signal 0 checks without sending). A zombie
 * still counts until its parent reaps it, which errs on the side of looking closer.
 */
export function groupHasMembers(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Alive and not a zombie (a zombie has exited; only its parent's bookkeeping is left). */
export async function isRunning(pid: number, startTicks?: number): Promise<boolean> {
  const info = await procInfo(pid);
  if (!info || info.state === 'Z' || info.state === 'X') return false;
  return startTicks === undefined || info.startTicks === startTicks;
}

/**
 * Processes read in one turn of the event loop during a scan: the reads are synchronous (a few
 * microseconds each), and a thousand at once would hold up everything else for milliseconds.
 */
const SCAN_BATCH = 100;

let scans = 0;
/** How many whole-/proc scans this process has made (for tests and metrics). */
export function procScanCount(): number {
  return scans;
}
/** How often a search for a worker's marker has read this live process's environment (for tests). */
export function markerReadsOf(pid: number): number {
  let reads = 0;
  for (const seen of environSeen.values()) if (seen.pid === pid) reads += seen.reads;
  return reads;
}

async function scanProcesses(): Promise<ProcInfo[]> {
  scans += 1;
  const names = listProc();
  const scratch = { buffer: Buffer.allocUnsafe(STAT_BYTES) };
  const found: ProcInfo[] = [];
  for (let i = 0; i < names.length; i += 1) {
    if (i > 0 && i % SCAN_BATCH === 0) await nextTurn();
    const info = statOf(Number(names[i]), scratch);
    if (info !== undefined && info.state !== 'Z' && info.state !== 'X') found.push(info);
  }
  forgetGone(found);
  return found;
}

function listProc(): string[] {
  try {
    return readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
}

let inFlight: Promise<ProcInfo[]> | undefined;
let queued: Promise<ProcInfo[]> | undefined;

/**
 * Every live process. Callers at the same time share one scan, so fifty workers finishing at
 * once cost two scans, not fifty. A caller never joins a scan that had already begun: it may
 * have passed over a process started just before the call, so the caller waits for the next
 * one, which every caller arriving meanwhile shares.
 */
export function listProcesses(): Promise<ProcInfo[]> {
  if (!inFlight) return startScan();
  queued ??= inFlight
    .catch(() => undefined)
    .then(() => {
      queued = undefined;
      // A scan begun since the last one ended began after these callers asked: joining it is safe.
      return inFlight ?? startScan();
    });
  return queued;
}

function startScan(): Promise<ProcInfo[]> {
  const scan = scanProcesses().finally(() => {
    if (inFlight === scan) inFlight = undefined;
  });
  inFlight = scan;
  return scan;
}

/** Room for a typical environment; a larger one gets a larger buffer. */
const ENVIRON_BYTES = 16 * 1024;

/** The process's environment as `NAME=value` entries; undefined when it is gone or not ours to read. */
export async function environOf(pid: number): Promise<string[] | undefined> {
  return readProcFile(`/proc/${pid}/environ`, { buffer: Buffer.allocUnsafe(ENVIRON_BYTES) })?.split('\0');
}

/**
 * What each process's environment held under a name (its `NAME=…` entries), by process (pid and
 * start time), for the names looked for. A process keeps the environment it started with (an
 * exec passes it on unless told otherwise), so it is read once, not again at every worker's
 * end (each end looks at every process started after its worker: with 200 workers, 200
 * environments of several KB apiece). A process gone from a scan is forgotten.
 */
const environSeen = new Map<string, { pid: number; reads: number; names: Map<string, readonly string[]> }>();

const processKey = (p: ProcInfo): string => `${p.pid}:${p.startTicks}`;

function forgetGone(live: readonly ProcInfo[]): void {
  if (environSeen.size === 0) return;
  const alive = new Set(live.map(processKey));
  for (const key of environSeen.keys()) if (!alive.has(key)) environSeen.delete(key);
}

function environHas(p: ProcInfo, marker: string, scratch: { buffer: Buffer }): boolean {
  const name = marker.slice(0, marker.indexOf('=') + 1);
  let seen = environSeen.get(processKey(p));
  let entries = seen?.names.get(name);
  if (entries === undefined) {
    const env = readProcFile(`/proc/${p.pid}/environ`, scratch);
    // Unreadable (gone, or not ours): not remembered, so a later look reads it again.
    if (env === undefined) return false;
    entries = env.split('\0').filter((e) => e.startsWith(name));
    if (!seen) environSeen.set(processKey(p), (seen = { pid: p.pid, reads: 0, names: new Map() }));
    seen.reads += 1;
    seen.names.set(name, entries);
  }
  return entries.includes(marker);
}

export interface WorkerTreeRoot {
  pid: number;
  pgid: number;
  /** Tells the worker from a later process that got its pid. */
  startTicks?: number;
  /** `NAME=value` set in the worker's environment; inherited by every descendant that keeps its env. */
  marker?: string;
}

/**
 * Whether the worker's pid and group id still mean the worker. While the worker or any member
 * of its group exists the kernel does not hand those ids out again; only when the pid now names
 * a different process (another start time) are they someone else's.
 */
export async function idsStillOurs(root: WorkerTreeRoot): Promise<boolean> {
  const info = await procInfo(root.pid);
  return info === undefined || root.startTicks === undefined || info.startTicks === root.startTicks;
}

/**
 * Every live process that belongs to a worker: its process group, its descendants by parent
 * link, and anything carrying the worker's env marker (a grandchild re-parented to init after
 * leaving the group is only found that way). Never includes this process.
 */
export async function findWorkerTree(root: WorkerTreeRoot): Promise<ProcInfo[]> {
  const all = await listProcesses();
  const found = new Map<number, ProcInfo>();
  const ours = await idsStillOurs(root);
  if (ours) for (const p of all) if (p.pid === root.pid || p.pgid === root.pgid) found.set(p.pid, p);
  // The root may already be a zombie (exited, not yet reaped) while its children run on.
  const parents = new Set(ours ? [root.pid, ...found.keys()] : []);
  let grew = parents.size > 0;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!found.has(p.pid) && parents.has(p.ppid)) {
        parents.add(p.pid);
        found.set(p.pid, p);
        grew = true;
      }
    }
  }
  if (root.marker) {
    const marker = root.marker;
    // A descendant started after the worker did: only those can carry its marker, so the
    // environment of every older process (the system, the bot, earlier workers) is never read.
    const since = root.startTicks ?? 0;
    const others = all.filter((p) => !found.has(p.pid) && p.pid !== process.pid && p.startTicks >= since);
    const scratch = { buffer: Buffer.allocUnsafe(ENVIRON_BYTES) };
    for (let i = 0; i < others.length; i += 1) {
      if (i > 0 && i % SCAN_BATCH === 0) await nextTurn();
      const p = others[i] as ProcInfo;
      if (environHas(p, marker, scratch)) found.set(p.pid, p);
    }
  }
  found.delete(process.pid);
  return [...found.values()];
}
