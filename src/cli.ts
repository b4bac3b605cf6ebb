import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { commandHelp, overview } from './cli-help.js';
import { packageRoot, packageVersion } from './util/package.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

interface Command {
  options: Options;
  /** Positional arguments it takes at most. */
  positionals: number;
  run(values: Values, positionals: string[], env: NodeJS.ProcessEnv): Promise<number>;
}

const REPO = { repo: { type: 'string' } } as const;

/**
 * Each command imports what it needs when it runs: `--help`, `doctor` and `config validate` must
 * not pay for loading Bolt and discord.js, nor the shell for either of them.
 */
const COMMANDS: Record<string, Command> = {
  start: {
    options: REPO,
    positionals: 0,
    async run(values, _args, env) {
      const { startSurfaces } = await import('./start.js');
      const { repoDir } = await import('./repo-dir.js');
      return startSurfaces(env, { repo: repoDir(str(values.repo), env), again: again('start', env) });
    },
  },
  shell: {
    options: { ...REPO, user: { type: 'string' } },
    positionals: 0,
    async run(values, _args, env) {
      const [{ runShellSurface }, { repoDir }, { shellUser }] = await Promise.all([import('./run-shell.js'), import('./repo-dir.js'), import('./shell-user.js')]);
      return runShellSurface(env, { user: str(values.user) ?? shellUser(), repo: repoDir(str(values.repo), env), again: again('shell', env) });
    },
  },
  runner: {
    options: {},
    positionals: 0,
    async run(_values, _args, env) {
      const { runRunner } = await import('./run-runner.js');
      return runRunner(env);
    },
  },
  doctor: {
    options: {},
    positionals: 0,
    async run(_values, _args, env) {
      const { doctor } = await import('./doctor.js');
      return doctor(env, (line) => process.stdout.write(`${line}\n`));
    },
  },
  health: {
    options: {},
    positionals: 0,
    async run(_values, _args, env) {
      const { healthCommand } = await import('./health.js');
      return healthCommand(env, (line) => process.stdout.write(`${line}\n`));
    },
  },
  config: {
    options: {},
    positionals: 2,
    async run(_values, args, env) {
      const [sub, file] = args;
      if (sub !== 'validate') return usageError('config', sub === undefined ? 'say what to do: `config validate [FILE]`' : `unknown subcommand "${sub}"`);
      const { validateCommand } = await import('./config-validate.js');
      return validateCommand(file, env);
    },
  },
};

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v' || first === 'version') {
    process.stdout.write(`dispatch-bot ${packageVersion()}\n`);
    return 0;
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') return help(first === 'help' ? rest[0] : undefined, first === undefined);
  const command = COMMANDS[first];
  if (!command) {
    process.stderr.write(`dispatch-bot: unknown command "${first}"\n\n${overview()}\n`);
    return 2;
  }
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    // node's own message goes on about `--` after its first sentence; the first one says it all.
    return usageError(first, (error as Error).message.replace(/\. To specify a positional[\s\S]*$/, ''));
  }
  if (parsed.values.help || parsed.positionals[0] === 'help') return help(first, false);
  if (parsed.positionals.length > command.positionals) return usageError(first, `unexpected argument "${parsed.positionals[command.positionals]}"`);
  return command.run(parsed.values, parsed.positionals, env);
}

function help(command: string | undefined, missing: boolean): number {
  if (command !== undefined && !COMMANDS[command]) {
    process.stderr.write(`dispatch-bot: no command "${command}"\n\n${overview()}\n`);
    return 2;
  }
  const text = command ? commandHelp(command) : overview();
  (missing ? process.stderr : process.stdout).write(`${text}\n`);
  return missing ? 2 : 0;
}

function usageError(command: string, message: string): number {
  process.stderr.write(`dispatch-bot ${command}: ${message}\n\n${commandHelp(command)}\n`);
  return 2;
}

function str(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** How the user starts this again: the npm script they ran (from where they ran it), else the command itself. */
function again(command: string, env: NodeJS.ProcessEnv): string {
  const script = env.npm_package_name === 'dispatch-bot' ? env.npm_lifecycle_event : undefined;
  if (script !== 'start' && script !== 'shell') return `dispatch-bot ${command}`;
  const root = packageRoot();
  const elsewhere = env.INIT_CWD && resolve(env.INIT_CWD) !== root ? ` --prefix ${root}` : '';
  return script === 'start' ? `npm${elsewhere} start` : `npm${elsewhere} run shell`;
}
