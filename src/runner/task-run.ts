import { existsSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isFinal, type FinalState, type StartFailure, type TaskEvent, type TaskFile, type TaskSpec, type TaskState } from '../task/index.js';
import type { Backend, WorkerCommand } from '../resolve/backend.js';
import { readHead, readText, reportOf, summaryOf, writeAtomic, type WorkerRecord } from './files.js';
import { killWorkerTree } from './kill.js';
import type { KeyedLock } from '../util/keyed-lock.js';
import { LogFollower, logSize, tailLog } from './log.js';
import { logPath, taskPaths, workerRecordPath, type TaskPaths } from './paths.js';
import { noteBullet, withNotes } from './plan.js';
import { isRunning } from './proc.js';
import { argvPrompt, buildWorkerPrompt } from './prompt.js';
import { LOG_NOTE_PREFIX, appendLogNote, spawnWorker, type SpawnedWorker } from './spawn.js';
import { TaskWatcher } from './watcher.js';
import { inFileNames, readOutFiles, writeInFiles } from './attached-files.js';
import { excludeDispatchDir, prepareWorktree, worktreeReport, type Workspace } from './worktree.js';
import { messageOf } from '../errors/index.js';
import type { Clock } from '../util/clock.js';

export interface RunDeps {
  home: string;
  /** The runner this task runs on: its worker record goes in that runner's own directory. */
  runnerId: string;
  backend: Backend;
  commandFor: (spec: TaskSpec) => WorkerCommand;
  killGraceMs: number;
  /** How often an adopted worker's pid is checked. */
  pollMs: number;
  /** How often a task's files are looked at besides fs.watch. */
  safetyPollMs: number;
  emit: (event: TaskEvent) => void;
  gitLock: KeyedLock;
  /** The environment workers start from (the command's `unset`/`env` then apply). */
  env: NodeJS.ProcessEnv;
  /** Time as the task's timeout reads it (a test moves it instead of waiting). */
  clock: Clock;
}

interface WorkerHandle {
  pid: number;
  pgid: number;
  startTicks?: number;
  marker?: string;
}

const LOG_TAIL_LINES = 30;
/** What is read of output.md for the summary (the summary itself is shorter still). */
const REPORT_HEAD_BYTES = 64 * 1024;

/** How the worker ended, as far as we can know it (an adopted worker's exit code is unknown). */
interface Ending {
  exitCode: number | null;
  known: boolean;
  spawnError?: string;
}

/** One task on this host: its directory, its current worker, and the events they produce. */
export class TaskRun {
  /** `running` from the moment it holds a slot (setting up its directory included) until it ends. */
  state: TaskState = 'queued';
  stopReason?: 'cancelled' | 'timed_out';
  work?: Workspace;
  paths?: TaskPaths;
  private worker?: WorkerHandle;
  private watcher?: TaskWatcher;
  /** Cancels the armed timeout. */
  private disarm?: () => void;
  private logOffset = 0;
  private child?: SpawnedWorker;
  private preparing?: Promise<Workspace>;
  /** The program the worker command starts, for saying which CLI is missing. */
  private executable?: string;
  /** Notes added while this worker runs, kept so a plan rewrite cannot lose them. */
  private readonly notes: string[] = [];
  /** Set when the host went away: this object no longer acts on the worker or its files. */
  private detached = false;
  private settle!: () => void;
  /** Resolves when this worker's run is over (finished, or blocked waiting for an answer). */
  readonly settled = new Promise<void>((resolve) => (this.settle = resolve));

  /** The task without its attached files' bytes (what its worker record keeps). */
  readonly spec: TaskSpec;
  /** The request's files, until they are written into `in/`. */
  private files: TaskFile[];

  constructor(
    spec: TaskSpec,
    private readonly deps: RunDeps,
    /** The directory of an earlier worker of this task (resume keeps it). */
    previous?: Workspace,
  ) {
    const { files, ...rest } = spec;
    this.spec = rest;
    this.files = files ?? [];
    this.work = previous;
  }

  get id(): string {
    return this.spec.id;
  }

  /** The worker marked an item `[?]` while a question was open: an answer needs a successor. */
  get gaveUp(): boolean {
    return this.watcher?.gaveUp ?? false;
  }

  get pid(): number | undefined {
    return this.worker?.pid;
  }

  /** Runs inside a concurrency slot: prepare the directory, start the worker, wait for its end. */
  async execute(): Promise<void> {
    if (this.state !== 'queued') return;
    this.state = 'running';
    try {
      await this.run();
    } catch (err) {
      // The runner itself failed (disk full, permissions): the task must still end, visibly.
      await this.kill().catch(() => undefined);
      this.watcher?.detach();
      this.disarm?.();
      await this.finish(this.stopReason ?? 'failed', { exitCode: null, logTail: `runner error: ${messageOf(err)}` });
    }
  }

  private async run(): Promise<void> {
    try {
      this.preparing ??= this.prepare();
      this.work = await this.preparing;
    } catch (err) {
      // Not a CLI failure (no other model would help): the reason goes where a failed task's log tail goes.
      return this.finish(this.stopReason ?? 'failed', { exitCode: null, logTail: messageOf(err) });
    }
    if (this.stopReason) return this.finish(this.stopReason, { exitCode: null });
    const paths = taskPaths(this.work.dir, this.id);
    this.paths = paths;
    const log = logPath(this.deps.home, this.id);
    if (this.spec.resume) appendLogNote(log, 'continuing after an answer (successor worker)');
    this.logOffset = logSize(log) ?? 0;
    // A new task's `in/` holds only what is written now; a successor's may hold a predecessor's files.
    const filesIn = this.spec.resume || this.files.length > 0;
    await this.makeTaskDir(paths);
    let command: WorkerCommand;
    try {
      command = this.deps.commandFor(this.spec);
    } catch (err) {
      // This runner's config cannot run the task's backend: say so where a failed task's log tail goes.
      return this.finish('failed', { exitCode: null, logTail: messageOf(err) });
    }
    this.executable = command.argv[0];
    const prompt = argvPrompt(buildWorkerPrompt(this.spec, paths, filesIn ? await inFileNames(paths.filesIn) : []), paths, paths.prompt);
    if (prompt.file !== undefined) await writeAtomic(paths.prompt, prompt.file);
    const spawned = await spawnWorker(command, this.work.dir, prompt.argv, log, this.id, this.deps.env);
    if (!('pid' in spawned)) return this.conclude({ exitCode: spawned.exitCode, known: true, ...(spawned.spawnError ? { spawnError: spawned.spawnError } : {}) });
    this.child = spawned;
    await this.begin(spawned, this.deps.clock.now(), true);
    if (this.stopReason) void this.kill();
    const exit = await spawned.exited;
    await this.conclude({ exitCode: exit.exitCode, known: true, ...(exit.spawnError ? { spawnError: exit.spawnError } : {}) });
  }

  /** The task's folder for this worker: emptied for a new task, `ipc/` and the request's files in it, and notes already sent. */
  private async makeTaskDir(paths: TaskPaths): Promise<void> {
    // Looked at and made at once (a launch waits on each step); only emptying a folder left from
    // before, which may hold anything, is left to libuv's threads.
    if (!this.spec.resume && existsSync(paths.root)) await rm(paths.root, { recursive: true, force: true });
    mkdirSync(paths.ipc, { recursive: true });
    await writeInFiles(paths.filesIn, this.files);
    this.files = [];
    if (this.notes.length > 0) await writeAtomic(paths.plan, withNotes((await readText(paths.plan)) ?? '', this.notes));
  }

  /**
   * Make the directory while the slot is handed out, so the start does not wait on
   * both in turn. Only for a task about to start: a queued task that is cancelled should leave
   * no branch behind.
   */
  prepareAhead(): void {
    if (this.state !== 'queued' || this.preparing) return;
    this.preparing = this.prepare();
    this.preparing.catch(() => undefined); // reported by execute(), which awaits it
  }

  private async prepare(): Promise<Workspace> {
    const repo = this.spec.repo.path;
    if (!this.spec.worktree) {
      await excludeDispatchDir(repo);
      return { dir: repo };
    }
    const base = this.work?.base;
    const branch = { ...(this.spec.branch ? { name: this.spec.branch } : {}), existing: this.spec.existingBranch === true, env: this.deps.env };
    return this.deps.gitLock.run(repo, () => prepareWorktree(repo, this.id, this.spec.resume, base, branch, this.spec.attempt));
  }

  /** The worker runs: record it (for a restart), say so, watch its files, arm the timeout. */
  private async begin(worker: WorkerHandle, startedAt: number, announce: boolean): Promise<void> {
    const work = this.work;
    const paths = this.paths;
    if (!work || !paths) return;
    this.worker = worker;
    this.state = 'running';
    if (announce) {
      // Recorded in this runner's own directory before it is announced: a crash right after
      // `started` must still find the worker (a restart reads either copy; the one in the task's
      // folder follows, and the launch does not wait for a second file to be made).
      const { pid, pgid, startTicks, marker } = worker;
      const record: WorkerRecord = { pid, pgid, startTicks, marker, startedAt, dir: work.dir, spec: this.spec, ...(work.branch ? { branch: work.branch } : {}), ...(work.base ? { base: work.base } : {}) };
      const text = JSON.stringify(record, null, 2) + '\n';
      await writeAtomic(workerRecordPath(this.deps.home, this.deps.runnerId, this.id), text);
      this.deps.emit({ type: 'started', taskId: this.id, pid: worker.pid, dir: work.dir, ...(work.branch ? { branch: work.branch } : {}), runner: this.deps.runnerId });
      await writeAtomic(paths.worker, text);
    }
    // Every backend reads its own lines (claude stream-json, codex --json) and ignores the rest.
    this.watcher = new TaskWatcher({
      taskId: this.id,
      paths,
      backend: this.deps.backend,
      pollMs: this.deps.safetyPollMs,
      emit: this.deps.emit,
      notes: this.notes,
      ...(this.spec.stallAfterMs ? { stallAfterMs: this.spec.stallAfterMs } : {}),
      log: new LogFollower(logPath(this.deps.home, this.id), this.logOffset),
      logPath: logPath(this.deps.home, this.id),
    });
    await this.watcher.start();
    if (this.spec.timeoutMs > 0) {
      const left = Math.max(0, startedAt + this.spec.timeoutMs - this.deps.clock.now());
      this.disarm = this.deps.clock.after(left, () => {
        this.stopReason ??= 'timed_out';
        void this.kill();
      });
    }
  }

  /** Take over a worker a previous host started and that still runs (after a restart). */
  async adopt(record: WorkerRecord, paths: TaskPaths): Promise<void> {
    this.paths = paths;
    this.work = { dir: record.dir, ...(record.branch ? { branch: record.branch } : {}), ...(record.base ? { base: record.base } : {}) };
    await this.begin(record, record.startedAt, false);
    while (!this.detached && (await isRunning(record.pid, record.startTicks))) await sleep(this.deps.pollMs);
    await this.conclude({ exitCode: null, known: false });
  }

  /** The worker of an earlier host is gone: report what its files say. */
  async concludeGone(record: WorkerRecord | undefined, paths: TaskPaths, work: Workspace): Promise<void> {
    this.paths = paths;
    this.work = work;
    this.watcher = new TaskWatcher({ taskId: this.id, paths, backend: this.deps.backend, pollMs: this.deps.safetyPollMs, emit: this.deps.emit });
    await this.watcher.scan();
    this.watcher.detach();
    if (record) await rm(workerRecordPath(this.deps.home, this.deps.runnerId, this.id), { force: true });
    if (existsSync(paths.done)) return this.finish('done', { exitCode: null });
    if (this.watcher.gaveUp) return this.block();
    return this.finish('interrupted', { exitCode: null });
  }

  /** Resolves once directory setup that has begun (git worktree add, task files) is over. */
  async whenPrepared(): Promise<void> {
    await this.preparing?.catch(() => undefined);
  }

  /**
   * Append a note to plan.md for the worker; while it runs, the note is kept there. A note for a
   * task still queued waits and is in plan.md before its worker starts.
   */
  async note(text: string): Promise<void> {
    this.notes.push(noteBullet(text, new Date()));
    if (!this.paths) return;
    await writeAtomic(this.paths.plan, withNotes((await readText(this.paths.plan)) ?? '', this.notes));
  }

  private async kill(): Promise<void> {
    if (this.worker) await killWorkerTree(this.worker, this.deps.killGraceMs);
  }

  async cancel(): Promise<void> {
    if (isFinal(this.state)) return;
    if (this.state === 'queued' || this.state === 'blocked') {
      this.stopReason = 'cancelled';
      return this.finish('cancelled', { exitCode: null });
    }
    this.stopReason ??= 'cancelled';
    await this.kill();
    // A detached run no longer reports; only a live one has a finish to wait for.
    if (!this.detached) await this.settled;
  }

  /** The host goes away: stop watching, leave the worker running for the next host to adopt. */
  detach(): void {
    this.detached = true;
    this.disarm?.();
    this.watcher?.detach();
    this.child?.unref();
  }

  private async conclude(end: Ending): Promise<void> {
    if (this.detached) return;
    this.disarm?.();
    // Whatever the worker left running (a grandchild, a server) goes with it.
    await this.kill();
    await this.watcher?.stop();
    await rm(workerRecordPath(this.deps.home, this.deps.runnerId, this.id), { force: true });
    const paths = this.paths;
    const done = paths ? existsSync(paths.done) : false;
    const output = paths ? await readHead(paths.output, REPORT_HEAD_BYTES) : undefined;
    let state: FinalState;
    if (this.stopReason) state = this.stopReason;
    else if (end.spawnError) state = 'failed';
    else if (end.known && end.exitCode !== 0) state = 'failed';
    else if (done) state = 'done';
    else if (this.watcher?.gaveUp) return this.block();
    else state = end.known || output !== undefined ? 'done' : 'failed';
    const fields: FinishFields = { exitCode: end.exitCode };
    if (state === 'failed' || state === 'timed_out') {
      const tail = await this.outputTail();
      if (tail) fields.logTail = tail;
      const failure = end.spawnError ? this.missing(end.spawnError) : this.deps.backend.classifyFailure(end.exitCode, tail);
      if (failure) fields.failure = failure;
      if (end.spawnError === 'E2BIG') fields.logTail = "the worker's command line is too long for this system (E2BIG)";
    }
    return this.finish(state, fields);
  }

  private missing(code: string): StartFailure | undefined {
    const cli = basename(this.executable ?? this.deps.backend.executable);
    if (code === 'ENOENT') return { cli, reason: 'missing', detail: `${cli} is not installed or not on PATH` };
    // Not the CLI's fault: another model would fail the same way, so this is no reason to offer one.
    if (code === 'E2BIG') return undefined;
    return { cli, reason: 'other', detail: `${cli} could not be started: ${code}` };
  }

  private async outputTail(): Promise<string> {
    const text = await tailLog(logPath(this.deps.home, this.id), LOG_TAIL_LINES * 2, this.logOffset);
    const lines = text.split('\n').filter((l) => !l.startsWith(LOG_NOTE_PREFIX));
    return lines.slice(-LOG_TAIL_LINES).join('\n').trim();
  }

  /** The worker stopped waiting (`[?]`) and exited: the task waits for an answer and a successor. */
  private block(): void {
    this.state = 'blocked';
    this.settle();
  }

  private async finish(state: FinalState, fields: FinishFields): Promise<void> {
    if (isFinal(this.state)) return;
    this.state = state;
    const output = this.paths ? await readHead(this.paths.output, REPORT_HEAD_BYTES) : undefined;
    const summary = output?.trim() ? summaryOf(output) : this.watcher?.result ? summaryOf(this.watcher.result) : undefined;
    const report = output?.trim() && this.paths ? await reportOf(this.paths.output, output) : undefined;
    const worktree = this.work?.branch ? await worktreeReport(this.spec.repo.path, this.work) : undefined;
    const out = this.paths ? await readOutFiles(this.paths.filesOut) : undefined;
    const left = out && (out.files.length || out.skipped.length) && this.paths ? { outDir: this.paths.filesOut } : {};
    this.deps.emit({
      type: 'finished',
      taskId: this.id,
      state,
      ...fields,
      ...(summary ? { summary } : {}),
      ...(report ? { report } : {}),
      ...(worktree ? { worktree } : {}),
      ...(out?.files.length ? { outFiles: out.files } : {}),
      ...(out?.skipped.length ? { outSkipped: out.skipped } : {}),
      ...left,
    });
    this.settle();
  }
}

interface FinishFields {
  exitCode: number | null;
  logTail?: string;
  failure?: StartFailure;
}

