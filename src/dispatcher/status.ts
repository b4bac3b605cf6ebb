import { UnknownTaskError } from '../errors/index.js';
import type { Where } from '../chat/inbound.js';
import type { TaskRecord } from '../store/records.js';
import type { Conversation } from './conversation.js';
import { nowOf, type DispatcherDeps } from './deps.js';
import { isFinal } from '../task/index.js';
import { renderStatus, renderStatusLine } from './render.js';

const RECENT_FINISHED = 10;

/** `status <id>`: one task's status card, in place. */
export async function answerTaskStatus(deps: DispatcherDeps, talk: Conversation, task: TaskRecord): Promise<void> {
  await talk.answer(renderStatus(task, nowOf(deps)));
}

/** `status` lists the channel's tasks (active first, then the latest finished). */
export async function answerStatus(deps: DispatcherDeps, talk: Conversation, where: Where): Promise<void> {
  const now = nowOf(deps);
  const tasks = await deps.store.listTasks({ channel: where.channel, surface: where.surface });
  if (tasks.length === 0) {
    await talk.answer({ text: 'No tasks in this channel yet. Dispatch one with e.g. "use opus to review the auth module".' });
    return;
  }
  const active = tasks.filter((t) => !isFinal(t.state));
  const finished = tasks.filter((t) => isFinal(t.state)).slice(0, RECENT_FINISHED);
  const line = async (t: TaskRecord) => {
    const link = t.status && talk.surface.permalink ? await talk.surface.permalink(t.status) : undefined;
    return `${renderStatusLine(t, now)}${link ? ` · ${link}` : ''}`;
  };
  const lines = [`**${active.length} running**, ${tasks.length - active.length} finished in this channel.`];
  if (active.length) lines.push('', ...(await Promise.all(active.map(line))));
  if (finished.length) lines.push('', 'Recently finished:', ...(await Promise.all(finished.map(line))));
  await talk.answer({ text: lines.join('\n') });
}
