import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerCommand } from '../../src/resolve/backend.js';
import { spawnWorker, type SpawnedWorker } from '../../src/runner/spawn.js';
import { TempDirs } from '../fixtures/fake-agent-support.js';

const command = (argv: string[]): WorkerCommand => ({ backend: 'x', model: 'm', argv, env: { FROM_COMMAND: 'yes' }, unset: [], promptAsLastArg: true, output: 'text' });

describe('starting a worker process', () => {
  const temp = new TempDirs();
  afterEach(() => temp.removeAll());

  it('runs it in its folder with the worker env, output in the log, and reports how it ended', async () => {
    const dir = temp.make('work');
    const log = join(dir, 'task.log');
    const started = (await spawnWorker(command(['sh', '-c', 'echo "$FROM_COMMAND $DISPATCH_TASK_ID $(pwd)"; exit 3']), dir, 'the prompt', log, 'exit-three', { PATH: process.env.PATH })) as SpawnedWorker;
    expect(started.pid).toBeGreaterThan(0);
    expect(await started.exited).toEqual({ exitCode: 3 });
    expect(readFileSync(log, 'utf8')).toContain(`yes exit-three ${dir}`);
  });

  it('says which signal ended it', async () => {
    const dir = temp.make('work');
    const started = (await spawnWorker(command(['sh', '-c', 'kill -TERM $$']), dir, 'p', join(dir, 'task.log'), 'signalled')) as SpawnedWorker;
    expect(await started.exited).toEqual({ exitCode: null, signal: 'SIGTERM' });
  });

  it('a CLI not on PATH, or a command line too long for the system, is a spawn error, not a crash', async () => {
    const dir = temp.make('work');
    expect(await spawnWorker(command(['no-such-agent-cli-here']), dir, 'p', join(dir, 'task.log'), 'missing')).toEqual({ exitCode: null, spawnError: 'ENOENT' });
    const huge = 'x'.repeat(4 * 1024 * 1024);
    expect(await spawnWorker(command(['sh', '-c', 'exit 0']), dir, huge, join(dir, 'task.log'), 'too-long')).toEqual({ exitCode: null, spawnError: 'E2BIG' });
  });
});
