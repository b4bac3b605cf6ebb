import type { ActionOf } from '../chat/action.js';
import type { Button } from '../chat/reply.js';
import type { ForgeAction } from '../intent/index.js';
import type { TaskRecord } from '../store/records.js';
import { isFinal } from '../task/index.js';

/**
 * The forge's buttons, in one place: *Open PR*, *Push branch* and *Fix review*, each carrying the
 * task id. A press means the same as saying "open a PR", "push the branch" or "address the review
 * comments" in the task's thread.
 */
type ForgeButtonAction = ActionOf<'open-pr' | 'push-branch' | 'fix-review'>;

const MEANS: Record<ForgeButtonAction['type'], ForgeAction> = { 'open-pr': 'open-pr', 'push-branch': 'push', 'fix-review': 'fix-review' };

/** The forge action a press of one of these buttons means. */
export function forgeActionOf(action: ForgeButtonAction): ForgeAction {
  return MEANS[action.type];
}

export function forgeButton(type: ForgeButtonAction['type'], task: string, label: string, style?: Button['style']): Button {
  return { action: { type, task }, label, ...(style ? { style } : {}) };
}

/** A finished worktree task with commits: something a pull request could carry. */
export function canPublish(task: TaskRecord): boolean {
  return isFinal(task.state) && (task.worktree?.commits ?? 0) > 0;
}

/** What a finished task's status shows for its branch: open or push it, or address the review of its PR. */
export function forgeButtons(task: TaskRecord): Button[] {
  if (!canPublish(task)) return [];
  if (task.forge?.pullRequest) return [forgeButton('fix-review', task.id, 'Fix review')];
  return [forgeButton('open-pr', task.id, 'Open PR', 'primary'), forgeButton('push-branch', task.id, 'Push branch')];
}
