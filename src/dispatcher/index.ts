import { UserError, asDispatchError, messageOf } from '../errors/index.js';
import type { Inbound, InboundMessage, SurfaceName } from '../chat/inbound.js';
import type { TaskEvent } from '../task/index.js';
import type { TaskRecord } from '../store/records.js';
import { accessState, authorize } from './access.js';
import { planAction, planInput } from './actions.js';
import { expirePending } from './confirm.js';
import { Conversation } from './conversation.js';
import type { DispatcherDeps } from './deps.js';
import { editStatus, onTaskEvents } from './events.js';
import { postMissingCard } from './launch.js';
import { startFirstRun } from './first-run.js';
import { publishFinished } from './forge-actions.js';
import { withGroups } from './groups.js';
import { isFinal } from '../task/index.js';
import { planRequest } from './requests.js';
import { nothing, step, type Step } from './step.js';
import { planThreadReply, tasksAddressed } from './thread.js';
import { KeyedLock } from '../util/keyed-lock.js';
import { RETENTION_SWEEP_MS, sweepFinished } from './retention.js';
import { systemClock, type Clock } from '../util/clock.js';

export type { DispatcherDeps, Discovery } from './deps.js';

/** Longer than any platform's redelivery of one request (Slack retries for about 5 minutes). */
const DELIVERY_TTL_MS = 60 * 60 * 1000;

/** Longest text we act on: a chat line is not a file upload. */
const MAX_TEXT = 40_000;

/**
 * The conversation engine: every surface hands it Inbound requests; it answers through the
 * ChatSurface port and follows task events from the queue.
 */
export class Dispatcher {
  /** Events of one task are applied in order; different tasks proceed in parallel. */
  private readonly perTask = new KeyedLock();
  /**
   * Events of a task not yet taken up: those that arrive together, or while the task's previous
   * events are still being applied, are applied as one batch (one store write for a burst).
   */
  private readonly inbox = new Map<string, TaskEvent[]>();
  private readonly settleWaiters = new Set<() => void>();
  /**
   * Requests this process took and has not finished. A surface listens before the start-up resume
   * runs, so a request can arrive, be taken and still be handled when the resume looks.
   */
  private readonly takenHere = new Set<string>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  private sweeping: Promise<unknown> = Promise.resolve();

  private readonly timers = new Set<() => void>();
  private readonly deps: DispatcherDeps;
  private readonly clock: Clock;

  constructor(deps: DispatcherDeps) {
    this.clock = deps.clock ?? systemClock;
    this.deps = { ...deps, clock: this.clock, later: (ms, work) => this.later(ms, work), route: (inbound) => this.route(inbound), forgeLock: deps.forgeLock ?? new KeyedLock(), posting: deps.posting ?? new Map() };
  }

  start(): void {
    this.unsubscribe = this.deps.queue.subscribe((event) => this.receive(event));
  }

  /** Prompts a previous run left unanswered expire (and say so) at their own deadlines. */
  async resumePrompts(): Promise<void> {
    const now = this.clock.now();
    for (const pending of await this.deps.store.listPending()) this.later(pending.expiresAt - now, () => expirePending(this.deps, pending.id));
  }

  /**
   * Status messages a previous run could not bring to their final state are edited again, and
   * the cards of tasks it submitted but never got to post are posted.
   */
  async resumeStatuses(): Promise<void> {
    const now = this.clock.now();
    for (const task of await this.deps.store.listTasks({ active: false })) {
      if (task.finalEditPending) await this.perTask.run(task.id, () => editStatus(this.deps, task, now));
    }
    for (const task of await this.deps.store.listTasks({ active: true })) {
      if (!task.status) await this.perTask.run(task.id, () => postMissingCard(this.deps, task));
    }
  }

  /**
   * Finished tasks past `limits.retention` are removed now and then every hour until stop (the
   * timer runs on the dispatcher's clock). A sweep that fails is logged; the next one still comes.
   */
  keepRetention(): void {
    const tick = async (): Promise<void> => {
      try {
        this.sweeping = sweepFinished(this.deps);
        await this.sweeping;
      } finally {
        if (!this.stopped) this.later(RETENTION_SWEEP_MS, tick);
      }
    };
    tick().catch((error: unknown) => this.deps.log?.(`retention sweep failed: ${messageOf(error)}`));
  }

  /** Resolves once the timer's sweep under way is over: closing the store under it would leave files behind. */
  async swept(): Promise<void> {
    await this.sweeping.catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const cancel of this.timers) cancel();
    this.timers.clear();
  }

  /** Timers never keep the process alive, and a failure is logged, not thrown. */
  private later(ms: number, work: () => Promise<void>): void {
    const cancel = this.clock.after(ms, () => {
      this.timers.delete(cancel);
      work().catch((error: unknown) => this.deps.log?.(`scheduled work failed: ${String(error)}`));
    });
    this.timers.add(cancel);
  }

  /**
   * Take a delivered request before the platform is told it arrived: `keys` are its delivery
   * keys (a repeat of any of them is refused: false), and the request is kept until `handle`
   * has finished it, so a bot killed in between finishes it after its restart. A store that
   * cannot answer must not lose a request: it is taken anyway, and the log says so.
   */
  async accept(keys: readonly string[], inbound: Inbound): Promise<boolean> {
    const id = inbound.deliveryId;
    const mine = id !== undefined && !this.takenHere.has(id);
    // Marked before it is stored: the start-up resume must never see it as a previous run's.
    if (mine) this.takenHere.add(id);
    try {
      const taken = await this.deps.store.acceptRequest(keys, inbound, DELIVERY_TTL_MS);
      if (!taken && mine) this.takenHere.delete(id);
      return taken;
    } catch (error) {
      this.deps.log?.(`could not record ${inbound.deliveryId ?? inbound.kind} before handling it (${messageOf(error)}); handling it anyway`);
      return true;
    }
  }

  /** Handle one inbound request. Never throws: user errors become replies, the rest is logged and said. */
  async handle(inbound: Inbound): Promise<void> {
    try {
      await this.route(inbound);
    } catch (error) {
      await this.sayError(inbound, error);
    }
    if (inbound.deliveryId !== undefined) {
      await this.deps.store.finishRequest(inbound.deliveryId).catch((error: unknown) => this.deps.log?.(`could not mark ${inbound.deliveryId} handled: ${messageOf(error)}`));
      this.takenHere.delete(inbound.deliveryId);
    }
  }

  /**
   * Requests a previous run accepted but did not finish are handled now, once: one that had
   * already started a task or posted a prompt before the bot stopped is not started again.
   */
  async resumeRequests(): Promise<void> {
    for (const accepted of await this.deps.store.unfinishedRequests()) {
      // Taken by this process since it started listening: it is being handled now.
      if (this.takenHere.has(accepted.id)) continue;
      if (await this.alreadyActedOn(accepted.request)) await this.deps.store.finishRequest(accepted.id);
      else await this.handle(accepted.request);
    }
  }

  private async alreadyActedOn(request: Inbound): Promise<boolean> {
    const origin = request.deliveryId;
    const tasks = await this.deps.store.listTasks({ channel: request.where.channel, surface: request.where.surface });
    if (tasks.some((t) => t.origin === origin)) return true;
    return (await this.deps.store.listPending()).some((p) => p.origin === origin);
  }

  /**
   * Resolves when no task of this surface that `mine` selects is queued or running (waiting on a
   * question counts as settled), with those tasks.
   */
  async settled(surface: SurfaceName, mine: (task: TaskRecord) => boolean = () => true): Promise<TaskRecord[]> {
    const isSettled = (t: TaskRecord) => isFinal(t.state) || t.state === 'waiting' || t.state === 'blocked';
    for (;;) {
      await this.perTask.idle();
      const tasks = (await this.deps.store.listTasks({ surface })).filter(mine);
      if (tasks.every(isSettled)) return tasks;
      await new Promise<void>((resolve) => {
        this.settleWaiters.add(resolve);
      });
    }
  }

  /**
   * Every request of every surface passes here: what it asks for is planned, then the rights it
   * takes are checked in one place against the access rules (by ids only), then it runs.
   */
  private async route(inbound: Inbound): Promise<void> {
    const planned = await this.plan(inbound);
    if (planned.rights.length > 0) {
      const who = await withGroups(this.deps, inbound);
      authorize(who, planned.rights, accessState(this.deps.config));
    }
    await planned.run();
  }

  private async plan(inbound: Inbound): Promise<Step> {
    if (inbound.kind === 'action') return planAction(this.deps, inbound);
    // A modal's text becomes an answer file or an alias prompt (a worker's argv): no NULs or terminal escapes.
    if (inbound.kind === 'input') return planInput(this.deps, { ...inbound, value: clean(inbound.value) });
    // Size first, before any pattern reads the text.
    if (inbound.text.length > MAX_TEXT) {
      throw new UserError(
        `That message is ${inbound.text.length.toLocaleString('en')} characters; the limit is ${MAX_TEXT.toLocaleString('en')}. Put long specs in a file in the repo and point the task at it.`,
      );
    }
    const message: InboundMessage = { ...inbound, text: clean(inbound.text) };
    const tasks = await tasksAddressed(this.deps, message);
    if (tasks.length > 0) return planThreadReply(this.deps, message, tasks);
    if (message.task) throw new UserError(`There is no task **${message.task}**.`);
    // Chatter in threads the bot does not own is not for us unless the bot was addressed.
    if (message.where.thread && message.addressed !== true) return nothing;
    // First run: no config has ever loaded and none is on disk; whoever asks first becomes the admin.
    const config = this.deps.config;
    if (!config.exists() && !config.ready() && !config.lastError()) return step([], () => startFirstRun(this.deps, message));
    return planRequest(this.deps, message);
  }

  private receive(event: TaskEvent): void {
    const waiting = this.inbox.get(event.taskId);
    if (waiting) {
      waiting.push(event);
      return;
    }
    this.inbox.set(event.taskId, [event]);
    void this.perTask.run(event.taskId, async () => {
      // A worker can start (and even finish) before its launch has posted the thread and the
      // card; what it reports meanwhile waits, and is applied as one batch.
      await this.deps.posting?.get(event.taskId)?.catch(() => undefined);
      const batch = this.inbox.get(event.taskId) ?? [];
      this.inbox.delete(event.taskId);
      return this.onEvents(batch);
    });
  }

  private async onEvents(events: readonly TaskEvent[]): Promise<void> {
    try {
      const task = await onTaskEvents(this.deps, events);
      if (task && events.some((event) => event.type === 'finished')) await publishFinished(this.deps, task);
    } catch (error) {
      const what = events.map((event) => event.type).join(', ');
      this.deps.log?.(`task ${events[0]?.taskId ?? '?'}: could not report ${what}: ${(error as Error).stack ?? String(error)}`);
    } finally {
      for (const wake of this.settleWaiters) wake();
      this.settleWaiters.clear();
    }
  }

  private async sayError(inbound: Inbound, error: unknown): Promise<void> {
    const coded = asDispatchError(error);
    if (!coded.userFixable) this.deps.log?.(`error handling ${inbound.kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    const text = coded.userFixable ? coded.message : `Something went wrong handling that: ${coded.message}. Nothing was dispatched.`;
    try {
      // Only the requester needs to see what went wrong with their request (Slack ephemeral,
      // Discord ephemeral follow-up, shell: printed).
      await Conversation.of(this.deps, inbound).ephemeral(inbound.who.id, { text });
    } catch (replyError) {
      this.deps.log?.(`could not reply with an error: ${String(replyError)}`);
    }
  }
}

/** Control characters (terminal escapes, NULs) never reach a worker prompt or a reply. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim();
}
