import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { configPath } from './config/paths.js';
import { validateConfigText } from './config/validate.js';
import { doctor } from './doctor.js';
import { runRunner } from './run-runner.js';
import { runShellSurface } from './run-shell.js';
import { shellUser } from './shell-user.js';
import { startSurfaces } from './start.js';

const USAGE = `usage: dispatch-bot <command>

  start                  run every surface whose credentials are set (Slack, Discord); the shell when none is
  shell [--user NAME]    chat from this terminal or a pipe (one chat line per line)
  runner                 a runner host serving the Redis queue (the bot runs with DISPATCH_QUEUE=redis)
  doctor                 check the agent CLIs, the config and the models it resolves
  config validate [FILE] check a config file (default: the bot's config)

Environment: DISPATCH_CONFIG (config file), DISPATCH_HOME (state, logs; default ~/.dispatch),
SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET [+ SLACK_APP_TOKEN], DISCORD_TOKEN [+ DISCORD_GUILD_ID],
DISPATCH_STORE=redis / DISPATCH_QUEUE=redis with REDIS_URL, DISPATCH_REDIS_PREFIX, DISPATCH_RUNNER_ID.`;

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return startSurfaces(env);
    case 'shell':
      return runShellSurface(env, userFlag(rest));
    case 'runner':
      return runRunner(env);
    case 'doctor':
      return doctor(env, (line) => process.stdout.write(`${line}\n`));
    case 'config':
      return configCommand(rest, env);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`dispatch-bot: unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

function userFlag(args: string[]): string {
  const { values } = parseArgs({ args, options: { user: { type: 'string' } }, allowPositionals: false });
  return values.user ?? shellUser();
}

async function configCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, file] = args;
  if (sub !== 'validate') {
    process.stderr.write('usage: dispatch-bot config validate [FILE]\n');
    return 2;
  }
  const path = file ?? configPath(env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    process.stderr.write(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`);
    return 1;
  }
  const { config, errors } = validateConfigText(text, path);
  if (errors.length > 0 || !config) {
    for (const error of errors) process.stderr.write(`${path}: ${error.message}\n`);
    return 1;
  }
  const models = Object.keys(config.models).length;
  const aliases = Object.keys(config.aliases).length;
  process.stdout.write(`${path}: OK (default ${config.default ?? 'unset'}, ${models} models, ${aliases} aliases)\n`);
  return 0;
}
