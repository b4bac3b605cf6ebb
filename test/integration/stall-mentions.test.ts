import { describe, expect, it } from 'vitest';
import { closeAfterEach } from '../support/close-after-each.js';
import { Stack } from '../support/stack.js';

// A silent worker is reported once, with one mention of its requester, and progress clears it;
// a question and a finish mention the requester once each, and nothing else mentions anyone.
const CONFIG = `default: opus
models:
  opus: { backend: claude }
limits:
  stall_after: 1s
`;

const opened = closeAfterEach();

/** Every post and edit's reply that mentions someone. */
function mentions(s: Stack): { mention: string; text: string }[] {
  const replies = s.surface.posts.flatMap((p) => [p.reply, ...p.edits]);
  return replies.filter((r) => r.mention).map((r) => ({ mention: r.mention as string, text: r.text }));
}

describe('stall alerts', () => {
  it('a silent worker gets exactly one alert with one mention; progress clears it from the status', async () => {
    const stack = opened(await Stack.start({ config: CONFIG }));
    await stack.say('use opus to migrate the billing tables fake:items=2 fake:await-note');
    const { id, thread } = await stack.firstTask();
    await stack.waitForStatus(id, /no progress for \d+ s/);
    await stack.waitFor(new RegExp(`\\*\\*${id}\\*\\* has made no progress for \\d+ s`));
    // The note is progress: the worker goes on, and the status no longer says it is stuck.
    await stack.say('go ahead with the migration', 'alice', { thread });
    const done = await stack.waitForStatus(id, /done/);
    expect(done.text).not.toMatch(/no progress/);
    expect((await stack.app.store.getTask(id))?.stalledFor).toBeUndefined();
    const alerts = stack.surface.posts.filter((p) => /has made no progress/.test(p.reply.text));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.reply.mention).toBe('alice');
  });
});

describe('mentions where they matter', () => {
  it('a question and the finish report each mention the requester once; the rest of the thread mentions no one', async () => {
    const stack = opened(await Stack.start({ config: CONFIG.replace('stall_after: 1s', 'stall_after: 1h') }));
    await stack.say('use opus to set up the database fake:items=2 fake:ask=Which database?', 'carol');
    const { id, thread } = await stack.firstTask();
    await stack.waitFor(new RegExp(`\\*\\*${id}\\*\\* asks`));
    await stack.say('Postgres', 'carol', { thread });
    await stack.waitFor(new RegExp(`\\*\\*${id}\\*\\* is done`));
    const mentioned = mentions(stack);
    expect(mentioned.map((m) => m.mention)).toEqual(['carol', 'carol']);
    expect(mentioned[0]?.text).toMatch(/asks/);
    expect(mentioned[1]?.text).toMatch(/is done/);
  });
});
