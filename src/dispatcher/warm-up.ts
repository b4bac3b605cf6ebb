import { accessWarnings } from './access.js';
import type { Conversation } from './conversation.js';
import type { DispatcherDeps } from './deps.js';

/** `/dispatch` with no text: load and check the config, say what it holds, and stop. */
export async function warmUp(deps: DispatcherDeps, talk: Conversation): Promise<void> {
  let problem = '';
  try {
    await deps.config.reload();
  } catch (error) {
    problem = deps.config.ready()
      ? `\n⚠ The config file has a problem, so the last good one stays in force: ${(error as Error).message}`
      : `\n⚠ The config file has a problem, so nothing is dispatched or changed until it is fixed: ${(error as Error).message}`;
  }
  const config = deps.config.current();
  const clis = await deps.discovery.clis();
  const models = Object.keys(config.models);
  const aliases = Object.keys(config.aliases);
  const found = [...clis].map(([name, version]) => `${name} ${version}`.trim());
  const lines = [
    `Ready. Config: ${deps.config.path}`,
    `Default model: ${config.default ? `**${config.default}**` : 'none set'}`,
    `${models.length} model${models.length === 1 ? '' : 's'}${models.length ? `: ${models.join(', ')}` : ''}`,
    `${aliases.length} alias${aliases.length === 1 ? '' : 'es'}${aliases.length ? `: ${aliases.join(', ')}` : ''}`,
    `Agent CLIs found: ${found.length ? found.join(', ') : 'none on PATH'}`,
  ];
  if (deps.config.ready()) lines.push(...accessWarnings(config).map((w) => `⚠ ${w}`));
  await talk.answer({ text: lines.join('\n') + problem });
}
