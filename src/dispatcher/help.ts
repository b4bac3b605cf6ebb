import type { Asker } from './confirm.js';
import type { Config } from '../config/schema.js';
import type { HelpTopic } from '../intent/index.js';
import { backendForModel, followAlias, type Clis } from '../resolve/index.js';
import { Conversation } from './conversation.js';
import type { DispatcherDeps } from './deps.js';

const HELP = [
  'What you can say (in Slack or Discord: `/dispatch …` or a mention; in the shell: just type it):',
  '• `use opus to review the auth module`: a task with that model (the last model named wins)',
  '• `do a security review`: a task with your default model, once you confirm it',
  '• `have security-reviewer check my latest changes`: an alias brings its model and role prompt',
  '• a numbered list (`1) …` `2) …`): several tasks at once; `in a worktree` or `--worktree` gives a task its own branch',
  '• `status`, `status <task-id>`, `status all` (admins: every channel, by runner), `cancel <task-id>`, `retry <task-id>`, `logs <task-id>`, `cleanup <task-id>`; `cleanup` alone (admins): remove finished tasks past `limits.retention`',
  '• `models`: the models and aliases with their backends; `show config`: what the config holds',
  '• `switch default to sonnet`, `make sonnet my default`, `add gpt-5.3 to my config`, `remove gpt-5.2`, `migrate my config`',
  '• `create a security-reviewer alias using opus` (add `with prompt: …` to give its role prompt), `remove the security-reviewer alias`',
  '• `allow @bob`, `make @carol an admin`, `who can dispatch?`',
  '• `/dispatch` with nothing after it: checks the config and says what it holds',
].join('\n');

/** Questions about the bot itself, answered in place: nothing is dispatched or changed. */
export async function answerHelp(deps: DispatcherDeps, asker: Asker, topic: HelpTopic): Promise<void> {
  const talk = new Conversation(deps, asker.where);
  if (topic === 'help') {
    await talk.answer({ text: HELP });
    return;
  }
  const config = deps.config.current();
  const clis = new Set((await deps.discovery.clis()).keys());
  if (topic === 'models') {
    await talk.answer({ text: [...modelLines(config, clis), 'Name one in a request ("use sonnet to …"); a model not listed here is looked up with `agent models` and the CLIs on PATH.'].join('\n') });
    return;
  }
  const own = await deps.store.getUserDefault(asker.who.id);
  const channel = config.channels[asker.where.channel];
  const defaults = [own ? `your own: ${own}` : '', channel?.default ? `this channel: ${channel.default}` : ''].filter(Boolean);
  const lines = [
    `Config: ${deps.config.path}${deps.config.ready() ? '' : ' (not loaded: see `/dispatch`)'}`,
    ...modelLines(config, clis),
    ...defaults.map((d) => `Default for you here: ${d}`),
    ...Object.entries(config.repos).map(([name, repo]) => `Repo ${name}: ${repo.path}${repo.default ? ' (default)' : ''}${repo.worktree === 'always' ? ', always in a worktree' : ''}`),
    ...(channel?.repo ? [`This channel works on repo ${channel.repo}.`] : []),
    `Limits: task timeout ${minutes(config.limits.task_timeout)}, prompts expire after ${minutes(config.limits.confirm_timeout)}, ${config.limits.concurrency} workers at once.`,
    'Who may dispatch or change it: say `who can dispatch?`.',
  ];
  await talk.answer({ text: lines.join('\n') });
}

/** The default, each model with the backend it runs on here, each alias with its model. */
function modelLines(config: Config, clis: Clis): string[] {
  const lines = [`Default model: ${config.default ? `**${config.default}**` : 'none set'}`];
  const models = Object.keys(config.models);
  lines.push(models.length ? `Models: ${models.map((m) => `${m} (${backendForModel(m, config, clis)})`).join(', ')}` : 'Models: none yet');
  const aliases = Object.entries(config.aliases).map(([name, alias]) => {
    const resolved = followAlias(config, name);
    const model = resolved.kind === 'model' ? resolved.model : alias.model;
    return `${name} → ${model}${alias.prompt ? ' (with a role prompt)' : ''}`;
  });
  if (aliases.length) lines.push(`Aliases: ${aliases.join(', ')}`);
  return lines;
}

function minutes(ms: number): string {
  if (ms === 0) return 'none';
  const m = Math.round(ms / 60_000);
  return m >= 120 ? `${Math.round(m / 60)} h` : `${m} min`;
}
