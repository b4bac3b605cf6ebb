import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_BIN = fileURLToPath(new URL('../fixtures/bin', import.meta.url));

/** One start of the fake agent CLI, as it records itself in FAKE_AGENT_LOG. */
export interface AgentRun {
  name: string;
  argv: string[];
  cwd: string;
  pid: number;
  prompt: string;
  env: Record<string, boolean | string>;
  /** DISPATCH_TASK_ID of the worker. */
  taskId: string | null;
}

/**
 * The in-process runner host of a bot under test looks at quiet tasks' files every 250 ms besides
 * fs.watch (production: 5 s), so a stall, which only a look finds, shows within a second of being due.
 */
export const RIG_RUNNER_TIMING = { safetyPollMs: 250 };

/**
 * How a rig paces its surface when the fake platform enforces no rate tier: edits coalesced but
 * 10× closer than in production, no edit budget, posts unpaced. A test of the tiers gives its
 * fake the tiers and the rig paces as production does.
 */
export const RIG_PACING = { perMinute: 10_000, minIntervalMs: 100, postsPerSecond: undefined };

/** Where a bot under test keeps things, all inside one temp `root`. */
export function botPaths(root: string): { home: string; configFile: string; agentLog: string } {
  return { home: join(root, 'home'), configFile: join(root, 'config.yaml'), agentLog: join(root, 'agent-runs.jsonl') };
}

/**
 * The environment of a bot under test: the fake agent CLIs first on PATH (they stand in for
 * claude, agent, codex, gemini), its state, config and agent log inside `root`.
 */
export function botEnv(root: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const paths = botPaths(root);
  return {
    ...process.env,
    PATH: `${FIXTURE_BIN}:${process.env.PATH ?? ''}`,
    DISPATCH_HOME: paths.home,
    DISPATCH_CONFIG: paths.configFile,
    FAKE_AGENT_LOG: paths.agentLog,
    ...extra,
  };
}

/** Every start the fake agent recorded in `file`, oldest first. */
export function readAgentRuns(file: string): AgentRun[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  // A line without its newline is one a fake agent is still appending (read while many start): not a start yet.
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AgentRun);
}

let template: string | undefined;

/** The one-commit repository every makeRepo copies: made once per test process, removed when it exits. */
function templateRepo(): string {
  if (template) return template;
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-template-repo-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README.md'), '# app\n');
  git('add', '.');
  git('commit', '-qm', 'initial');
  template = dir;
  return dir;
}

/**
 * A git repository with one commit (README.md on main), in `dir`: a copy of one made once, as a
 * copy in-process costs no git start-ups (three per repository, and tests make hundreds).
 */
export function makeRepo(dir: string): string {
  mkdirSync(dirname(dir), { recursive: true });
  cpSync(templateRepo(), dir, { recursive: true });
  return dir;
}
