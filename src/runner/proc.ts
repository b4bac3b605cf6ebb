import { readdir, readFile } from 'node:fs/promises';

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

export async function procInfo(pid: number): Promise<ProcInfo | undefined> {
  try {
    return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
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
 * Reads of /proc/<pid>/stat in flight at once during a scan. A few hundred at once filled the
 * thread pool's queue and held up every other file read of the bot (plan.md, logs).
 */
const SCAN_BATCH = 32;

let scans = 0;
/** How many whole-/proc scans this process has made (for tests and metrics). */
export function procScanCount(): number {
  return scans;
}

async function scanProcesses(): Promise<ProcInfo[]> {
  scans += 1;
  const names = (await readdir('/proc').catch(() => [] as string[])).filter((n) => /^\d+$/.test(n));
  const infos: (ProcInfo | undefined)[] = [];
  for (let i = 0; i < names.length; i += SCAN_BATCH) {
    infos.push(...(await Promise.all(names.slice(i, i + SCAN_BATCH).map((n) => procInfo(Number(n))))));
  }
  return infos.filter((i): i is ProcInfo => i !== undefined && i.state !== 'Z' && i.state !== 'X');
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

/** The process's environment as `NAME=value` entries; undefined when it is gone or not ours to read. */
export async function environOf(pid: number): Promise<string[] | undefined> {
  try {
    return (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
  } catch {
    return undefined;
  }
}

async function environHas(pid: number, marker: string): Promise<boolean> {
  return (await environOf(pid))?.includes(marker) ?? false;
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
    const marked = await Promise.all(others.map(async (p) => ((await environHas(p.pid, marker)) ? p : undefined)));
    for (const p of marked) if (p) found.set(p.pid, p);
  }
  found.delete(process.pid);
  return [...found.values()];
}
