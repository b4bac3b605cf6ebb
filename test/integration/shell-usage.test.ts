import { describe, expect, it } from 'vitest';
import { shellPerTest } from '../support/shell-bench.js';
import type { ShellSession } from '../support/shell-session.js';

// What a task costs, through the shell, with the fake agent printing each CLI's own usage
// format: claude's per-message usage and result cost, codex's turn.completed tokens (priced from
// the config), gemini's stream-json result stats, and Cursor's agent, which tells none.
const CONFIG = `default: sonnet
backends:
  gemini: { command: gemini -p --yolo --output-format stream-json }
  cursor: { command: agent -p --force --output-format stream-json --workspace $(pwd) }
models:
  sonnet: { backend: claude }
  gpt-5.3-codex: { backend: codex, price: { input: 1, output: 10 } }
  gemini-2.5-pro: { backend: gemini }
  composer-2: { backend: cursor }
`;

const bench = shellPerTest(CONFIG);
const shell = bench.shell;

async function dispatch(session: ShellSession, text: string): Promise<string> {
  const from = session.output.length;
  session.say(text);
  const out = await session.waitFor(/Dispatching ([a-z0-9-]+) using/, 20_000, from);
  return /Dispatching ([a-z0-9-]+) using/.exec(out.slice(from))?.[1] as string;
}

/** The finish report of `id`: from its "is done." line to the next blank-line-separated block. */
async function finishOf(session: ShellSession, id: string): Promise<string> {
  const out = await session.waitFor(`${id} is done.`, 25_000);
  return out.slice(out.indexOf(`${id} is done.`)).split('\n').slice(0, 8).join('\n');
}

describe('cost and usage per task', () => {
  it("claude: the status shows tokens while it runs, the report claude's totals and cost, status the day's total", async () => {
    const bot = shell();
    const id = await dispatch(bot, 'use sonnet to audit the auth module fake:items=2 fake:ask=Go on? fake:tokens=2000/500 fake:usd=0.5');
    await bot.waitFor(/asks:\s+Go on\?/);
    // Three calls so far (plan, first item, the question): 7,500 tokens, no cost until claude's result.
    const from = bot.output.length;
    bot.say(`status ${id}`);
    await bot.waitFor('7.5k tokens', 20_000, from);
    bot.say(`#${id} yes`);
    const report = await finishOf(bot, id);
    expect(report).toContain('Used 8,000 tokens in, 2,000 out, $2.00 in 4 turns.');
    const listed = bot.output.length;
    bot.say('status');
    await bot.waitFor('Spent today: $2.00.', 20_000, listed);
    expect(bot.output.slice(listed)).toMatch(new RegExp(`${id}: done .*· \\$2\\.00 ·`));
  });

  it("codex: its turn's tokens, priced from models.<id>.price as an estimate", async () => {
    const bot = shell();
    const id = await dispatch(bot, 'use gpt-5.3-codex to tidy the logging fake:items=3 fake:tokens=100000/10000');
    const report = await finishOf(bot, id);
    // 4 calls: 400,000 in at $1/M and 40,000 out at $10/M.
    expect(report).toContain('Used 400,000 tokens in, 40,000 out, about $0.80.');
  });

  it("gemini (stream-json): its result's tokens, no cost without a price", async () => {
    const bot = shell();
    const id = await dispatch(bot, 'use gemini-2.5-pro to write the docs fake:items=3');
    const report = await finishOf(bot, id);
    expect(report).toContain('Used 4,000 tokens in, 1,000 out.');
  });

  it("Cursor's agent reports no tokens: the report says nothing of usage", async () => {
    const bot = shell();
    const id = await dispatch(bot, 'use composer-2 to rename the helpers fake:items=1');
    const report = await finishOf(bot, id);
    expect(report).not.toContain('Used ');
    expect(report).not.toContain('tokens');
  });
});
