import { describe, expect, it } from 'vitest';
import type { Inbound } from '../../src/chat/inbound.js';
import { closeAfterEach } from '../support/close-after-each.js';
import { eventually } from '../support/eventually.js';
import { Stack } from '../support/stack.js';

const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude }\n';

const opened = closeAfterEach();

describe('a launch on a slow chat platform (posts paced or held)', () => {
  it('starts the worker before its thread and card are posted; the card then follows it, before its report', async () => {
    const stack = opened(await Stack.start({ config: CONFIG }));
    const release = stack.surface.holdPosts();
    const handled = stack.say('use opus to tidy the changelog fake:items=2');
    await eventually('the worker to start while every post is held', () => stack.agentRuns().length === 1);
    expect(stack.surface.posts).toHaveLength(0);
    release();
    await handled;
    const { id } = await stack.firstTask();
    await stack.waitForStatus(id, /done/);
    const report = await stack.waitFor(new RegExp(`\\*\\*${id}\\*\\* is done`));
    const order = stack.surface.posts.map((p) => p.ref.id);
    const card = stack.surface.posts.find((p) => p.reply.title === id);
    expect(order.indexOf(card?.ref.id ?? '')).toBeLessThan(order.indexOf(report.ref.id));
    expect(stack.surface.posts[0]?.reply.text).toMatch(new RegExp(`Dispatching \\*\\*${id}\\*\\*`));
  });

  it('posts after a restart the card of a task that was submitted but never shown', async () => {
    const stack = opened(await Stack.start({ config: CONFIG }));
    await stack.say('use opus to pick a queue fake:items=2 fake:ask=NATS or Kafka?');
    const { id, thread } = await stack.firstTask();
    await stack.waitFor(/asks:\nNATS or Kafka\?/);
    // As a bot stopped between submitting the task and posting its card leaves it.
    await stack.app.store.updateTask(id, { status: undefined });
    const before = stack.surface.posts.length;
    await stack.restart();
    const card = await stack.surface.until(() => stack.surface.posts.slice(before).find((p) => p.reply.title === id));
    expect(card.target.thread).toBe(thread);
    expect((await stack.app.store.getTask(id))?.status?.id).toBe(card.ref.id);
  });

  it('handles once a request taken while the start-up resume runs (the surface listens before it)', async () => {
    const stack = opened(await Stack.start({ config: CONFIG }));
    const release = stack.surface.holdPosts();
    const request: Inbound = { kind: 'message', who: stack.who(), where: stack.where(), text: 'use opus to tidy the changelog fake:items=1', addressed: true, deliveryId: 'delivery-1' };
    expect(await stack.app.dispatcher.accept(['delivery-1'], request)).toBe(true);
    const handled = stack.app.dispatcher.handle(request);
    const resumed = stack.app.dispatcher.resumeRequests();
    release();
    await Promise.all([handled, resumed]);
    const { id } = await stack.firstTask();
    await stack.waitForStatus(id, /done/);
    expect((await stack.app.store.listTasks()).map((t) => t.id)).toEqual([id]);
    expect(stack.agentRuns()).toHaveLength(1);
  });
});

