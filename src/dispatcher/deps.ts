import type { Inbound, SurfaceName } from '../chat/inbound.js';
import type { ChatSurface } from '../chat/surface.js';
import type { ConfigSource } from '../config/port.js';
import type { TaskQueue } from '../queue/port.js';
import type { TaskStore } from '../store/port.js';
import type { Forges } from '../forge/forges.js';
import type { KeyedLock } from '../util/keyed-lock.js';
import type { Login } from '../resolve/login.js';
import { systemClock, type Clock } from '../util/clock.js';

/** What the dispatcher needs to know about the agent CLIs on this host (I/O lives behind it). */
export interface Discovery {
  /** CLI name → version, for claude, agent, codex, gemini found on PATH (cached by the implementation). */
  clis(): Promise<Map<string, string>>;
  /** What `agent models` lists (empty without the Cursor CLI, or when it cannot list). */
  agentModels(): Promise<{ id: string; name: string }[]>;
  /** Is this CLI logged in (its own status command; `unknown` when only a model call would tell)? */
  login(cli: string): Promise<Login>;
}

export interface DispatcherDeps {
  config: ConfigSource;
  store: TaskStore;
  queue: TaskQueue;
  surface(name: SurfaceName): ChatSurface | undefined;
  discovery: Discovery;
  /** The environment workers inherit (the bot's own secrets are removed from it per task). */
  env: NodeJS.ProcessEnv;
  /** Where branches become pull requests (GitHub from GITHUB_TOKEN / GITHUB_API_URL). */
  forges?: Forges;
  /** One push or pull request at a time per branch (the Dispatcher provides it). */
  forgeLock?: KeyedLock;
  /** The repository a task works on when neither the channel nor the request names one. */
  defaultRepo: { name: string; path: string };
  /** The wall clock and timers (the system's unless a test moves time itself). */
  clock?: Clock;
  log?: (line: string) => void;
  /** Run `work` after `ms` (the Dispatcher provides it and cancels what is left on stop). */
  later?: (ms: number, work: () => Promise<void>) => void;
  /** Route a request held back earlier as if it arrived now, access check included (the Dispatcher provides it). */
  route?: (inbound: Inbound) => Promise<void>;
  /**
   * Tasks already submitted whose thread and status message are still being posted: their events
   * wait on the promise, so a question or a report never comes before the card (the Dispatcher provides it).
   */
  posting?: Map<string, Promise<void>>;
}

/** The time now, by the dispatcher's clock. */
export function nowOf(deps: Pick<DispatcherDeps, 'clock'>): number {
  return (deps.clock ?? systemClock).now();
}
