import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readWorkerRecord } from './files.js';
import { killWorkerTree } from './kill.js';
import { legacyWorkerRecordPath, workerRecordPath, workersDir } from './paths.js';
import { isRunning } from './proc.js';
import { DEFAULT_RUNNER_ID } from './runner-id.js';

/** The worker records of one runner under DISPATCH_HOME (`workers/<runner-id>/<task-id>.json`). */
export class WorkerRecords {
  constructor(
    private readonly home: string,
    private readonly runnerId: string,
  ) {}

  path(taskId: string): string {
    return workerRecordPath(this.home, this.runnerId, taskId);
  }

  /**
   * Take over a record of the flat layout earlier versions wrote, for a task this runner is told
   * is its own. A rename: when two runners reach for one record, only one gets it.
   */
  async claimLegacy(taskId: string): Promise<void> {
    const legacy = legacyWorkerRecordPath(this.home, taskId);
    if (!existsSync(legacy)) return;
    await mkdir(workersDir(this.home, this.runnerId), { recursive: true });
    // ENOENT: another runner claimed it first.
    await rename(legacy, this.path(taskId)).catch(() => undefined);
  }

  /**
   * Kill the recorded workers of this runner whose task is not `keep`, and drop their records.
   * Only this runner's directory is read: another runner's workers on the same DISPATCH_HOME are
   * never its business. The flat layout of earlier versions held no runner id; only the default
   * runner of a single-process bot, which wrote it, takes it over.
   */
  async reap(keep: (taskId: string) => boolean, graceMs: number): Promise<string[]> {
    const reaped: string[] = [];
    const own = workersDir(this.home, this.runnerId);
    for (const taskId of await recordIds(own)) {
      if (keep(taskId)) continue;
      if (await killRecorded(join(own, `${taskId}.json`), graceMs)) reaped.push(taskId);
    }
    if (this.runnerId !== DEFAULT_RUNNER_ID) return reaped;
    for (const taskId of await recordIds(join(this.home, 'workers'))) {
      if (keep(taskId)) await this.claimLegacy(taskId);
      else if (await killRecorded(legacyWorkerRecordPath(this.home, taskId), graceMs)) reaped.push(taskId);
    }
    return reaped;
  }
}

async function recordIds(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => e.name.replace(/\.json$/, ''));
}

/** Kill the worker a record names if it still runs; the record goes either way. Says whether it ran. */
async function killRecorded(path: string, graceMs: number): Promise<boolean> {
  const record = await readWorkerRecord(path);
  const ran = record !== undefined && (await isRunning(record.pid, record.startTicks));
  if (record && ran) await killWorkerTree(record, graceMs);
  await rm(path, { force: true });
  return ran;
}
