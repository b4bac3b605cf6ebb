import { describe, expect, it } from 'vitest';
import { TaskSpec } from '../../src/task/index.js';
import { buildWorkerPrompt } from '../../src/runner/prompt.js';
import { taskPaths } from '../../src/runner/paths.js';

const spec = (more: Partial<TaskSpec> = {}): TaskSpec =>
  TaskSpec.parse({
    id: 'security-audit',
    goal: 'Audit the JWT handling',
    context: 'security is highest priority',
    rolePrompt: 'You are a security-focused reviewer.',
    repo: { name: 'app', path: '/srv/app' },
    worktree: false,
    model: 'opus',
    backend: 'claude',
    timeoutMs: 0,
    requester: 'U1',
    ...more,
  });
const paths = taskPaths('/srv/app', 'security-audit');

describe('the worker prompt', () => {
  it('puts the role prompt first, then the task, the shared context and the protocol', () => {
    const prompt = buildWorkerPrompt(spec(), paths);
    const order = ['You are a security-focused reviewer.', 'Audit the JWT handling', 'security is highest priority', 'Plan file: /srv/app/.dispatch/tasks/security-audit/plan.md'];
    const positions = order.map((p) => prompt.indexOf(p));
    expect(positions[0]).toBe(0);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(positions.every((p) => p >= 0)).toBe(true);
  });

  it('spells out the protocol: markers, notes, questions with answer and ack, giving up, output and .done', () => {
    const prompt = buildWorkerPrompt(spec(), paths);
    for (const part of ['`- [ ] item`', '`- [x] item`', '`- [?] item`', '`- [!] item`', '## Notes from the team', `${paths.ipc}/NNN.question`, `${paths.ipc}/NNN.answer`, `${paths.ipc}/NNN.done`, paths.context, paths.output, paths.done, 'atomically']) {
      expect(prompt).toContain(part);
    }
  });

  it('leaves out an empty role prompt and context', () => {
    const prompt = buildWorkerPrompt(spec({ rolePrompt: '', context: '' }), paths);
    expect(prompt.startsWith('## Your task (security-audit)')).toBe(true);
    expect(prompt).not.toContain('Context shared');
  });

  it('tells a successor to continue from the blocked item with plan.md, context.md and the answer', () => {
    const fresh = buildWorkerPrompt(spec(), paths);
    const resumed = buildWorkerPrompt(spec({ resume: true }), paths);
    expect(fresh).not.toContain('You are continuing this task');
    expect(resumed).toContain('You are continuing this task');
    expect(resumed).toContain('from the blocked item');
    expect(resumed).toContain(`read ${paths.plan} and ${paths.context}, and the answer in ${paths.ipc}/`);
  });
});
