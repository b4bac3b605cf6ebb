import { afterEach, describe, expect, it } from 'vitest';
import { createRunnerHost, type RunnerHost } from '../../src/runner/index.js';
import { EventRecorder, TempDirs, backendFor, fakeCommandFor, fakeSpec, uniqueId } from '../fixtures/fake-agent-support.js';

/** Secrets a runner host holds for itself (queue, chat, forge, its other tools), with values a test can look for. */
const RUNNER_SECRETS = {
  REDIS_URL: 'redis://:redis-pw-7f3@10.0.0.5:6379',
  SLACK_BOT_TOKEN: 'xoxb-runner-slack-7f3',
  SLACK_SIGNING_SECRET: 'slack-signing-7f3',
  DISCORD_TOKEN: 'discord-runner-7f3',
  DISPATCH_SECRET: 'hmac-shared-7f3',
  GITHUB_TOKEN: 'ghp_runner7f3',
  GH_TOKEN: 'gho_runner7f3',
  NPM_TOKEN: 'npm_runner7f3',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-7f3',
  DATABASE_PASSWORD: 'db-pw-7f3',
  DEPLOY_API_KEY: 'deploy-key-7f3',
};

/** What the agent CLIs run on: they stay. */
const CLI_KEYS = {
  ANTHROPIC_API_KEY: 'sk-ant-fake',
  CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat-fake',
  OPENAI_API_KEY: 'sk-openai-fake',
  CODEX_API_KEY: 'sk-codex-fake',
  GEMINI_API_KEY: 'gemini-fake',
  GOOGLE_API_KEY: 'google-fake',
  CURSOR_API_KEY: 'cursor-fake',
};

describe('the environment a worker starts with', () => {
  const temp = new TempDirs();
  const hosts: RunnerHost[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.close({ killWorkers: true });
    temp.removeAll();
  });

  /** Run one task that prints its environment on a host with `env`; returns what the worker saw. */
  async function workerEnvOn(env: NodeJS.ProcessEnv): Promise<{ names: Map<string, string>; log: string }> {
    const home = temp.make('home');
    const host = createRunnerHost({ home, backendFor, commandFor: fakeCommandFor(), concurrency: 1, perBackend: {}, env });
    hosts.push(host);
    const events = new EventRecorder();
    host.subscribe(events.listener);
    const task = fakeSpec({ id: uniqueId('env'), goal: 'Show me fake:env fake:items=1', repo: temp.repo() });
    await host.submit(task);
    expect((await events.finished(task.id)).state).toBe('done');
    const log = await host.logs(task.id, 10_000);
    const names = new Map<string, string>();
    for (const m of log.matchAll(/^env: ([^=\n]+)=(.*)$/gm)) names.set(m[1] as string, m[2] as string);
    return { names, log };
  }

  it("holds none of the runner's own secrets, and the CLIs' keys it runs on", async () => {
    const { names, log } = await workerEnvOn({ ...process.env, ...RUNNER_SECRETS, ...CLI_KEYS });
    expect(names.get('PATH')).toBeDefined();
    for (const name of Object.keys(RUNNER_SECRETS)) expect(names.has(name), name).toBe(false);
    for (const value of Object.values(RUNNER_SECRETS)) expect(log).not.toContain(value);
    for (const [name, value] of Object.entries(CLI_KEYS)) expect(names.get(name), name).toBe(value);
  });

  it('DISPATCH_WORKER_ENV lets named variables through, but never the bot\'s own credentials', async () => {
    const env = { ...process.env, ...RUNNER_SECRETS, DISPATCH_WORKER_ENV: 'AWS_SECRET_ACCESS_KEY, SLACK_BOT_TOKEN,DISPATCH_SECRET' };
    const { names } = await workerEnvOn(env);
    expect(names.get('AWS_SECRET_ACCESS_KEY')).toBe(RUNNER_SECRETS.AWS_SECRET_ACCESS_KEY);
    expect(names.has('SLACK_BOT_TOKEN')).toBe(false);
    expect(names.has('DISPATCH_SECRET')).toBe(false);
    expect(names.has('GH_TOKEN')).toBe(false);
  });
});
