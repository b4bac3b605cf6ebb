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

export async function listProcesses(): Promise<ProcInfo[]> {
  const names = await readdir('/proc').catch(() => [] as string[]);
  const infos = await Promise.all(names.filter((n) => /^\d+$/.test(n)).map((n) => procInfo(Number(n))));
  return infos.filter((i): i is ProcInfo => i !== undefined && i.state !== 'Z' && i.state !== 'X');
}

async function environHas(pid: number, marker: string): Promise<boolean> {
  try {
    const env = await readFile(`/proc/${pid}/environ`, 'utf8');
    return env.split('\0').includes(marker);
  } catch {
    return false;
  }
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
