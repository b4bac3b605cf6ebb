import type { Inbound } from '../chat/inbound.js';
import { decodeRecord, encodeRecord, reportToConsole, type CorruptRowReporter } from './codec.js';
import type { TaskStore } from './port.js';
import { AcceptedRequest, PendingConfirm, QuestionRecord, TaskRecord } from './records.js';
import { matchesFilter, mergeTask, newestFirst, oldestFirst, retiredBefore, threadsOf, type TaskFilter } from './task-rules.js';

/**
 * What a memory store keeps. Open two stores on one state and the second sees what the first
 * wrote, as a bot restarted on the same SQLite file or Redis prefix would.
 */
export interface MemoryState {
  tasks: Map<string, string>;
  pending: Map<string, string>;
  questions: Map<string, string>;
  userDefaults: Map<string, string>;
  /** Delivery key → when its claim expires (ms). */
  deliveries: Map<string, number>;
  requests: Map<string, string>;
}

export function memoryState(): MemoryState {
  return { tasks: new Map(), pending: new Map(), questions: new Map(), userDefaults: new Map(), deliveries: new Map(), requests: new Map() };
}

/**
 * The TaskStore in memory, for tests and for trying the bot out: nothing survives the process.
 * Records are kept as the JSON the other stores write, so every read is a fresh copy and a
 * record that could not be read back is refused here as it would be there.
 */
export function openMemoryStore(state: MemoryState = memoryState(), report: CorruptRowReporter = reportToConsole): TaskStore {
  const readTask = (id: string, raw: string | undefined): TaskRecord | undefined => (raw === undefined ? undefined : decodeRecord(TaskRecord, `task ${id}`, raw, report));
  const allTasks = (): TaskRecord[] => [...state.tasks].flatMap(([id, raw]) => readTask(id, raw) ?? []);
  const readPending = (id: string): PendingConfirm | undefined => {
    const raw = state.pending.get(id);
    return raw === undefined ? undefined : decodeRecord(PendingConfirm, `pending ${id}`, raw, report);
  };
  const readQuestions = (): QuestionRecord[] => [...state.questions].flatMap(([key, raw]) => decodeRecord(QuestionRecord, `question ${key}`, raw, report) ?? []);
  const claimed = (key: string, now: number): boolean => (state.deliveries.get(key) ?? 0) > now;
  return {
    async putTask(task) {
      state.tasks.set(task.id, encodeRecord(TaskRecord, `task ${task.id}`, task));
    },
    async getTask(id) {
      return readTask(id, state.tasks.get(id));
    },
    async updateTask(id, patch) {
      const prev = readTask(id, state.tasks.get(id));
      if (!prev) return undefined;
      const next = mergeTask(prev, patch, Date.now());
      state.tasks.set(id, encodeRecord(TaskRecord, `task ${id}`, next));
      return next;
    },
    async listTasks(filter: TaskFilter = {}) {
      return allTasks().filter((task) => matchesFilter(task, filter)).sort(newestFirst).slice(0, filter.limit);
    },
    async countTasks(filter: TaskFilter = {}) {
      return allTasks().filter((task) => matchesFilter(task, filter)).length;
    },
    async tasksInThread(surface, thread) {
      return allTasks().filter((task) => threadsOf(task).some((t) => t.surface === surface && t.thread === thread)).sort(oldestFirst);
    },
    async hasTask(id) {
      return state.tasks.has(id);
    },
    async removeFinishedTasks(before) {
      const removed = allTasks().filter((task) => retiredBefore(task, before));
      for (const task of removed) {
        state.tasks.delete(task.id);
        for (const key of [...state.questions.keys()]) if (key.startsWith(`${task.id}/`)) state.questions.delete(key);
      }
      return removed;
    },
    async putPending(pending) {
      state.pending.set(pending.id, encodeRecord(PendingConfirm, `pending ${pending.id}`, pending));
    },
    async getPending(id) {
      return readPending(id);
    },
    async takePending(id) {
      const pending = readPending(id);
      state.pending.delete(id);
      return pending;
    },
    async listPending() {
      return [...state.pending.keys()].flatMap((id) => readPending(id) ?? []).sort((a, b) => a.expiresAt - b.expiresAt);
    },
    async putQuestion(q) {
      const key = `${q.taskId}/${q.seq}`;
      const stored = state.questions.get(key);
      const kept = stored === undefined ? undefined : decodeRecord(QuestionRecord, `question ${key}`, stored, report);
      // An answer once recorded is kept when the question is stored again (re-asked after a restart).
      const merged = kept?.answer !== undefined ? { ...q, answer: kept.answer, ...(kept.answeredAt !== undefined ? { answeredAt: kept.answeredAt } : {}) } : q;
      state.questions.set(key, encodeRecord(QuestionRecord, `question ${key}`, merged));
    },
    async answerQuestion(taskId, seq, answer) {
      const key = `${taskId}/${seq}`;
      const stored = state.questions.get(key);
      const q = stored === undefined ? undefined : decodeRecord(QuestionRecord, `question ${key}`, stored, report);
      if (!q || q.answer !== undefined) return false;
      state.questions.set(key, encodeRecord(QuestionRecord, `question ${key}`, { ...q, answer, answeredAt: Date.now() }));
      return true;
    },
    async openQuestions(taskId) {
      return readQuestions()
        .filter((q) => q.answer === undefined && (taskId === undefined || q.taskId === taskId))
        .sort((a, b) => a.askedAt - b.askedAt || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : a.seq < b.seq ? -1 : 1));
    },
    async getUserDefault(user) {
      return state.userDefaults.get(user);
    },
    async setUserDefault(user, model) {
      state.userDefaults.set(user, model);
    },
    async firstDelivery(key, ttlMs) {
      const now = Date.now();
      if (claimed(key, now)) return false;
      state.deliveries.set(key, now + Math.max(1, Math.ceil(ttlMs)));
      return true;
    },
    async acceptRequest(keys: readonly string[], request: Inbound, ttlMs: number) {
      const now = Date.now();
      if (keys.some((key) => claimed(key, now))) return false;
      for (const key of keys) state.deliveries.set(key, now + Math.max(1, Math.ceil(ttlMs)));
      const id = request.deliveryId;
      if (id !== undefined) state.requests.set(id, encodeRecord(AcceptedRequest, `request ${id}`, { id, request, acceptedAt: now }));
      return true;
    },
    async finishRequest(id) {
      state.requests.delete(id);
    },
    async unfinishedRequests() {
      return [...state.requests]
        .flatMap(([id, raw]) => decodeRecord(AcceptedRequest, `request ${id}`, raw, report) ?? [])
        .sort((a, b) => a.acceptedAt - b.acceptedAt || (a.id < b.id ? -1 : 1));
    },
    async close() {},
  };
}
