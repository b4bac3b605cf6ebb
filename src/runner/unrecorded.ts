import { existsSync } from 'node:fs';
import type { TaskSpec } from '../task/index.js';
import type { WorkerRecord } from './files.js';
import { logPath } from './paths.js';
import { environOf, listProcesses } from './proc.js';
import { WORKER_MARKER_ENV } from './spawn.js';

/**
 * What became of a task submitted before the runner stopped, when no worker record says: the
 * runner writes the record just after starting the worker, and a stop in between leaves a worker
 * nobody knows of. `never-started` when no start was even attempted (the task's log, where the
 * start is noted first, does not exist): the task can simply be started. A record made up from the
 * running worker (the leader of its own process group, carrying the task's id) when one runs, to
 * adopt it. Undefined when it was started and is gone.
 */
export async function unrecordedWorker(spec: TaskSpec, dir: string, home: string): Promise<WorkerRecord | 'never-started' | undefined> {
  if (!existsSync(logPath(home, spec.id))) return 'never-started';
  const tag = `DISPATCH_TASK_ID=${spec.id}`;
  for (const p of await listProcesses()) {
    if (p.pid !== p.pgid || p.pid === process.pid) continue;
    const env = await environOf(p.pid);
    if (!env?.includes(tag)) continue;
    const marker = env.find((e) => e.startsWith(`${WORKER_MARKER_ENV}=`));
    return { pid: p.pid, pgid: p.pgid, startTicks: p.startTicks, ...(marker ? { marker } : {}), startedAt: Date.now(), dir, spec };
  }
  return undefined;
}
