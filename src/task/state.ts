import { z } from 'zod';

/**
 * Where a task stands. One vocabulary for the dispatcher's records, the runner's runs and the
 * finish a runner reports.
 */
export const TaskState = z.enum([
  'queued',
  'running',
  /** A question is open. */
  'waiting',
  /** The worker gave up waiting (`[?]`); an answer resumes it with a successor. */
  'blocked',
  'done',
  'failed',
  'cancelled',
  'timed_out',
  /** The bot or its runner went away while it ran. */
  'interrupted',
]);
export type TaskState = z.infer<typeof TaskState>;

/** The states a task ends in. */
export const FinalState = TaskState.extract(['done', 'failed', 'cancelled', 'timed_out', 'interrupted']);
export type FinalState = z.infer<typeof FinalState>;

export const FINAL_STATES: readonly TaskState[] = FinalState.options;

export function isFinal(state: TaskState): state is FinalState {
  return FINAL_STATES.includes(state);
}

export function isActive(state: TaskState): boolean {
  return !isFinal(state);
}
