import type { Discovery } from './dispatcher/deps.js';
import { agentModels, detectClis } from './resolve/discovery.js';
import { checkLogin, type Login } from './resolve/login.js';

/**
 * CLI detection and login checks are cached for a minute: PATH and logins rarely change, and
 * running four CLIs on every request would dominate dispatch latency. `agent models` is asked
 * afresh each time a name is discovered: new models appear there without notice.
 */
export function cachedDiscovery(env: NodeJS.ProcessEnv, ttlMs = 60_000): Discovery {
  let cached: { at: number; clis: Promise<Map<string, string>> } | undefined;
  const clis = (): Promise<Map<string, string>> => {
    if (!cached || Date.now() - cached.at > ttlMs) cached = { at: Date.now(), clis: detectClis(env) };
    return cached.clis;
  };
  const logins = new Map<string, { at: number; login: Promise<Login> }>();
  const login = (cli: string): Promise<Login> => {
    const hit = logins.get(cli);
    if (hit && Date.now() - hit.at <= ttlMs) return hit.login;
    const fresh = { at: Date.now(), login: checkLogin(cli, env, { freeOnly: true }) };
    logins.set(cli, fresh);
    return fresh.login;
  };
  return { clis, login, agentModels: () => agentModels(env) };
}
