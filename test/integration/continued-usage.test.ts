import { afterEach, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../src/store/records.js';
import { eventually } from '../support/eventually.js';
import { Stack } from '../support/stack.js';

// What a task used is the sum over every worker it had. Each of the fake claude's model calls
// uses 1,000 input tokens, $0.50 at opus's price here (and by claude's own count in its closing
// `result`, which a worker that gives up never writes); each worker reports its own calls alone.
const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude, price: { input: 500, output: 0 } }\n';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function record(id: string): Promise<TaskRecord | undefined> {
  return stack?.app.store.getTask(id);
}

describe('usage of a task with more than one worker', () => {
  it('adds what the successor after a give-up used to what the worker before it used', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('use opus to migrate the billing tables fake:items=2 fake:giveup fake:wait=200 fake:ask=Drop the legacy column? fake:tokens=1000/0 fake:usd=0.5');
    const gaveUp = await stack.waitFor(/stopped waiting for an answer/);
    const id = stack.surface.posts.find((p) => p.reply.title)?.reply.title as string;
    // The first worker made three calls: the first item, its question, its giving up.
    await eventually('the first worker to report its three calls', async () => (await record(id))?.usage?.inputTokens === 3000);
    await stack.say('yes, drop it', 'alice', { thread: gaveUp.target.thread as string });
    await stack.waitForStatus(id, /done/);
    expect(stack.agentRuns()).toHaveLength(2);
    // The successor made one call (the item left): four in all.
    const total = (await record(id))?.usage;
    expect(total?.inputTokens).toBe(4000);
    expect(total?.costUsd).toBeCloseTo(2);
    const finish = await stack.waitFor(new RegExp(`\\*\\*${id}\\*\\* is done`));
    expect(stack.surface.latest(finish).text).toMatch(/Used 4,000 tokens in, 0 out, about \$2\.00/);
  });
});
