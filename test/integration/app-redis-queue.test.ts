import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REDIS_URL, redisForTests } from '../support/redis-admin.js';
import { Stack } from '../support/stack.js';

// The bot with DISPATCH_QUEUE=redis and a separate `dispatch-bot runner` process: tasks cross
// Redis to the runner, events and answers come back, as they would between two machines.
const BIN = fileURLToPath(new URL('../../bin/dispatch-bot.js', import.meta.url));
const { runPrefix } = redisForTests('bot on Redis');
const prefix = `${runPrefix}app`;
const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude }\n';
const REDIS = { DISPATCH_QUEUE: 'redis', DISPATCH_STORE: 'redis', REDIS_URL, DISPATCH_REDIS_PREFIX: prefix, DISPATCH_SECRET: 'a-test-secret-of-enough-length' };


function startRunner(env: NodeJS.ProcessEnv): { child: ChildProcess; ready: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'runner'], { env: { ...env, DISPATCH_RUNNER_ID: `${prefix}-r1` }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      if (err.includes('serving the queue')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`runner exited ${code}: ${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, ready, exited };
}

describe('the bot and a runner process over Redis (DISPATCH_QUEUE=redis)', () => {
  it('runs a task on the runner: status edited to done, a question answered across Redis', async () => {
    const stack = await Stack.start({ config: CONFIG, env: REDIS });
    const runner = startRunner(stack.env);
    try {
      await runner.ready;
      await stack.say('use opus to pick a message broker fake:items=2 fake:ask=NATS or RabbitMQ?');
      const question = await stack.waitFor(/asks:\nNATS or RabbitMQ\?/);
      await stack.say('NATS', 'alice', { thread: question.target.thread as string });
      await stack.waitFor(/Answer sent\. Worker is continuing\./);
      const id = stack.surface.posts.find((p) => p.reply.title)?.reply.title as string;
      const final = await stack.waitForStatus(id, /done/);
      expect(final.progress).toEqual({ done: 2, total: 2 });
      const done = await stack.waitFor(new RegExp(`\\*\\*${id}\\*\\* is done`));
      expect(stack.surface.latest(done).text).toContain('NATS');
      expect(stack.agentRuns()).toHaveLength(1);
      expect(stack.agentRuns()[0]?.env).toMatchObject({ REDIS_URL: false });
    } finally {
      runner.child.kill('SIGTERM');
      expect(await runner.exited).toBe(0);
      await stack.close();
    }
  });
});
