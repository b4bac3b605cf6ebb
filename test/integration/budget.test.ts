import { afterEach, describe, expect, it } from 'vitest';
import { Stack } from '../support/stack.js';

// Budgets: a task past limits.max_cost_usd is stopped (its Continue is its requester's alone),
// and a request past the requester's limits.max_cost_usd_per_day starts nothing.
// sonnet is priced so that each of the fake claude's calls (10,000 input tokens) costs $0.50
// while it runs; claude itself reports its cost only in its final result.
const CONFIG = `default: sonnet
models:
  sonnet: { backend: claude, price: { input: 50, output: 0 } }
  opus: { backend: claude }
limits:
  max_cost_usd: 2
  max_cost_usd_per_day: 3
`;

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('budgets', () => {
  it('a task crossing max_cost_usd is stopped with what it cost; Continue works for its requester only', async () => {
    stack = await Stack.start({ config: CONFIG.replace('max_cost_usd_per_day: 3', 'max_cost_usd_per_day: 100') });
    await stack.say('use sonnet to index the whole monorepo fake:burn fake:slow=40 fake:tokens=10000/0');
    const status = await stack.surface.until(() => stack?.surface.posts.find((p) => p.reply.title));
    const id = status.reply.title as string;
    const stopped = await stack.waitForStatus(id, /stopped at/);
    const [, spent] = /stopped at \$(\d+\.\d\d) \(limit \$2\.00\)/.exec(stopped.text) ?? [];
    expect(Number(spent)).toBeGreaterThan(2);
    const finish = await stack.waitFor(new RegExp(`\\*\\*${id}\\*\\* was stopped at \\$\\d+\\.\\d\\d \\(limit \\$2\\.00\\)`));
    const report = stack.surface.latest(finish);
    expect(report.buttons?.map((b) => b.label)).toContain('Continue with +$2');

    await stack.press(report, 'Continue with +$2', 'mallory');
    expect(stack.surface.ephemerals.at(-1)).toMatchObject({ user: 'mallory', reply: { text: expect.stringMatching(/Only <@alice>/) } });
    expect(stack.agentRuns()).toHaveLength(1);

    await stack.press(report, 'Continue with +$2');
    await stack.surface.until(() => stack?.agentRuns().length === 2);
    const [, second] = stack.agentRuns();
    expect(second?.prompt).toContain('was stopped when it went over its budget');
    // The new run has $2 of its own and is stopped past it in turn.
    await stack.waitForStatus(`${id}-2`, /stopped at \$\d+\.\d\d \(limit \$2\.00\)/);
    // Its cost is its own (its budget, the day's totals), and the whole work's is shown with it.
    const finish2 = await stack.waitFor(new RegExp(`\\*\\*${id}-2\\*\\* was stopped at`));
    const [first, next] = await Promise.all([stack.app.store.getTask(id), stack.app.store.getTask(`${id}-2`)]);
    const whole = (first?.usage?.costUsd ?? 0) + (next?.usage?.costUsd ?? 0);
    expect(next?.earlier).toEqual({ task: id, usage: first?.usage });
    expect(next?.usage?.costUsd).toBeLessThan(whole);
    const line = `~$${whole.toFixed(2)} in all with **${id}**`;
    expect(stack.surface.latest(finish2).text).toContain(`${line}, the task it continues.`);
    const card = await stack.waitForStatus(`${id}-2`, /stopped at/);
    expect(card.fields?.find((f) => f.label === 'Whole work')?.value).toContain(line);
  });

  it('a request past the daily budget is answered before anything starts', async () => {
    stack = await Stack.start({ config: CONFIG });
    // opus has no price: claude's own cost, $2 a call, makes alice's day $4.
    await stack.say('use opus to write the release notes fake:items=1 fake:usd=2');
    const status = await stack.surface.until(() => stack?.surface.posts.find((p) => p.reply.title));
    await stack.waitForStatus(status.reply.title as string, /done|stopped/);
    await stack.say('use opus to write the changelog fake:items=1');
    await stack.waitForEphemeral(/cost \$4\.00 today, over the daily budget of \$3/);
    expect(stack.agentRuns()).toHaveLength(1);
    // Someone else's day is their own.
    await stack.say('use opus to write the changelog fake:items=1', 'bob');
    await stack.surface.until(() => stack?.agentRuns().length === 2);
  });
});
