import { describe, expect, it, vi } from 'vitest';
import { recordFault } from '../support/figures.js';
import { closeAfterEach } from '../support/close-after-each.js';
import { Stack } from '../support/stack.js';

const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude }\n';

const opened = closeAfterEach();

/** Status cards of the task showing it done: one is right, none is a lost final status. */
function finalCards(s: Stack, id: string): number {
  return s.surface.posts.filter((p) => p.reply.title === id && /done/.test(s.surface.latest(p).text)).length;
}

function finalEditPending(s: Stack, id: string): Promise<boolean | undefined> {
  return s.app.store.getTask(id).then((t) => t?.finalEditPending);
}

describe('a final status always lands', () => {
  it('edits the card to done after the platform refused 20 edits in a row', async (context) => {
    const stack = opened(await Stack.start({ config: CONFIG }));
    await stack.say('use opus to review the auth module fake:items=2 fake:await-note');
    const { id, thread } = await stack.firstTask();
    await stack.waitForStatus(id, /running/);
    stack.surface.refuseEdits = 20;
    await stack.say('go ahead', 'alice', { thread });
    // The finish report is a post; the card is an edit the platform keeps refusing for a while.
    await stack.waitFor(new RegExp(`\\*\\*${id}\\*\\* is done`));
    const final = await stack.waitForStatus(id, /done/, 25_000);
    expect(stack.surface.refuseEdits).toBe(0);
    expect(final.progress).toEqual({ done: 2, total: 2 });
    await vi.waitFor(async () => expect(await finalEditPending(stack, id)).toBe(false), { timeout: 10_000 });
    recordFault(context, [finalCards(stack, id)]);
  });

  it('edits the card to done after a restart when the edit never landed before it', async (context) => {
    const stack = opened(await Stack.start({ config: CONFIG }));
    await stack.say('use opus to review the payments code fake:items=1 fake:await-note');
    const { id, thread } = await stack.firstTask();
    await stack.waitForStatus(id, /running/);
    stack.surface.refuseEdits = Number.MAX_SAFE_INTEGER;
    await stack.say('go ahead', 'alice', { thread });
    await stack.waitFor(new RegExp(`\\*\\*${id}\\*\\* is done`));
    expect(await finalEditPending(stack, id)).toBe(true);

    stack.surface.refuseEdits = 0;
    await stack.restart();
    const final = await stack.waitForStatus(id, /done/);
    expect(final.progress).toEqual({ done: 1, total: 1 });
    await vi.waitFor(async () => expect(await finalEditPending(stack, id)).toBe(false), { timeout: 10_000 });
    recordFault(context, [finalCards(stack, id)]);
  });
});
