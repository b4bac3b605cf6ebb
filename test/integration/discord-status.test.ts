import { describe, expect, it } from 'vitest';
import { closeAfterEach } from '../support/close-after-each.js';
import type { FakeMessage } from '../fakes/discord-server.js';
import { DiscordApp } from '../support/discord-rig-app.js';

// Through the real discord.js client and the fake Discord: what a task costs (codex's usage
// format, priced from the config), a budget's stop and its requester-only Continue, a stall
// alert, and mentions limited to the requester (allowed_mentions).
const CONFIG = `default: opus
models:
  opus: { backend: claude }
  gpt-5.3-codex: { backend: codex, price: { input: 1, output: 10 } }
  sonnet: { backend: claude, price: { input: 50, output: 0 } }
limits:
  max_cost_usd: 2
  stall_after: 1s
`;

const opened = closeAfterEach();

function button(message: FakeMessage | undefined, label: string): string {
  const rows = (message?.components ?? []) as { components: { custom_id: string; label?: string }[] }[];
  const found = rows.flatMap((r) => r.components).find((c) => c.label === label);
  if (!found) throw new Error(`no "${label}" button on: ${DiscordApp.text(message)}`);
  return found.custom_id;
}

describe('Discord: cost, budget, stall and mentions', () => {
  it('codex tokens priced from the config in the report, which mentions only the requester', async () => {
    const r = opened(await DiscordApp.start({ config: CONFIG }));
    const thread = String(r.mention('use gpt-5.3-codex to tidy the logging fake:items=3 fake:tokens=100000/10000').id);
    const task = await r.until('the task with its card', async () => (await r.tasks()).find((t) => t.status));
    const report = await r.until('the finish report', () => r.findBotMessage(thread, new RegExp(`\\*\\*${task.id}\\*\\* is done`)));
    expect(DiscordApp.text(report)).toContain('Used 400,000 tokens in, 40,000 out, about $0.80.');
    expect(report.content.startsWith(`<@${r.fake.alice.id}>`)).toBe(true);
    const posted = r.posts(thread).find((c) => String(c.body.content ?? '').startsWith(`<@${r.fake.alice.id}>`));
    expect(posted?.body.allowed_mentions).toEqual({ parse: [], users: [r.fake.alice.id] });
    await r.until('the status with its cost', () => /440k tokens · ~\$0\.80/.test(JSON.stringify(r.statusMessage(thread, task.id)?.embeds ?? [])));
  });

  it('a task past max_cost_usd is stopped; Continue is refused to bob and starts a worker for alice', async () => {
    const r = opened(await DiscordApp.start({ config: CONFIG }));
    const { fake } = r;
    const thread = String(r.mention('use sonnet to index the monorepo fake:burn fake:slow=40 fake:tokens=10000/0').id);
    const task = await r.until('the task with its card', async () => (await r.tasks()).find((t) => t.status));
    const report = await r.until('the stop report', () => r.findBotMessage(thread, new RegExp(`\\*\\*${task.id}\\*\\* was stopped at \\$\\d+\\.\\d\\d \\(limit \\$2\\.00\\)`)));
    const more = button(report, 'Continue with +$2');
    const bobPress = fake.component({ message: report, customId: more, user: fake.bob });
    await r.until("bob's press handled", () => r.wasHandled(bobPress.id));
    const toBob = fake.callsTo('POST', new RegExp(`^/webhooks/${fake.appId}/${bobPress.token}$`));
    expect(toBob.map((c) => [c.body.content, c.body.flags])).toEqual([[`Only <@${fake.alice.id}> can continue **${task.id}**.`, 64]]);
    expect(r.agentRuns()).toHaveLength(1);
    const press = fake.component({ message: report, customId: more });
    await r.until("alice's press handled", () => r.wasHandled(press.id));
    await r.until('a second worker', () => r.agentRuns().length === 2);
    expect(r.agentRuns()[1]?.prompt).toContain('was stopped when it went over its budget');
  });

  it('a silent worker: one stall alert mentioning alice alone', async () => {
    const r = opened(await DiscordApp.start({ config: CONFIG }));
    const thread = String(r.mention('use opus to wait on the staging server fake:items=2 fake:hang').id);
    const task = await r.until('the task with its card', async () => (await r.tasks()).find((t) => t.status));
    const alert = await r.until('the stall alert', () => r.findBotMessage(thread, new RegExp(`\\*\\*${task.id}\\*\\* has made no progress`)));
    expect(alert.content.startsWith(`<@${r.fake.alice.id}>`)).toBe(true);
    await r.until('the status saying so', () => /no progress for \d+ s/.test(DiscordApp.text(r.statusMessage(thread, task.id))));
    expect(r.botMessages(thread).filter((m) => /has made no progress/.test(DiscordApp.text(m)))).toHaveLength(1);
  });
});
