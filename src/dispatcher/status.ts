import { UnknownTaskError } from '../errors/index.js';
import type { Where } from '../chat/inbound.js';
import type { TaskRecord } from '../store/records.js';
import type { Conversation } from './conversation.js';
import { nowOf, type DispatcherDeps } from './deps.js';
import { renderStatus, renderStatusLine } from './render.js';
import { hasStats } from '../queue/stats.js';
import { dollars, dayStart, spentToday } from './cost.js';
import type { Right } from './access.js';

const RECENT_FINISHED = 10;

/** `status all` shows every channel's tasks, so it is an admin's. */
export const SEE_ALL: Right = { kind: 'admin', what: 'see the tasks of every channel' };

/** `status <id>`: one task's status card, in place. */
export async function answerTaskStatus(deps: DispatcherDeps, talk: Conversation, task: TaskRecord): Promise<void> {
  await talk.answer(renderStatus(task, nowOf(deps)));
}

/** `status` lists the channel's tasks (active first, then the latest finished). */
export async function answerStatus(deps: DispatcherDeps, talk: Conversation, where: Where): Promise<void> {
  const now = nowOf(deps);
  // Active tasks and the newest finished ones only: a channel's history can run to thousands.
  const scope = { channel: where.channel, surface: where.surface };
  const [active, finished, finishedCount] = await Promise.all([
    deps.store.listTasks({ ...scope, active: true }),
    deps.store.listTasks({ ...scope, active: false, limit: RECENT_FINISHED }),
    deps.store.countTasks({ ...scope, active: false }),
  ]);
  if (active.length === 0 && finishedCount === 0) {
    await talk.answer({ text: 'No tasks in this channel yet. Dispatch one with e.g. "use opus to review the auth module".' });
    return;
  }
  const line = async (t: TaskRecord) => {
    const link = t.status && talk.surface.permalink ? await talk.surface.permalink(t.status) : undefined;
    return `${renderStatusLine(t, now)}${link ? ` · ${link}` : ''}`;
  };
  const today = spentToday(await deps.store.listTasks({ ...scope, createdSince: dayStart(now) }), now);
  const lines = [`**${active.length} running**, ${finishedCount} finished in this channel.${today > 0 ? ` Spent today: ${dollars(today)}.` : ''}`];
  if (active.length) lines.push('', ...(await Promise.all(active.map(line))));
  if (finished.length) lines.push('', 'Recently finished:', ...(await Promise.all(finished.map(line))));
  await talk.answer({ text: lines.join('\n') });
}

/** Tasks not on any runner yet (queued before a runner took them) are listed under this heading. */
const NO_RUNNER = 'waiting for a runner';

/**
 * `status all`: every channel's active tasks grouped by the runner holding each, the queue's
 * load when it can count it, then the latest finished (with the runner that ran each).
 */
export async function answerStatusAll(deps: DispatcherDeps, talk: Conversation): Promise<void> {
  const now = nowOf(deps);
  const [active, finished, finishedCount] = await Promise.all([
    deps.store.listTasks({ active: true }),
    deps.store.listTasks({ active: false, limit: RECENT_FINISHED }),
    deps.store.countTasks({ active: false }),
  ]);
  const byRunner = new Map<string, TaskRecord[]>();
  for (const t of active) {
    const runner = t.state === 'queued' && !t.pid ? NO_RUNNER : (t.runner ?? NO_RUNNER);
    byRunner.set(runner, [...(byRunner.get(runner) ?? []), t]);
  }
  const lines = [`**${active.length} active** in every channel, ${finishedCount} finished.`];
  if (hasStats(deps.queue)) {
    const { runnersUp, depth, running } = await deps.queue.stats();
    lines.push(`Runners up: ${runnersUp} · workers running: ${running} · waiting for a runner: ${depth}`);
  }
  const runners = [...byRunner.keys()].sort((a, b) => (a === NO_RUNNER ? 1 : b === NO_RUNNER ? -1 : a.localeCompare(b)));
  for (const runner of runners) {
    const held = byRunner.get(runner) ?? [];
    lines.push('', runner === NO_RUNNER ? `${NO_RUNNER} (${held.length}):` : `runner **${runner}** (${held.length}):`, ...held.map((t) => renderStatusLine(t, now)));
  }
  if (finished.length) lines.push('', 'Recently finished:', ...finished.map((t) => `${renderStatusLine(t, now)}${t.runner ? ` · ran on ${t.runner}` : ''}`));
  await talk.answer({ text: lines.join('\n') });
}
