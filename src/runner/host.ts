import { join } from 'node:path';
import { ForgeError, UnknownTaskError, messageOf } from '../errors/index.js';
import { BranchTarget, TaskSpec, isFinal, type BranchPush, type FilesRemoved, type TaskControl, type TaskEvent, type TaskEventListener, type TaskFiles } from '../task/index.js';
import type { Backend, WorkerCommand } from '../resolve/backend.js';
import { readText, readWorkerRecord, writeAtomic } from './files.js';
import { KeyedLock } from '../util/keyed-lock.js';
import { systemClock, type Clock } from '../util/clock.js';
import { tailLog } from './log.js';
import { SEQ, assertTaskId, logPath, taskPaths, worktreePath } from './paths.js';
import { isRunning } from './proc.js';
import { WorkerRecords } from './records.js';
import { DEFAULT_RUNNER_ID, RunnerId } from './runner-id.js';
import { TaskRun } from './task-run.js';
import { WorkerSlots } from './slots.js';
import { unrecordedWorker } from './unrecorded.js';
import { pushBranch } from './push.js';
import { removeWorktree } from './worktree.js';
import { removeTaskFiles } from './retention.js';

export interface RunnerHostOptions {
  /** DISPATCH_HOME: logs and the registry of running workers live here. */
  home: string;
  /**
   * This runner's name (DISPATCH_RUNNER_ID; default `local`, the runner inside a single-process
   * bot). Its worker records live under `workers/<runner-id>/`: a host restarted with the same
   * id re-adopts them, and hosts with other ids on the same DISPATCH_HOME never touch them.
   */
  runnerId?: string;
  backendFor: (name: string) => Backend;
  /**
   * The command that runs a task, built from this host's own config and env (a task never
   * carries a command line). Throwing fails the task with the message.
   */
  commandFor: (spec: TaskSpec) => WorkerCommand;
  /** Workers running at once on this host (0 = no limit). */
  concurrency: number;
  /** Workers running at once per backend name; a backend not listed is limited by the host only. */
  perBackend: Record<string, number>;
  /**
   * Between SIGTERM and SIGKILL when a worker is stopped (default 3 s). A function is asked each
   * time a task is taken on, so a config edit reaches the next task.
   */
  killGraceMs?: number | (() => number);
  /** How often an adopted worker's pid is checked (default 250 ms). */
  pollMs?: number;
  /**
   * How often a task's files are looked at besides fs.watch (default 5 s): fs.watch brings every
   * change; a 250 ms poll of every task cost a fifth of the bot's CPU at 200 workers.
   */
  safetyPollMs?: number;
  /** The environment workers start from (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Time as task timeouts read it (default: the system clock; a test moves it instead of waiting). */
  clock?: Clock;
}

/** A task as the store remembers it, handed back to a host after a restart. */
export interface RecoverableTask {
  spec: TaskSpec;
  /** The task's working directory when known (repo or worktree); derived from the spec otherwise. */
  dir?: string;
  /**
   * Submitted and never seen running. Without a worker record its worker never started (the bot
   * stopped first): it is started now rather than reported interrupted.
   */
  queued?: boolean;
}

/**
 * The workers of one host: it starts, watches, stops and reports them. It knows nothing of the
 * queue in front of it (in-process or BullMQ), which hands it tasks and forwards its events.
 */
export interface RunnerHost extends TaskControl {
  /** Remove a finished task's worktree (kept when it has uncommitted changes); says what it did. */
  removeWorktree(target: { repo: string; path: string; branch: string }): Promise<{ removed: boolean; message: string }>;
  /** Re-adopt live workers of an earlier host, re-surface their questions, report the gone ones. */
  recover(tasks: RecoverableTask[]): Promise<void>;
  /** Kill this runner's recorded workers whose task is neither in `knownTaskIds` nor active here. Returns their task ids. */
  reapOrphans(knownTaskIds: Iterable<string>): Promise<string[]>;
  /** Ids of tasks queued, running or waiting for an answer on this host. */
  activeTaskIds(): string[];
  /** How many of this host's tasks wait for a slot, run, or wait for an answer after giving up. */
  counts(): { queued: number; running: number; blocked: number };
  /** Stop watching; workers keep running (the next host recovers them) unless `killWorkers`. */
  close(opts?: { killWorkers?: boolean }): Promise<void>;
}

const unlimited = (n: number | undefined): number | null => (n !== undefined && n > 0 ? n : null);

/** Makes each listener's failure its own problem, not the worker's. */
function fanOut(listeners: Set<TaskEventListener>): (event: TaskEvent) => void {
  return (event) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        process.emitWarning(`task event listener failed on ${event.type}: ${messageOf(err)}`);
      }
    }
  };
}

export function createRunnerHost(opts: RunnerHostOptions): RunnerHost {
  const listeners = new Set<TaskEventListener>();
  const emit = fanOut(listeners);
  const runs = new Map<string, TaskRun>();
  const gitLock = new KeyedLock();
  const slots = new WorkerSlots(unlimited(opts.concurrency), (backend) => unlimited(opts.perBackend[backend]));
  const pollMs = opts.pollMs ?? 250;
  const graceOption = opts.killGraceMs ?? 3_000;
  const killGraceMs = typeof graceOption === 'function' ? graceOption : () => graceOption;
  const runnerId = RunnerId.parse(opts.runnerId ?? DEFAULT_RUNNER_ID);
  const records = new WorkerRecords(opts.home, runnerId);
  const safetyPollMs = opts.safetyPollMs ?? 5_000;
  let closed = false;

  const newRun = (spec: TaskSpec, previous?: TaskRun): TaskRun => {
    const run = new TaskRun(spec, { home: opts.home, runnerId, backend: opts.backendFor(spec.backend), commandFor: opts.commandFor, killGraceMs: killGraceMs(), pollMs, safetyPollMs, emit, gitLock, env: opts.env ?? process.env, clock: opts.clock ?? systemClock }, previous?.work);
    // A finished run is forgotten (its plan, log reader and watcher add up over thousands of
    // tasks); a blocked one stays, for the answer that resumes it.
    void run.settled.then(() => {
      if (runs.get(run.id) === run && isFinal(run.state)) runs.delete(run.id);
    });
    return run;
  };

  const holdsSlot = (r: TaskRun): boolean => r.state === 'queued' || r.state === 'running';

  /** Say so when the task must wait for a slot, so the status shows it queued rather than stuck. */
  const announceQueue = (spec: TaskSpec): boolean => {
    const busy = [...runs.values()].filter((r) => r.id !== spec.id && holdsSlot(r));
    const hostLimit = unlimited(opts.concurrency);
    const backendLimit = unlimited(opts.perBackend[spec.backend]);
    const sameBackend = busy.filter((r) => r.spec.backend === spec.backend).length;
    if (hostLimit !== null && busy.length >= hostLimit) {
      emit({ type: 'activity', taskId: spec.id, text: `Queued: ${busy.length} tasks ahead on this host (limit ${hostLimit})` });
      return true;
    }
    if (backendLimit !== null && sameBackend >= backendLimit) {
      emit({ type: 'activity', taskId: spec.id, text: `Queued: ${sameBackend} ${spec.backend} tasks ahead (limit ${backendLimit})` });
      return true;
    }
    return false;
  };

  const runOf = (taskId: string): TaskRun => {
    const run = runs.get(taskId);
    if (!run) throw new UnknownTaskError(taskId);
    return run;
  };

  const pathsOf = (taskId: string) => {
    const run = runOf(taskId);
    if (!run.paths) throw new Error(`task ${taskId} has no directory yet (it is still queued)`);
    return run.paths;
  };

  const recoverOne = async (task: RecoverableTask): Promise<void> => {
    const spec = TaskSpec.parse(task.spec);
    if (runs.has(spec.id) && holdsSlot(runs.get(spec.id) as TaskRun)) return;
    const guess = task.dir ?? (spec.worktree ? worktreePath(spec.repo.path, spec.id, spec.attempt) : spec.repo.path);
    await records.claimLegacy(spec.id);
    const recorded = (await readWorkerRecord(taskPaths(guess, spec.id).worker)) ?? (await readWorkerRecord(records.path(spec.id)));
    const unrecorded = !recorded && task.queued ? await unrecordedWorker(spec, guess, opts.home) : undefined;
    if (unrecorded === 'never-started') return host.submit(spec);
    const record = recorded ?? unrecorded;
    const dir = record?.dir ?? guess;
    const paths = taskPaths(dir, spec.id);
    const run = newRun(spec);
    runs.set(spec.id, run);
    if (record && (await isRunning(record.pid, record.startTicks))) {
      if (unrecorded) {
        // Recorded now, so that a later restart finds it too, and said started as a new one would be.
        await writeAtomic(records.path(spec.id), JSON.stringify(record, null, 2) + '\n');
        emit({ type: 'started', taskId: spec.id, pid: record.pid, dir, runner: runnerId });
      }
      void run.adopt(record, paths);
      // It runs already: it takes a slot ahead of anything queued, for as long as it runs.
      void slots.run(spec.backend, () => run.settled, { first: true }).catch(() => undefined);
      return;
    }
    const work = { dir, ...(record?.branch ? { branch: record.branch } : {}), ...(record?.base ? { base: record.base } : {}) };
    await run.concludeGone(record, paths, work);
  };

  const host: RunnerHost = {
    async submit(input: TaskSpec): Promise<void> {
      if (closed) throw new Error('this runner host is closed');
      const spec = TaskSpec.parse(input);
      assertTaskId(spec.id);
      const previous = runs.get(spec.id);
      // The answer can beat the exit of a worker that just gave up: let it leave first.
      if (previous && spec.resume && previous.gaveUp) await previous.settled;
      if (previous && (holdsSlot(previous) || (previous.state === 'blocked' && !spec.resume))) {
        throw new Error(`task ${spec.id} is already ${previous.state}`);
      }
      const run = newRun(spec, spec.resume ? previous : undefined);
      runs.set(spec.id, run);
      if (!announceQueue(spec)) run.prepareAhead();
      void slots.run(spec.backend, () => run.execute()).catch(() => undefined);
    },

    subscribe(listener: TaskEventListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async cancel(taskId: string): Promise<void> {
      await runs.get(taskId)?.cancel();
    },

    async answer(taskId: string, seq: string, text: string): Promise<void> {
      if (!SEQ.test(seq)) throw new Error(`"${seq}" is not a question number (001, 002, …)`);
      const paths = pathsOf(taskId);
      if ((await readText(join(paths.ipc, `${seq}.question`))) === undefined) throw new Error(`task ${taskId} has no question ${seq}`);
      await writeAtomic(join(paths.ipc, `${seq}.answer`), text.endsWith('\n') ? text : `${text}\n`);
      emit({ type: 'answered', taskId, seq });
    },

    async note(taskId: string, text: string): Promise<void> {
      await runOf(taskId).note(text);
      emit({ type: 'note', taskId, text });
    },

    logs(taskId: string, lines: number): Promise<string> {
      assertTaskId(taskId);
      return tailLog(logPath(opts.home, taskId), lines);
    },

    removeWorktree(target) {
      // Serialised with worktree creation: both change the repo's worktree list.
      return gitLock.run(target.repo, () => removeWorktree(target.repo, target.path, target.branch));
    },

    async pushBranch(target, pushOpts) {
      const run = runs.get(target.taskId);
      if (run && (holdsSlot(run) || run.state === 'blocked')) throw new ForgeError(`**${target.taskId}** is still ${run.state}: its branch is pushed once it has finished.`);
      // Two pushes of one branch go one after the other; worktree changes of the repo need not wait.
      return gitLock.run(`${target.repo}#${target.branch}`, () => pushBranch(BranchTarget.parse(target), { env: opts.env ?? process.env, ...(pushOpts?.dryRun ? { dryRun: true } : {}) }));
    },

    removeTaskFiles(tasks) {
      const live = (): TaskRun[] => [...runs.values()].filter((r) => holdsSlot(r) || r.state === 'blocked');
      return removeTaskFiles(
        { home: opts.home, gitLock, isActive: (id) => live().some((r) => r.id === id), inUse: (dir) => live().some((r) => r.paths?.dir === dir) },
        tasks,
      );
    },

    async recover(tasks: RecoverableTask[]): Promise<void> {
      for (const task of tasks) await recoverOne(task);
    },

    async reapOrphans(knownTaskIds: Iterable<string>): Promise<string[]> {
      const known = new Set(knownTaskIds);
      const keep = (taskId: string): boolean => {
        const run = runs.get(taskId);
        return known.has(taskId) || (run !== undefined && holdsSlot(run));
      };
      return records.reap(keep, killGraceMs());
    },

    activeTaskIds(): string[] {
      return [...runs.values()].filter((r) => holdsSlot(r) || r.state === 'blocked').map((r) => r.id);
    },

    counts() {
      const all = [...runs.values()];
      const of = (state: string): number => all.filter((r) => r.state === state).length;
      return { queued: of('queued'), running: of('running'), blocked: of('blocked') };
    },

    async close(closeOpts?: { killWorkers?: boolean }): Promise<void> {
      if (closed) return;
      closed = true;
      // Taken before cancelling: a cancelled run is forgotten at once, its worktree still being added.
      const held = [...runs.values()];
      const active = held.filter(holdsSlot);
      if (closeOpts?.killWorkers) await Promise.all(active.map((r) => r.cancel()));
      // A worktree being added must not go on writing into the repo after close returns.
      await Promise.all(held.map((r) => r.whenPrepared()));
      for (const r of active) r.detach();
      // Tasks still waiting for a slot are dropped; a running one's slot lasts as long as its worker.
      slots.stop();
      listeners.clear();
    },
  };
  return host;
}
