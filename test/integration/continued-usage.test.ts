import { afterEach, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../src/store/records.js';
import type { Usage } from '../../src/task/index.js';
import { processRuns } from '../fixtures/fake-agent-support.js';
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
    // What the successor itself reported last: the usage events after the answer.
    let answered = false;
    let successorOwn: Usage | undefined;
    stack.app.queue.subscribe((event) => {
      if (event.type === 'answered') answered = true;
      if (event.type === 'usage' && answered) successorOwn = event.usage;
    });
    await stack.say('use opus to migrate the billing tables fake:items=2 fake:giveup fake:wait=200 fake:ask=Drop the legacy column? fake:tokens=1000/0 fake:usd=0.5');
    const gaveUp = await stack.waitFor(/stopped waiting for an answer/);
    const id = stack.surface.posts.find((p) => p.reply.title)?.reply.title as string;
    // The first worker has exited and all it reported is applied.
    const worker = stack.agentRuns()[0]?.pid ?? 0;
    await eventually('the first worker to exit', () => !processRuns(worker));
    await stack.app.dispatcher.settled('shell');
    const first = (await record(id))?.usage;
    expect(first?.inputTokens).toBeGreaterThan(0);
    await stack.say('yes, drop it', 'alice', { thread: gaveUp.target.thread as string });
    await stack.waitForStatus(id, /done/);
    expect(stack.agentRuns()).toHaveLength(2);
    const total = (await record(id))?.usage;
    expect(successorOwn?.inputTokens).toBeGreaterThan(0);
    expect(total?.inputTokens).toBe((first?.inputTokens ?? 0) + (successorOwn?.inputTokens ?? 0));
    // $0.50 a call, whoever counted it: by the price for the first worker (an estimate), by claude for its successor.
    expect(total?.costUsd).toBeCloseTo(((first?.inputTokens ?? 0) + (successorOwn?.inputTokens ?? 0)) / 2000);
    const finish = await stack.waitFor(new RegExp(`\\*\\*${id}\\*\\* is done`));
    expect(stack.surface.latest(finish).text).toContain(`Used ${(total?.inputTokens ?? 0).toLocaleString('en')} tokens in, 0 out, about $${(total?.costUsd ?? 0).toFixed(2)}`);
  });
});
