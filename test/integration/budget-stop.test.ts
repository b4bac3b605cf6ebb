import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock.js';
import { ScriptedBot } from '../support/scripted-runner.js';

// The runner side is scripted so the test decides what the worker reports before and after the
// stop (a real worker goes on spending for as long as it takes to die).
const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude }\n';
const ID = 'pricey';

let bot: ScriptedBot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

const usage = (costUsd: number) => ({ inputTokens: Math.round(costUsd * 100_000), outputTokens: 0, costUsd });

describe('a budget stop', () => {
  it('says what the task cost when it was stopped, and the finish report adds what its worker spent while stopping', async () => {
    bot = await ScriptedBot.open(CONFIG, new ManualClock(), { id: ID, budgetUsd: 2 });
    const { runner } = bot;
    runner.emit({ type: 'started', taskId: ID, pid: 4242, dir: '/tmp/pricey' });
    runner.emit({ type: 'usage', taskId: ID, usage: usage(1.5) });
    const stopped = runner.nextCancel();
    runner.emit({ type: 'usage', taskId: ID, usage: usage(2.03) });
    await stopped;
    // Still spending on its way out, then gone.
    runner.emit({ type: 'usage', taskId: ID, usage: usage(2.1) });
    runner.emit({ type: 'finished', taskId: ID, state: 'cancelled' });
    const task = await bot.settledTask(ID);

    expect(runner.cancelled).toEqual([ID]);
    expect(task.budgetStop).toEqual({ spentUsd: 2.03, limitUsd: 2 });
    const card = bot.surface.posts.find((p) => p.reply.title === ID);
    const shown = card && bot.surface.latest(card);
    expect(shown?.text).toContain(`**${ID}**: stopped at $2.03 (limit $2.00)`);
    expect(shown?.fields?.find((f) => f.label === 'Usage')?.value).toContain('$2.10');
    const finish = bot.surface.posts.find((p) => p.reply.text.startsWith(`**${ID}** was stopped`));
    expect(finish?.reply.text).toMatch(/^\*\*pricey\*\* was stopped at \$2\.03 \(limit \$2\.00\)\. Its worker had spent \$2\.10 in all by the time it stopped\./);
    expect(finish?.reply.text).toContain('Used 210,000 tokens in, 0 out, $2.10.');
    expect(finish?.reply.buttons?.map((b) => b.label)).toContain('Continue with +$2');
  });
});
