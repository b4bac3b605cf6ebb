import { watch, type FSWatcher } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { addUsage, samePlan, sameUsage, type PlanItem, type Usage } from '../task/index.js';
import type { TaskEvent } from '../task/index.js';
import type { Backend, OutputSignal } from '../resolve/backend.js';
import { racyStamp, readIpc, readText, stampOf, writeAtomic, type IpcState } from './files.js';
import type { LogFollower } from './log.js';
import type { TaskPaths } from './paths.js';
import { PLAN_BYTES_READ, missingNotes, readPlan, withNotes } from './plan.js';
import { LOG_NOTE_PREFIX } from './spawn.js';

/** Let a burst of writes (temp + rename, several items at once) settle into one scan. */
const COALESCE_MS = 30;

/** What a look reads: plan.md, the ipc/ directory, the worker's log. */
type Source = 'plan' | 'ipc' | 'log';
const EVERY_SOURCE: readonly Source[] = ['plan', 'ipc', 'log'];

export interface WatcherOptions {
  taskId: string;
  paths: TaskPaths;
  backend: Backend;
  /** The worker's log, read line by line through the backend for the model id and activity. */
  log?: LogFollower;
  /** The log's path, watched so that new output is read when it is written, not on a timer. */
  logPath?: string;
  /** The safety poll, for what fs.watch can miss (a directory replaced): seconds, not a heartbeat. */
  pollMs: number;
  emit: (event: TaskEvent) => void;
  /** Note bullets the bot appended to plan.md; put back when a worker's rewrite drops them. */
  notes?: readonly string[];
  /** Report the worker stalled after this long without a plan change, output or open question. */
  stallAfterMs?: number;
}

/**
 * Turns a worker's files into events: plan.md → `plan`, ipc/NNN.question → `question` (once per
 * seq), a `[?]` while a question is open → `gave-up`, and stream-json lines → `model`/`activity`.
 * fs.watch drives it, and a change is looked at where it happened: a change in the task
 * directory reads plan.md (only when its size or mtime changed), a change in ipc/ lists ipc/, a
 * write to the log reads the new lines. A slow safety poll looks at all three for what fs.watch
 * can miss; a file whose stamp did not change is not read, so a quiet task costs three stat
 * calls per poll. Only a look at all three can find the worker stalled.
 */
export class TaskWatcher {
  plan: PlanItem[] = [];
  private planTotal = 0;
  private planDone = 0;
  /** plan.md as last read (inode, size, mtime): an unchanged file is not read again. */
  private planStamp?: string;
  private planStampAt = 0;
  /** ipc/ as last listed: an unchanged directory is not listed again. */
  private ipcStamp?: string;
  private ipcStampAt = 0;
  private open: IpcState['open'] = [];
  gaveUp = false;
  model?: string;
  result?: string;
  private activity?: string;
  /** The CLI's own total once it gave one; until then the sum of its per-call reports. */
  private usageTotal?: Usage;
  private readonly usageSteps = new Map<string, Usage>();
  private usage?: Usage;
  private readonly asked = new Set<string>();
  private watchers: FSWatcher[] = [];
  private poll?: NodeJS.Timeout;
  private pending?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private again = false;
  /** The sources changed since the last look began (all of them before the first). */
  private dirty = new Set<Source>(EVERY_SOURCE);
  private stopped = false;
  private lastProgress = Date.now();
  private stalled = false;

  private readonly opts: WatcherOptions;
  private readonly send: (event: TaskEvent) => void;
  /** Events a scan has found so far: handed on together when it ends. */
  private held?: TaskEvent[];

  constructor(opts: WatcherOptions) {
    // What one look at the files finds (a plan mark, the output and usage that came with it)
    // reaches the bot in one go, so that it is applied and stored as one change.
    this.send = opts.emit;
    this.opts = { ...opts, emit: (event) => void (this.held ? this.held.push(event) : opts.emit(event)) };
  }

  async start(): Promise<void> {
    await mkdir(this.opts.paths.ipc, { recursive: true });
    // The task directory holds plan.md, and ipc/ itself: ipc/ replaced is seen here.
    const rootChanged = (name: string | Buffer | null): readonly Source[] => (name === null || String(name) === 'ipc' ? EVERY_SOURCE : ['plan']);
    const watched: [string | undefined, (name: string | Buffer | null) => readonly Source[]][] = [
      [this.opts.paths.root, rootChanged],
      [this.opts.paths.ipc, () => ['ipc']],
      [this.opts.logPath, () => ['log']],
    ];
    for (const [path, sources] of watched) {
      if (path === undefined) continue;
      try {
        const w = watch(path, (_event, name) => this.schedule(sources(name)));
        w.on('error', () => w.close());
        this.watchers.push(w);
      } catch {
        // The poll covers a directory we cannot watch.
      }
    }
    this.poll = setInterval(() => this.schedule(EVERY_SOURCE), this.opts.pollMs);
    await this.scan();
  }

  private schedule(sources: readonly Source[]): void {
    for (const source of sources) this.dirty.add(source);
    if (this.stopped || this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.scanDirty();
    }, COALESCE_MS);
  }

  /**
   * Look at every source now. One scan at a time; a request during a scan runs one more
   * afterwards.
   */
  scan(): Promise<void> {
    for (const source of EVERY_SOURCE) this.dirty.add(source);
    return this.scanDirty();
  }

  /** Look at the sources changed since the last look. */
  private scanDirty(): Promise<void> {
    if (this.scanning) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      do {
        this.again = false;
        await this.scanOnce().catch(() => undefined);
      } while (this.again);
      this.scanning = undefined;
    })();
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    this.held = [];
    const sources = this.dirty;
    this.dirty = new Set();
    try {
      await this.look(sources);
    } finally {
      const found = this.held;
      this.held = undefined;
      for (const event of found) this.send(event);
    }
  }

  private async look(sources: ReadonlySet<Source>): Promise<void> {
    let progress = false;
    if (sources.has('plan')) progress = await this.lookAtPlan();
    if (sources.has('ipc')) await this.lookAtIpc();
    this.checkGaveUp();
    if (sources.has('log') && this.opts.log) {
      const lines = await this.opts.log.read();
      progress ||= lines.some((line) => !line.startsWith(LOG_NOTE_PREFIX));
      this.readSignals(lines);
      await this.opts.log.cap(LOG_NOTE_PREFIX);
    }
    // A worker waiting on an open question waits on a person, not on itself.
    this.checkStall(progress || this.open.length > 0, sources.size === EVERY_SOURCE.length);
  }

  /** Read plan.md when its stamp changed (or was too fresh to prove it had not); true when it changed. */
  private async lookAtPlan(): Promise<boolean> {
    const { paths } = this.opts;
    const stamp = stampOf(paths.plan);
    const changed = stamp !== this.planStamp;
    if (stamp !== undefined && (changed || racyStamp(this.planStamp, this.planStampAt))) {
      if (await this.keepNotes()) this.planStamp = stampOf(paths.plan);
      else this.planStamp = stamp;
      this.planStampAt = Date.now();
      await this.readPlanFile();
    }
    return changed;
  }

  private async lookAtIpc(): Promise<void> {
    const { paths } = this.opts;
    const ipcStamp = stampOf(paths.ipc);
    if (ipcStamp !== this.ipcStamp || racyStamp(this.ipcStamp, this.ipcStampAt)) {
      this.ipcStampAt = Date.now();
      this.ipcStamp = ipcStamp;
      this.readQuestions(await readIpc(paths));
    }
  }

  /** `whole`: the look covered every source, so no progress means none anywhere. */
  private checkStall(progress: boolean, whole: boolean): void {
    const { stallAfterMs, taskId, emit } = this.opts;
    const now = Date.now();
    if (progress) {
      if (this.stalled) emit({ type: 'stall', taskId, stalled: false, idleMs: now - this.lastProgress });
      this.stalled = false;
      this.lastProgress = now;
    } else if (whole && stallAfterMs && !this.stalled && now - this.lastProgress >= stallAfterMs) {
      this.stalled = true;
      emit({ type: 'stall', taskId, stalled: true, idleMs: now - this.lastProgress });
    }
  }

  private readQuestions(ipc: IpcState): void {
    const { taskId, emit } = this.opts;
    this.open = ipc.open;
    for (const q of ipc.open) {
      if (this.asked.has(q.seq)) continue;
      this.asked.add(q.seq);
      emit({ type: 'question', taskId, seq: q.seq, text: q.text });
    }
  }

  /** A `[?]` in the plan while a question is open: the worker gave up waiting (plan and ipc/ change apart). */
  private checkGaveUp(): void {
    const { taskId, emit } = this.opts;
    const waitingOn = this.open.at(-1);
    if (!this.gaveUp && waitingOn && this.plan.some((i) => i.mark === 'blocked')) {
      this.gaveUp = true;
      emit({ type: 'gave-up', taskId, seq: waitingOn.seq });
    }
  }

  /**
   * A worker that rewrote plan.md without the team's notes gets them back (a plan too big to
   * rewrite is left alone). True when it wrote plan.md.
   */
  private async keepNotes(): Promise<boolean> {
    const notes = this.opts.notes ?? [];
    if (notes.length === 0) return false;
    const size = await stat(this.opts.paths.plan).then((s) => s.size, () => Infinity);
    if (size > PLAN_BYTES_READ) return false;
    const text = await readText(this.opts.paths.plan);
    if (text === undefined || missingNotes(text, [...notes]).length === 0) return false;
    await writeAtomic(this.opts.paths.plan, withNotes(text, [...notes]));
    return true;
  }

  private async readPlanFile(): Promise<void> {
    const read = await readPlan(this.opts.paths.plan);
    if (!read) return;
    const truncated = read.total > read.items.length;
    if (samePlan(read.items, this.plan) && (!truncated || (read.total === this.planTotal && read.done === this.planDone))) return;
    this.plan = read.items;
    this.planTotal = read.total;
    this.planDone = read.done;
    this.opts.emit({ type: 'plan', taskId: this.opts.taskId, items: read.items, ...(truncated ? { total: read.total, done: read.done } : {}) });
  }

  readSignals(lines: string[]): void {
    const { taskId, emit, backend } = this.opts;
    let activity: string | undefined;
    for (const line of lines) {
      if (!line.trim() || line.startsWith(LOG_NOTE_PREFIX)) continue;
      let signal: OutputSignal;
      try {
        signal = backend.readLine(line);
      } catch {
        continue;
      }
      if (signal.model && signal.model !== this.model) {
        this.model = signal.model;
        emit({ type: 'model', taskId, model: signal.model });
      }
      if (signal.activity) activity = signal.activity;
      if (signal.result) this.result = signal.result;
      if (signal.usage) this.usageTotal = signal.usage;
      if (signal.usageStep) this.usageSteps.set(signal.usageStep.id, signal.usageStep.usage);
    }
    this.emitUsage();
    // Only the latest activity of a burst matters to a status line.
    if (activity && activity !== this.activity) {
      this.activity = activity;
      emit({ type: 'activity', taskId, text: activity });
    }
  }

  /** One usage event per change: a burst of lines reports once. */
  private emitUsage(): void {
    const steps = [...this.usageSteps.values()];
    const first = steps[0];
    const usage = this.usageTotal ?? (first ? steps.slice(1).reduce(addUsage, first) : undefined);
    if (!usage || sameUsage(usage, this.usage)) return;
    this.usage = usage;
    this.opts.emit({ type: 'usage', taskId: this.opts.taskId, usage });
  }

  /** Stop watching after one last scan, so nothing the worker wrote before exiting is missed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    await this.scan();
    if (this.opts.log) this.readSignals([...(await this.opts.log.read()), ...this.opts.log.flush()]);
    this.detach();
  }

  /** Stop without a last look (the host is going away; the worker is left running). */
  detach(): void {
    this.stopped = true;
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.poll) clearInterval(this.poll);
    if (this.pending) clearTimeout(this.pending);
  }
}
