import { describe, expect, it } from 'vitest';
import { SavedTaskSpec, TaskEvent, transition, type TaskState } from '../../src/task/index.js';

const NOW = 1_700_000_000_000;

describe('transition', () => {
  it('remembers the runner whose worker it is', () => {
    expect(transition({ state: 'queued' }, { type: 'started', taskId: 't', pid: 7, dir: '/w', runner: 'r2' }, NOW)).toEqual({ state: 'running', pid: 7, dir: '/w', runner: 'r2' });
  });

  it('moves a task through its life: queued → running → waiting → running → done', () => {
    expect(transition({ state: 'queued' }, { type: 'started', taskId: 't', pid: 42, dir: '/w', branch: 'dispatch/t' }, NOW)).toEqual({
      state: 'running',
      pid: 42,
      dir: '/w',
      branch: 'dispatch/t',
    });
    expect(transition({ state: 'running' }, { type: 'question', taskId: 't', seq: '001', text: 'Which DB?' }, NOW)).toEqual({ state: 'waiting' });
    expect(transition({ state: 'waiting' }, { type: 'answered', taskId: 't', seq: '001' }, NOW)).toEqual({ state: 'running' });
    expect(transition({ state: 'running' }, { type: 'finished', taskId: 't', state: 'done', summary: 'All good' }, NOW)).toEqual({
      state: 'done',
      finishedAt: NOW,
      summary: 'All good',
    });
  });

  it('resumes only a blocked task, and an answer does not wake a blocked one', () => {
    expect(transition({ state: 'running' }, { type: 'gave-up', taskId: 't', seq: '001' }, NOW)).toEqual({ state: 'blocked' });
    expect(transition({ state: 'blocked' }, { type: 'answered', taskId: 't', seq: '001' }, NOW)).toEqual({});
    expect(transition({ state: 'blocked' }, { type: 'resumed', taskId: 't' }, NOW)).toEqual({ state: 'queued' });
    expect(transition({ state: 'running' }, { type: 'resumed', taskId: 't' }, NOW)).toEqual({});
  });

  it("counts a successor's usage on top of what the worker that gave up used", () => {
    const first = { inputTokens: 3000, outputTokens: 30, costUsd: 1.5, turns: 3 };
    const resumed = transition({ state: 'blocked', usage: first }, { type: 'resumed', taskId: 't' }, NOW);
    expect(resumed).toEqual({ state: 'queued', usageBefore: first });
    const own = { inputTokens: 1000, outputTokens: 10, costUsd: 0.5, turns: 1 };
    expect(transition({ state: 'running', usage: first, usageBefore: first }, { type: 'usage', taskId: 't', usage: own }, NOW)).toEqual({
      usage: { inputTokens: 4000, outputTokens: 40, costUsd: 2, turns: 4 },
    });
    // A task's first worker reports its own total as it is.
    expect(transition({ state: 'running' }, { type: 'usage', taskId: 't', usage: own }, NOW)).toEqual({ usage: own });
  });

  it('never brings a finished task back to life', () => {
    const finals: TaskState[] = ['done', 'failed', 'cancelled', 'timed_out', 'interrupted'];
    for (const state of finals) {
      expect(transition({ state }, { type: 'started', taskId: 't', pid: 1, dir: '/w' }, NOW)).toEqual({});
      expect(transition({ state }, { type: 'finished', taskId: 't', state: 'done' }, NOW)).toEqual({});
      expect(transition({ state }, { type: 'plan', taskId: 't', items: [{ text: 'x', mark: 'done' }] }, NOW)).toEqual({});
    }
  });
});

describe('task shapes', () => {
  it('keeps every field of an event that crosses a process boundary', () => {
    const event = {
      type: 'finished',
      taskId: 't',
      state: 'failed',
      exitCode: 1,
      summary: 's',
      logTail: 'l',
      worktree: { branch: 'dispatch/t', path: '/w', commits: 2, diffstat: ' 1 file changed' },
      failure: { cli: 'claude', reason: 'auth', detail: 'Not logged in' },
    };
    expect(TaskEvent.parse(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('reads a spec saved by a build that stored the whole worker command', () => {
    const saved = {
      id: 'audit',
      goal: 'g',
      repo: { name: 'app', path: '/srv/app' },
      worktree: false,
      command: { backend: 'claude', model: 'opus', argv: ['claude', '-p'] },
      timeoutMs: 0,
      requester: 'U1',
    };
    expect(SavedTaskSpec.parse(saved)).toMatchObject({ model: 'opus', backend: 'claude' });
    expect(SavedTaskSpec.parse(saved)).not.toHaveProperty('command');
  });
});
