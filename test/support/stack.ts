import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Inbound, Where, Who } from '../../src/chat/inbound.js';
import type { Reply } from '../../src/chat/reply.js';
import { createApp, type App } from '../../src/app.js';
import { RecordingSurface, type Posted } from './recording-surface.js';

export const FIXTURE_BIN = fileURLToPath(new URL('../fixtures/bin', import.meta.url));

/** A git repository with one commit, in a temp dir. */
export function makeRepo(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README.md'), '# app\n');
  git('add', '.');
  git('commit', '-qm', 'initial');
  return dir;
}

export interface AgentRun {
  name: string;
  argv: string[];
  cwd: string;
  prompt: string;
  env: Record<string, boolean | string>;
}

export interface StackOptions {
  /** Config file text; omitted: no config file (first run). */
  config?: string;
  /** Extra environment for the bot and its workers. */
  env?: Record<string, string>;
}

/**
 * The whole bot in-process (real config file, SQLite store, runner host with the fake agent CLI on
 * PATH, real git repo), talking to a RecordingSurface: the dispatcher, tested once for every surface.
 */
export class Stack {
  readonly root = mkdtempSync(join(tmpdir(), 'dispatch-stack-'));
  readonly repo = makeRepo(join(this.root, 'repo'));
  readonly home = join(this.root, 'home');
  readonly configFile = join(this.root, 'config.yaml');
  readonly agentLog = join(this.root, 'agent-runs.jsonl');
  readonly surface = new RecordingSurface('shell');
  readonly logs: string[] = [];
  env: NodeJS.ProcessEnv = {};
  app!: App;

  static async start(options: StackOptions = {}): Promise<Stack> {
    const stack = new Stack();
    if (options.config !== undefined) writeFileSync(stack.configFile, options.config);
    stack.env = {
      ...process.env,
      PATH: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`,
      DISPATCH_HOME: stack.home,
      DISPATCH_CONFIG: stack.configFile,
      FAKE_AGENT_LOG: stack.agentLog,
      ...options.env,
    };
    stack.app = await createApp({ env: stack.env, cwd: stack.repo, log: (line) => stack.logs.push(line) });
    stack.app.attach(stack.surface, 10_000);
    return stack;
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
    const button = reply.buttons?.find((b) => b.label === label);
    const option = reply.select?.options.find((o) => o.label === label);
    const action = button?.action ?? reply.select?.action;
    const value = button?.value ?? option?.value;
    if (!action || value === undefined) throw new Error(`no choice "${label}" in: ${reply.text}`);
    const inbound: Inbound = { kind: 'action', who: this.who(user), where: this.where(), action, value, ...(trigger ? { trigger } : {}) };
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

  /** The status message of a task, once its latest content matches. */
  waitForStatus(taskId: string, state: RegExp, timeoutMs?: number): Promise<Reply> {
    return this.surface.until(() => {
      const posted = this.surface.posts.find((p) => p.reply.title === taskId);
      const latest = posted && this.surface.latest(posted);
      return latest && state.test(latest.text) ? latest : undefined;
    }, timeoutMs);
  }

  agentRuns(): AgentRun[] {
    if (!existsSync(this.agentLog)) return [];
    return readFileSync(this.agentLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AgentRun);
  }

  configText(): string {
    return readFileSync(this.configFile, 'utf8');
  }

  async close(): Promise<void> {
    await this.app.close({ killWorkers: true });
    rmSync(this.root, { recursive: true, force: true });
  }
}
