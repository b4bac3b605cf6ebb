import { messageOf } from '../errors/index.js';
import type { TaskEvent } from '../task/index.js';
import type { TaskRecord } from '../store/records.js';
import { findName } from '../resolve/index.js';
import { postToTask } from './conversation.js';
import type { DispatcherDeps } from './deps.js';

/**
 * A model found by a family rule alone is on trial: the worker writing its plan (or finishing its
 * task) shows the CLI took it, and it joins the config; the CLI refusing it keeps it out (and takes
 * it out again if another task's trial put it in). Either way the thread is told.
 */
export async function settleTrial(deps: DispatcherDeps, task: TaskRecord, event: TaskEvent): Promise<void> {
  const trial = task.modelTrial;
  if (!trial) return;
  const { model, backend } = task.spec;
  const refused = event.type === 'finished' && event.failure?.reason === 'model';
  const taken = event.type === 'plan' || event.type === 'question' || (event.type === 'finished' && event.state === 'done');
  if (!refused && !taken && event.type !== 'finished') return;
  await deps.store.updateTask(task.id, { modelTrial: undefined });
  if (!refused && !taken) return; // finished for another reason (cancelled, auth): the model was never tried
  const configured = findName(deps.config.current(), model);
  try {
    if (taken) {
      if (!configured) await deps.config.apply([{ op: 'add-model', model, backend }]);
      await postToTask(deps, task, { text: `**${model}** works with ${trial.via}: added to config with ${backend} backend.` });
      return;
    }
    if (configured) await deps.config.apply([{ op: 'remove-model', model: configured }]);
    const detail = event.type === 'finished' ? (event.failure?.detail ?? '') : '';
    await postToTask(deps, task, { text: `${trial.via} does not take **${model}**${detail ? ` (${detail.slice(0, 200)})` : ''}: ${configured ? 'removed it from the config again' : 'it was not added to the config'}.` });
  } catch (error) {
    deps.log?.(`task ${task.id}: could not settle the trial of ${model}: ${messageOf(error)}`);
  }
}
