import { describe, expect, it } from 'vitest';
import { renderStatus, renderStatusLine } from '../../src/dispatcher/render.js';
import type { TaskRecord } from '../../src/store/records.js';
import { PLAN_ITEMS_KEPT } from '../../src/task/index.js';

const NOW = 1_700_000_060_000;

function task(more: Partial<TaskRecord>): TaskRecord {
  return {
    id: 'list-files',
    spec: { id: 'list-files', goal: 'g', context: '', rolePrompt: '', repo: { name: 'app', path: '/srv/app' }, worktree: false, model: 'opus', backend: 'claude', timeoutMs: 0, requester: 'U1', resume: false },
    state: 'running',
    where: { surface: 'slack', channel: 'C1' },
    plan: [],
    createdAt: NOW - 60_000,
    updatedAt: NOW,
    ...more,
  };
}

describe('status of a task with a huge plan', () => {
  it('shows the items kept, counts all of them, and says the plan was truncated', () => {
    const plan = Array.from({ length: PLAN_ITEMS_KEPT }, (_, i) => ({ text: `Check file ${i + 1}`, mark: 'done' as const }));
    const reply = renderStatus(task({ plan, planTotal: 216_263, planDone: 1_000 }), NOW);
    expect(reply.checklist).toHaveLength(PLAN_ITEMS_KEPT);
    expect(reply.progress).toEqual({ done: 1_000, total: 216_263 });
    expect(reply.text).toContain('(plan truncated: 216,263 items; the first 100 are shown)');
    expect(renderStatusLine(task({ plan, planTotal: 216_263, planDone: 1_000 }), NOW)).toContain('1000/216263');
  });

  it('says nothing of truncation for a plan that was kept whole', () => {
    const reply = renderStatus(task({ plan: [{ text: 'a', mark: 'done' }, { text: 'b', mark: 'pending' }] }), NOW);
    expect(reply.progress).toEqual({ done: 1, total: 2 });
    expect(reply.text).not.toContain('truncated');
  });
});
