import type { Reply } from '../chat/reply.js';
import type { TaskSpec } from '../task/index.js';

const CATEGORY: Record<string, string> = {
  security: 'Security',
  perf: 'Performance',
  performance: 'Performance',
  frontend: 'Frontend',
  api: 'Docs',
  docs: 'Docs',
  error: 'Error handling',
  errors: 'Error handling',
  test: 'Tests',
  tests: 'Tests',
  architecture: 'Architecture',
};

function category(id: string): string {
  const first = id.split('-')[0] ?? id;
  return (Object.hasOwn(CATEGORY, first) ? CATEGORY[first] : undefined) ?? first.charAt(0).toUpperCase() + first.slice(1);
}

/** The goal on one line, short enough for a summary. */
export function oneLine(goal: string, max = 90): string {
  const flat = goal.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function taskLine(spec: TaskSpec): string {
  return `● **${spec.id}** — ${spec.model}${spec.worktree ? ' (worktree)' : ''}: ${oneLine(spec.goal)}`;
}

/** The grouped summary of a fan-out, as Dispatch shows it: by area, each task's id, model, worktree and goal. */
export function renderFanOut(specs: TaskSpec[]): Reply {
  const groups = new Map<string, TaskSpec[]>();
  for (const spec of specs) {
    const heading = `${category(spec.id)} (${spec.worktree ? 'worktree' : 'single worker'}):`;
    groups.set(heading, [...(groups.get(heading) ?? []), spec]);
  }
  const lines = [`All ${specs.length} workers dispatched. Here's the summary:`, ''];
  for (const [heading, members] of groups) lines.push(heading, ...members.map((s) => `  ${taskLine(s)}`), '');
  const models = new Set(specs.map((s) => s.model)).size;
  const worktrees = specs.filter((s) => s.worktree).length;
  lines.push(
    `All running in background. ${specs.length} workers, ${models} model${models === 1 ? '' : 's'}, ${worktrees} worktree${worktrees === 1 ? '' : 's'}.`,
    'Progress for each is below in this thread. Dispatch more work or say "status" anytime.',
  );
  return { text: lines.join('\n') };
}

export function renderSingle(spec: TaskSpec, splitHint?: string[]): Reply {
  const lines = [`Dispatching **${spec.id}** using **${spec.model}**${spec.worktree ? ' in a worktree' : ''}…`];
  if (splitHint && splitHint.length > 1) {
    lines.push(
      '',
      `You named ${splitHint.map((m) => `**${m}**`).join(' and ')}; this is ONE task using **${spec.model}** (the last model named).`,
      'For independent tasks with different models, dispatch them separately or as a numbered list.',
    );
  }
  return { text: lines.join('\n') };
}
