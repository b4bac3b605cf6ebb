import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { findWorkerTree, listProcesses, markerReadsOf, procInfo, procScanCount } from '../../src/runner/proc.js';

const children: ChildProcess[] = [];

function sleeper(env?: NodeJS.ProcessEnv): ChildProcess {
  // Its own process group, as a worker has.
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore', ...(env ? { env } : {}) });
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

  it('reads the environment of a process once, however many workers ends look for their marker', async () => {
    const name = `PROC_SCAN_TEST_MARKER_${process.pid}`;
    const workers = Array.from({ length: 3 }, (_, i) => ({ child: sleeper({ ...process.env, [name]: `w${i}` }), marker: `${name}=w${i}` }));
    const roots = await Promise.all(workers.map(async ({ child, marker }) => ({ pid: child.pid!, pgid: child.pid!, startTicks: (await procInfo(child.pid!))?.startTicks, marker })));
    // Each worker's end looks at the workers started after it (or in the same clock tick): the
    // third is a candidate for both others, in both rounds, and is read once.
    const trees = [];
    for (let round = 0; round < 2; round++) for (const root of roots) trees.push(await findWorkerTree(root));
    expect(markerReadsOf(workers[2]!.child.pid!)).toBe(1);
    expect(workers.map(({ child }) => markerReadsOf(child.pid!) <= 1)).toEqual([true, true, true]);
    trees.forEach((tree, i) => expect(tree.map((p) => p.pid)).toEqual([workers[i % 3]!.child.pid]));
  });
});
