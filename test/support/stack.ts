import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inbound, Where, Who } from '../../src/chat/inbound.js';
import type { Reply } from '../../src/chat/reply.js';
import type { App } from '../../src/app.js';
import { startBot, wireSurface } from '../../src/wiring.js';
import type { Clock } from '../../src/util/clock.js';
import { RIG_PACING, RIG_RUNNER_TIMING, botEnv, botPaths, makeRepo, readAgentRuns, type AgentRun } from './bot-env.js';
import { RecordingSurface, type Posted } from './recording-surface.js';

export { FIXTURE_BIN, makeRepo, type AgentRun } from './bot-env.js';

export interface StackOptions {
  /** Config file text (or made from the stack's repo path); omitted: no config file (first run). */
  config?: string | ((paths: { repo: string; root: string }) => string);
  /** Extra environment for the bot and its workers. */
  env?: Record<string, string>;
  /** A clock the test moves (deadlines pass without waiting); the system clock when omitted. */
  clock?: Clock;
}

/**
 * The whole bot in-process (real config file, SQLite store, runner host with the fake agent CLI on
 * PATH, real git repo), talking to a RecordingSurface: the dispatcher, tested once for every surface.
 */
export class Stack {
  readonly root = mkdtempSync(join(tmpdir(), 'dispatch-stack-'));
  readonly repo = makeRepo(join(this.root, 'repo'));
  readonly home = botPaths(this.root).home;
  readonly configFile = botPaths(this.root).configFile;
  readonly agentLog = botPaths(this.root).agentLog;
  readonly surface = new RecordingSurface('shell');
  readonly logs: string[] = [];
  env: NodeJS.ProcessEnv = {};
  clock: Clock | undefined;
  app!: App;

  static async start(options: StackOptions = {}): Promise<Stack> {
    const stack = new Stack();
    const { config } = options;
    if (config !== undefined) writeFileSync(stack.configFile, typeof config === 'string' ? config : config({ repo: stack.repo, root: stack.root }));
    stack.env = botEnv(stack.root, options.env);
    stack.clock = options.clock;
    await stack.open();
    return stack;
  }

  /** The app with the recording surface attached, as src/start.ts wires a surface, then recovered. */
  private async open(): Promise<void> {
    const log = (line: string): void => void this.logs.push(line);
    this.app = await startBot({ env: this.env, cwd: this.repo, log, runnerTiming: RIG_RUNNER_TIMING, ...(this.clock ? { clock: this.clock } : {}) }, async (app) => {
      // Refused edits tried again within 20–50 ms (not 1 s doubling to 5 min).
      await wireSurface(app, async () => this.surface, { log, pacing: { ...RIG_PACING, retryDelayMs: 20, maxRetryDelayMs: 50 } });
    });
  }

  /** Stop the bot (its workers keep running) and start it again on the same state, as a restart would. */
  async restart(): Promise<void> {
    await this.app.close();
    await this.open();
  }

  who(id = 'alice'): Who {
    return { id, name: id, groups: [] };
  }

  where(extra: Partial<Where> = {}): Where {
    return { surface: 'shell', channel: 'C1', ...extra };
  }

  say(text: string, user = 'alice', extra: Partial<Where> = {}): Promise<void> {
    return this.app.dispatcher.handle({ kind: 'message', who: this.who(user), where: this.where(extra), text, addressed: true });
  }

  /** Press a button (or pick a menu option) of a recorded reply. */
  press(reply: Reply, label: string, user = 'alice', trigger?: string): Promise<void> {
    const choice = reply.buttons?.find((b) => b.label === label) ?? reply.select?.options.find((o) => o.label === label);
    if (!choice) throw new Error(`no choice "${label}" in: ${reply.text}`);
    const inbound: Inbound = { kind: 'action', who: this.who(user), where: this.where(), action: choice.action, ...(trigger ? { trigger } : {}) };
    return this.app.dispatcher.handle(inbound);
  }

  find(pattern: RegExp): Posted | undefined {
    return this.surface.posts.find((p) => pattern.test(this.surface.latest(p).text));
  }

  waitFor(pattern: RegExp, timeoutMs?: number): Promise<Posted> {
    return this.surface.until(() => this.find(pattern), timeoutMs);
  }

  /** A reply only `user` saw (errors about their own request go there). */
  waitForEphemeral(pattern: RegExp, user = 'alice', timeoutMs?: number): Promise<{ user: string; reply: Reply }> {
    return this.surface.until(() => this.surface.ephemerals.find((e) => e.user === user && pattern.test(e.reply.text)), timeoutMs);
  }

  /** The first task's id and thread, from its status message once it is posted. */
  async firstTask(): Promise<{ id: string; thread: string }> {
    const posted = await this.surface.until(() => this.surface.posts.find((p) => p.reply.title));
    return { id: posted.reply.title as string, thread: posted.target.thread as string };
  }

  /** The status message of a task, once its latest content matches. */
  waitForStatus(taskId: string, state: RegExp, timeoutMs?: number): Promise<Reply> {
    return this.surface.until(() => {
      const posted = this.surface.posts.find((p) => p.reply.title === taskId);
      const latest = posted && this.surface.latest(posted);
      return latest && state.test(latest.text) ? latest : undefined;
    }, timeoutMs);
  }

  agentRuns(): AgentRun[] {
    return readAgentRuns(this.agentLog);
  }

  configText(): string {
    return readFileSync(this.configFile, 'utf8');
  }

  async close(): Promise<void> {
    await this.app.close({ killWorkers: true });
    rmSync(this.root, { recursive: true, force: true });
  }
}
