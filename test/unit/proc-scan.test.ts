import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { findWorkerTree, listProcesses, procScanCount } from '../../src/runner/proc.js';

const children: ChildProcess[] = [];

function sleeper(): ChildProcess {
  // Its own process group, as a worker has.
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  children.push(child);
  return child;
}

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe('the /proc scan', () => {
  it('is shared by workers that finish at the same time', async () => {
    const workers = Array.from({ length: 20 }, () => sleeper());
    const before = procScanCount();
    const trees = await Promise.all(workers.map((w) => findWorkerTree({ pid: w.pid!, pgid: w.pid! })));
    // One scan under way when the first asked, one more for everyone who asked meanwhile.
    expect(procScanCount() - before).toBeLessThanOrEqual(2);
    trees.forEach((tree, i) => expect(tree.map((p) => p.pid)).toEqual([workers[i]!.pid]));
  });

  it('never hands a caller a scan begun before it asked', async () => {
    const first = listProcesses();
    const late = sleeper();
    const seen = await listProcesses();
    await first;
    expect(seen.map((p) => p.pid)).toContain(late.pid);
  });
});
