import { describe, expect, it } from 'vitest';
import type { WorkerCommand } from '../../src/resolve/backend.js';
import { parseStat } from '../../src/runner/proc.js';
import { workerArgv, workerEnv } from '../../src/runner/spawn.js';

const command = (more: Partial<WorkerCommand>): WorkerCommand => ({ backend: 'x', model: 'm', argv: ['cli'], env: {}, unset: [], promptAsLastArg: true, output: 'text', ...more });

describe('worker argv', () => {
  it('fills {dir} and appends the prompt as the last argument', () => {
    expect(workerArgv(command({ argv: ['agent', '-p', '--workspace', '{dir}'] }), '/w', 'do it')).toEqual(['agent', '-p', '--workspace', '/w', 'do it']);
  });

  it('puts the prompt at {prompt} and does not append it again', () => {
    expect(workerArgv(command({ argv: ['gemini', '-p', '{prompt}', '--yolo'] }), '/w', 'do it')).toEqual(['gemini', '-p', 'do it', '--yolo']);
  });

  it('keeps a prompt with shell syntax as one argument', () => {
    const prompt = 'fix $(rm -rf /) && `x` ; | >';
    expect(workerArgv(command({ argv: ['claude', '-p'] }), '/w', prompt).at(-1)).toBe(prompt);
  });
});

describe('worker env', () => {
  it('drops the unset names, adds the command env, and marks the worker for its task', () => {
    const env = workerEnv(command({ unset: ['CLAUDECODE', 'SLACK_BOT_TOKEN'], env: { FOO: 'bar' } }), { PATH: '/bin', CLAUDECODE: '1', SLACK_BOT_TOKEN: 'xoxb' }, 'audit', 'DISPATCH_WORKER=audit-1');
    expect(env).toEqual({ PATH: '/bin', FOO: 'bar', DISPATCH_TASK_ID: 'audit', DISPATCH_WORKER: 'audit-1' });
  });
});

describe('/proc stat parsing', () => {
  it('reads state, parent, group and start time even when the command has spaces and parentheses', () => {
    const fields = ['S', '10', '42', '42', '0', '-1', '4194560', '0', '0', '0', '0', '0', '0', '0', '0', '20', '0', '1', '0', '987654'];
    expect(parseStat(`4321 (my (odd) cmd) ${fields.join(' ')} 0 0`)).toEqual({ pid: 4321, ppid: 10, pgid: 42, state: 'S', startTicks: 987654 });
  });
});
