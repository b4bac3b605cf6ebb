import { afterEach, describe, expect, it } from 'vitest';
import type { Who } from '../../src/chat/inbound.js';
import { Stack } from '../support/stack.js';

/** boss is the admin; alice may dispatch. */
const CONFIG = `default: opus
models:
  opus: { backend: claude }
limits:
  concurrency: 1
access:
  admin: [boss]
  dispatch: [alice]
`;

describe('status all: every channel, with the runner holding each task', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  const who = (id: string): Who => ({ id, groups: [] });

  it("lists both channels' tasks under the runner that holds them, the queued one as waiting, and refuses a non-admin", async () => {
    const s = (stack = await Stack.start({ config: CONFIG }));
    const send = (id: string, text: string, channel: string) => s.app.dispatcher.handle({ kind: 'message', who: who(id), where: s.where({ channel }), text, addressed: true });
    await send('alice', 'use opus to pick a broker fake:items=2 fake:ask=NATS or Kafka?', 'C1');
    await s.waitFor(/asks:\nNATS or Kafka\?/);
    await send('alice', 'use opus to write the changelog fake:items=1', 'C2');
    await s.waitFor(/Queued/);
    const [first, second] = s.surface.posts.filter((p) => p.reply.title).map((p) => p.reply.title as string);

    await send('boss', 'status all', 'C3');
    const reply = await s.waitFor(/active\*\* in every channel/);
    const text = s.surface.latest(reply).text;
    expect(text).toContain('**2 active** in every channel');
    expect(text).toContain('Runners up: 1 · workers running: 1 · waiting for a runner: 1');
    expect(text).toMatch(new RegExp(`runner \\*\\*local\\*\\* \\(1\\):\\n.*${first}`));
    expect(text).toMatch(new RegExp(`waiting for a runner \\(1\\):\\n.*${second}`));

    await send('alice', 'status all', 'C1');
    await s.waitForEphemeral(/Only admins \(.*\) can see the tasks of every channel\./, 'alice');
  });
});
