import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { processRuns } from '../fixtures/fake-agent-support.js';
import { botEnv, botPaths, makeRepo, readAgentRuns, type AgentRun } from './bot-env.js';
import { ShellSession } from './shell-session.js';

/** One test's bot: a temp root holding the git repository `app`, the config file and the bot's state. */
export interface ShellBench {
  readonly root: string;
  readonly repo: string;
  readonly configFile: string;
  readonly env: NodeJS.ProcessEnv;
  /** `dispatch-bot shell --user alice` in the repository, killed after the test. */
  shell(): ShellSession;
  /** Every start of the fake agent in this test, oldest first. */
  runs(): AgentRun[];
}

/**
 * A fresh bench for each test of the file, with `config` as its config file; after each test its
 * shells and any worker still running are killed and the root removed.
 */
export function shellPerTest(config: string): ShellBench {
  let root = '';
  let repo = '';
  let env: NodeJS.ProcessEnv = {};
  const sessions: ShellSession[] = [];
  const runs = (): AgentRun[] => readAgentRuns(botPaths(root).agentLog);
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'dispatch-shell-'));
    repo = makeRepo(join(root, 'app'));
    writeFileSync(botPaths(root).configFile, config);
    env = botEnv(root);
  });
  afterEach(() => {
    for (const s of sessions.splice(0)) s.kill();
    for (const run of runs()) if (processRuns(run.pid)) process.kill(run.pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });
  return {
    get root() {
      return root;
    },
    get repo() {
      return repo;
    },
    get configFile() {
      return botPaths(root).configFile;
    },
    get env() {
      return env;
    },
    shell() {
      const session = new ShellSession({ cwd: repo, env, args: ['--user', 'alice'] });
      sessions.push(session);
      return session;
    },
    runs,
  };
}
