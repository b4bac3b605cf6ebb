import { UnknownTaskError } from '../errors/index.js';
import type { Where } from '../chat/inbound.js';
import type { TaskRecord } from '../store/records.js';
import type { Conversation } from './conversation.js';
import { nowOf, type DispatcherDeps } from './deps.js';
import { renderStatus, renderStatusLine } from './render.js';

const RECENT_FINISHED = 10;

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
  const lines = [`**${active.length} running**, ${finishedCount} finished in this channel.`];
  if (active.length) lines.push('', ...(await Promise.all(active.map(line))));
  if (finished.length) lines.push('', 'Recently finished:', ...(await Promise.all(finished.map(line))));
  await talk.answer({ text: lines.join('\n') });
}
