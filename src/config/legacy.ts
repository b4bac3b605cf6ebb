import type { AliasConfig, BackendConfig, Config } from './schema.js';

type LegacyAgents = NonNullable<Config['agents']>;

/** What the legacy `agents:` entries mean in today's terms: backends, models and aliases to add. */
export interface LegacyPlan {
  backends: Record<string, BackendConfig>;
  models: Record<string, { backend: string }>;
  aliases: Record<string, AliasConfig>;
}

interface Existing {
  backends: Record<string, unknown>;
  models: Record<string, unknown>;
  aliases: Record<string, unknown>;
}

/**
 * `agents.foo.command` becomes backend `foo` and model `foo` on it, so `default: foo` and
 * "use foo" keep working. An agent with its own `model:` or a `prompt:` becomes alias `foo` on
 * that model (an alias needs a name of its own, so a prompt-only agent's model is `foo-base`).
 * Names the config already defines win; legacy entries never override them.
 */
export function legacyPlan(agents: LegacyAgents, existing: Existing): LegacyPlan {
  const plan: LegacyPlan = { backends: {}, models: {}, aliases: {} };
  const taken = (kind: keyof Existing, name: string) => name in existing[kind] || name in plan[kind];
  for (const [name, agent] of Object.entries(agents)) {
    if (!taken('backends', name)) plan.backends[name] = { command: agent.command };
    const wantsAlias = (agent.model !== undefined && agent.model !== name) || agent.prompt !== undefined;
    const model = wantsAlias ? (agent.model && agent.model !== name ? agent.model : `${name}-base`) : name;
    if (!taken('models', model) && !taken('aliases', model)) plan.models[model] = { backend: name };
    if (wantsAlias && !taken('aliases', name) && !taken('models', name)) {
      plan.aliases[name] = agent.prompt === undefined ? { model } : { model, prompt: agent.prompt };
    }
  }
  return plan;
}

/** The config as the rest of the bot reads it: legacy agents folded into backends/models/aliases. */
export function normaliseLegacy(config: Config): Config {
  if (!config.agents || Object.keys(config.agents).length === 0) return config;
  const plan = legacyPlan(config.agents, config);
  return {
    ...config,
    backends: { ...config.backends, ...plan.backends },
    models: { ...config.models, ...plan.models },
    aliases: { ...config.aliases, ...plan.aliases },
  };
}
