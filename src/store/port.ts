import type { Inbound } from '../chat/inbound.js';
import type { AcceptedRequest, PendingConfirm, QuestionRecord, TaskRecord } from './records.js';

/**
 * Durable state of the bot: survives restarts. SQLite by default, Redis at scale.
 * Every method is safe to call concurrently from one process.
 */
export interface TaskStore {
  putTask(task: TaskRecord): Promise<void>;
  getTask(id: string): Promise<TaskRecord | undefined>;
  /** Merge `patch` into the task (updatedAt set by the store) and return the result. */
  updateTask(id: string, patch: Partial<Omit<TaskRecord, 'id'>>): Promise<TaskRecord | undefined>;
  /** Tasks of a channel (newest first, at most `limit`, created since `createdSince`); all tasks when channel is omitted. */
  listTasks(filter?: { channel?: string; surface?: string; active?: boolean; createdSince?: number; limit?: number }): Promise<TaskRecord[]>;
  /** How many tasks listTasks would list without a limit, without reading them. */
  countTasks(filter?: { channel?: string; surface?: string; active?: boolean }): Promise<number>;
  /** Tasks posted in a thread (a fan-out puts several in one). */
  tasksInThread(surface: string, thread: string): Promise<TaskRecord[]>;
  /** True when the id is taken by a task stored (one removed by `removeFinishedTasks` frees its id). */
  hasTask(id: string): Promise<boolean>;
  /**
   * Remove the tasks that finished before `before` (ms) and whose final state has been shown
   * (task-rules `retiredBefore`), with their thread entries and questions; returns what was removed.
   * An active task, or one whose final status edit is still owed, is never removed.
   */
  removeFinishedTasks(before: number): Promise<TaskRecord[]>;

  putPending(pending: PendingConfirm): Promise<void>;
  getPending(id: string): Promise<PendingConfirm | undefined>;
  /** Remove and return the pending prompt; exactly one concurrent caller gets it. */
  takePending(id: string): Promise<PendingConfirm | undefined>;
  /** Every pending prompt still stored (after a restart, each is due to expire or be answered). */
  listPending(): Promise<PendingConfirm[]>;

  putQuestion(q: QuestionRecord): Promise<void>;
  /** Record the answer once; false when it was already answered. */
  answerQuestion(taskId: string, seq: string, answer: string): Promise<boolean>;
  openQuestions(taskId?: string): Promise<QuestionRecord[]>;

  getUserDefault(user: string): Promise<string | undefined>;
  setUserDefault(user: string, model: string): Promise<void>;

  /** First sighting of a delivery key returns true; repeats within `ttlMs` return false. */
  firstDelivery(key: string, ttlMs: number): Promise<boolean>;

  /**
   * In one write: claim every delivery key (as firstDelivery does) and, when all were new, keep
   * the request (under its `deliveryId`, when it has one) until `finishRequest`. False: a
   * repeat delivery; nothing is kept.
   */
  acceptRequest(keys: readonly string[], request: Inbound, ttlMs: number): Promise<boolean>;
  finishRequest(id: string): Promise<void>;
  /** Requests accepted and never finished (the bot stopped while handling them), oldest first. */
  unfinishedRequests(): Promise<AcceptedRequest[]>;

  close(): Promise<void>;
}
