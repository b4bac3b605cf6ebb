import { describe, expect, it } from 'vitest';
import { REDIS_URL, redisForTests } from '../support/redis-admin.js';
import { Stack } from '../support/stack.js';

// The whole bot on the Redis store: a task dispatched, finished, and still listed by a second bot
// process (a restart) reading the same keys.
const { runPrefix } = redisForTests('bot on Redis');
const prefix = `${runPrefix}app`;
const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude }\n';

describe('the bot on the Redis store (DISPATCH_STORE=redis)', () => {
  it('keeps tasks across a restart', async () => {
    const env = { DISPATCH_STORE: 'redis', REDIS_URL, DISPATCH_REDIS_PREFIX: prefix };
    const first = await Stack.start({ config: CONFIG, env });
    try {
      await first.say('use opus to check the redis path fake:items=1');
      const id = first.surface.posts.find((p) => p.reply.title)?.reply.title as string;
      await first.waitForStatus(id, /done/);
      expect(first.agentRuns()[0]?.env).toMatchObject({ REDIS_URL: false });
      await first.app.close();
      const second = await Stack.start({ config: CONFIG, env });
      try {
        await second.say('status');
        const reply = await second.waitFor(new RegExp(`${id}: done`));
        expect(second.surface.latest(reply).text).toContain('1 finished');
      } finally {
        await second.close();
      }
    } finally {
      await first.close().catch(() => undefined);
    }
  });
});
