import type { Discovery, DiscoverResult } from './dispatcher/deps.js';
import { agentModels, detectClis, discoverModel } from './resolve/discovery.js';

/**
 * CLI detection is cached for a minute: PATH rarely changes, and `--version` of four CLIs on every
 * request would dominate dispatch latency.
 */
export function cachedDiscovery(env: NodeJS.ProcessEnv, ttlMs = 60_000): Discovery {
  let cached: { at: number; clis: Promise<Map<string, string>> } | undefined;
  const clis = (): Promise<Map<string, string>> => {
    if (!cached || Date.now() - cached.at > ttlMs) cached = { at: Date.now(), clis: detectClis(env) };
    return cached.clis;
  };
  return {
    clis,
    async discover(model: string): Promise<DiscoverResult> {
      return discoverModel(model, await clis(), env);
    },
    agentModels: () => agentModels(env),
  };
}
