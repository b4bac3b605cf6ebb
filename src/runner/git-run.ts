import { execa } from 'execa';
import { withoutSecrets } from '../resolve/secrets.js';

/** How a git command that talks to `origin` ended. */
export interface GitRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * The environment git runs with when it talks to `origin`: never waiting on a terminal for
 * credentials (a runner has nobody to type them), in English so its refusals can be told apart,
 * and without the host's secrets (the same a worker lacks): a worker can write the repository's hooks and git config,
 * and what git starts from them must find no more than the worker itself has.
 */
export function gitEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...withoutSecrets(env), GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never', LC_ALL: 'C', LANGUAGE: 'C' };
}

/**
 * git with a fixed argv, never a shell, its outcome returned rather than thrown. Run through
 * execa rather than simple-git: the runner's own environment (GIT_SSH_COMMAND, a credential
 * helper's variables) must reach git as the operator set it up.
 */
export async function runGit(cwd: string, args: string[], env: NodeJS.ProcessEnv, timeout = 30_000): Promise<GitRun> {
  const run = await execa('git', args, { cwd, env: gitEnv(env), extendEnv: false, reject: false, timeout, stdin: 'ignore' });
  return { exitCode: run.exitCode, stdout: String(run.stdout), stderr: String(run.stderr), timedOut: run.timedOut };
}
