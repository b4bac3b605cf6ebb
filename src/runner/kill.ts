import { setTimeout as sleep } from 'node:timers/promises';
import { findWorkerTree, groupHasMembers, idsStillOurs, isRunning, type ProcInfo, type WorkerTreeRoot } from './proc.js';

const POLL_MS = 50;
/** After SIGKILL the kernel needs a moment; past this we stop waiting rather than hang the caller. */
const KILL_WAIT_MS = 5_000;

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone (ESRCH) or not ours: nothing to do.
  }
}

async function signalAll(root: WorkerTreeRoot, procs: ProcInfo[], sig: NodeJS.Signals): Promise<void> {
  if (await idsStillOurs(root)) signal(-root.pgid, sig);
  for (const p of procs) signal(p.pid, sig);
}

async function stillRunning(procs: Map<number, ProcInfo>): Promise<ProcInfo[]> {
  const alive = await Promise.all([...procs.values()].map(async (p) => ((await isRunning(p.pid, p.startTicks)) ? p : undefined)));
  return alive.filter((p): p is ProcInfo => p !== undefined);
}

/** Wait until every known and newly found member of the tree is gone, or `ms` passes. */
async function waitGone(root: WorkerTreeRoot, known: Map<number, ProcInfo>, ms: number): Promise<ProcInfo[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    for (const p of await findWorkerTree(root)) known.set(p.pid, p);
    const alive = await stillRunning(known);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await sleep(POLL_MS);
  }
}

/**
 * Stop a worker and everything it started: SIGTERM to the group and every member found, then
 * SIGKILL to whatever is left after `graceMs`. Resolves when nothing of the tree runs.
 */
export async function killWorkerTree(root: WorkerTreeRoot, graceMs: number): Promise<void> {
  const known = new Map<number, ProcInfo>();
  for (const p of await findWorkerTree(root)) known.set(p.pid, p);
  // Nothing left of the tree (the usual end of a worker): no signal to send, nothing to wait for.
  if (known.size === 0 && !groupHasMembers(root.pgid)) return;
  await signalAll(root, [...known.values()], 'SIGTERM');
  let alive = await waitGone(root, known, graceMs);
  const deadline = Date.now() + KILL_WAIT_MS;
  while (alive.length > 0 && Date.now() < deadline) {
    await signalAll(root, alive, 'SIGKILL');
    alive = await waitGone(root, known, POLL_MS * 4);
  }
}
