import type { PlanItem } from '../chat/reply.js';
import type { Where } from '../chat/inbound.js';
import type { MessageRef } from '../chat/surface.js';
import type { TaskSpec, WorktreeReport, StartFailure } from '../queue/task.js';

export type TaskState =
  | 'queued'
  | 'running'
  | 'waiting' // a question is open
  | 'blocked' // the worker gave up waiting ([?]); an answer resumes it
  | 'done'
  | 'failed'
  | 'cancelled'
  | 'timed_out'
  | 'interrupted'; // the bot or host went away while it ran

export const FINAL_STATES: readonly TaskState[] = ['done', 'failed', 'cancelled', 'timed_out', 'interrupted'];

export interface TaskRecord {
  id: string;
  spec: TaskSpec;
  state: TaskState;
  /** Where the request was made; `where.thread` is the task's thread once posted. */
  where: Where;
  thread?: string;
  status?: MessageRef;
  /** The real model id the CLI reported, when it reported one. */
  reportedModel?: string;
  activity?: string;
  plan: PlanItem[];
  pid?: number;
  dir?: string;
  branch?: string;
  summary?: string;
  logTail?: string;
  worktree?: WorktreeReport;
  failure?: StartFailure;
  createdAt: number;
  updatedAt: number;
  finishedAt?: number;
}

/** A default-model confirmation waiting for the requester's press. */
export interface PendingConfirm {
  id: string;
  requester: string;
  where: Where;
  /** The request text as typed, re-resolved with the picked model on confirm. */
  text: string;
  model: string;
  createdAt: number;
  expiresAt: number;
  prompt?: MessageRef;
  /** Kind of pending prompt: a default confirm, a first-run default pick, a failed-start recovery. */
  purpose: 'confirm' | 'first-run' | 'recover';
}

export interface QuestionRecord {
  taskId: string;
  seq: string;
  text: string;
  askedAt: number;
  posted?: MessageRef;
  answer?: string;
  answeredAt?: number;
}
