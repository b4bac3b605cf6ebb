import type { Discovery } from './dispatcher/deps.js';
import { agentModels, detectClis } from './resolve/clis.js';
import { checkLogin, type Login } from './resolve/login.js';

/**
 * A value refreshed in the background: asked within `ttlMs` of its last refresh it is returned
 * as is; asked later, the last value is returned at once and a refresh starts (one at a time).
 * Only the very first ask waits, for there is nothing to return yet.
 */
function backgroundRefreshed<T>(load: () => Promise<T>, ttlMs: number): { get(): Promise<T>; start(): void } {
  let current: Promise<T> | undefined;
  let at = 0;
  let refreshing = false;
  const refresh = (): void => {
    if (refreshing) return;
    refreshing = true;
    at = Date.now();
    const next = load();
    next.then(
      () => {
        current = next;
        refreshing = false;
      },
      () => {
        // A failed refresh keeps the last good value; the next ask tries again.
        refreshing = false;
        at = 0;
      },
    );
    current ??= next;
  };
  return {
    start: refresh,
    get(): Promise<T> {
      if (!current || Date.now() - at > ttlMs) refresh();
      return current as Promise<T>;
    },
  };
}

/**
 * CLI detection and login checks run `--version` and status commands of up to four CLIs: too
 * slow for a request to wait on (seconds on a busy host). They are refreshed in the background
 * once a minute (PATH and logins rarely change) and a request takes the last answer. Detection
 * starts at once, so the first request finds it done. `agent models` is asked afresh each time
 * a name is discovered: new models appear there without notice.
 */
export function cachedDiscovery(env: NodeJS.ProcessEnv, ttlMs = 60_000): Discovery {
  const clis = backgroundRefreshed(() => detectClis(env), ttlMs);
  clis.start();
  const logins = new Map<string, ReturnType<typeof backgroundRefreshed<Login>>>();
  const login = (cli: string): Promise<Login> => {
    let entry = logins.get(cli);
    if (!entry) {
      entry = backgroundRefreshed(() => checkLogin(cli, env, { freeOnly: true }), ttlMs);
      logins.set(cli, entry);
    }
    return entry.get();
  };
  return { clis: () => clis.get(), login, agentModels: () => agentModels(env) };
}
