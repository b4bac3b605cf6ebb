import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { recordFault } from '../support/figures.js';
import { ManualClock } from '../support/manual-clock.js';
import { ALICE, MALLORY, SlackRig, visible, visibleCall } from '../support/slack-rig.js';

// Slack end to end: the real Bolt app (HTTP, and Socket Mode once) against the fake
// Slack, wired to the real dispatcher, runner (fake agent CLI), git repo and SQLite store.
const CONFIG = `default: opus
models:
  opus: { backend: claude }
  sonnet: { backend: claude }
limits:
  concurrency: 4
`;

let rig: SlackRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function started(r: SlackRig): Promise<SlackRig> {
  rig = r;
  return r;
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The one task the bot has stored, once it has. */
async function onlyTask(r: SlackRig): Promise<string> {
  const [task] = await r.until('a task to be stored', async () => {
    const tasks = await r.tasks();
    return tasks.length > 0 ? tasks : undefined;
  });
  return task?.id ?? '';
}

describe('Slack end to end: /dispatch with a model', () => {
  it('acks at once, then one thread: the request, its status edited in place to done 3/3, the finish report', async () => {
    const r = await started(await SlackRig.start({ config: CONFIG }));
    const sentAt = Date.now();
    const ack = await r.command('use opus to review the auth module fake:items=3 fake:slow=150');
    const ackMs = Date.now() - sentAt;
    const finishedAtAck = (await r.tasks()).filter((t) => t.state === 'done');
    expect(ack).toEqual({ status: 200, body: '' });
    expect(ackMs).toBeLessThan(3000);
    expect(finishedAtAck).toEqual([]);

    const id = await onlyTask(r);
    const final = await r.untilStatus(id, /done/);
    const task = await r.task(id);
    const thread = task.thread as string;
    const statusTs = task.status?.id as string;

    // The bot's first message in the channel starts the thread; the status is the first reply in it.
    const inChannel = r.accepted().filter((c) => c.body.channel === 'C1');
    expect(inChannel[0]?.body.thread_ts).toBeUndefined();
    expect(visibleCall(inChannel[0] ?? { method: '', body: {}, status: 0 })).toContain(`Dispatching *${id}* using *opus*`);
    const head = r.api.message('C1', thread);
    expect(head?.thread_ts).toBeUndefined();
    expect(head?.text).toBe(inChannel[0]?.body.text);
    expect(inChannel[1]?.body.thread_ts).toBe(thread);
    expect(r.api.message('C1', statusTs)?.thread_ts).toBe(thread);

    // Every edit went to that one status message, and it ends done with the whole checklist ticked.
    const updates = r.accepted('chat.update');
    expect(updates.length).toBeGreaterThan(0);
    expect(new Set(updates.map((u) => `${String(u.body.channel)}/${String(u.body.ts)}`))).toEqual(new Set([`C1/${statusTs}`]));
    expect(visibleCall(inChannel[1] ?? { method: '', body: {}, status: 0 })).toContain(`◌ *${id}*: queued`);
    expect(visibleCall(updates[0] ?? { method: '', body: {}, status: 0 })).toContain(`● *${id}*: running`);
    expect(visibleCall(updates.at(-1) ?? { method: '', body: {}, status: 0 })).toContain(`✓ *${id}*: done`);
    const shown = visible(final);
    expect(shown).toContain(`✓ *${id}*: done`);
    expect(shown).toContain('▓▓▓ 3/3');
    expect(shown.match(/✅/g)).toHaveLength(3);
    expect(shown).toMatch(/opus \(claude-opus-4-6\)/);
    expect(shown).not.toContain('[Cancel]');
    expect(final.edits).toBe(updates.length);

    // The finish report lands in the same thread; no second status message for the task.
    await r.until('the finish report in the thread', () => r.threadPosts('C1', thread).find((c) => visibleCall(c).includes(`*${id}* is done`)));
    const statusPosts = r.accepted().filter((c) => JSON.stringify(c.body.blocks ?? []).includes('"type":"header"'));
    expect(statusPosts).toHaveLength(1);
    expect(r.accepted().every((c) => c.body.channel === 'C1' && (c === inChannel[0] || c.body.thread_ts === thread))).toBe(true);
    expect(r.agentRuns()).toHaveLength(1);
  });
});

describe('Slack end to end: a mention that starts with /dispatch', () => {
  it('reads it as the slash command would: a config change, no task', async () => {
    const r = await started(await SlackRig.start({ config: CONFIG }));
    await r.mention('/dispatch switch default to sonnet');
    await r.until('the config change said', () => r.accepted().find((c) => /Set default to sonnet \(was opus\)/.test(visibleCall(c))));
    expect(readFileSync(r.configFile, 'utf8')).toMatch(/^default: sonnet/m);
    expect(await r.tasks()).toEqual([]);
    expect(r.agentRuns()).toEqual([]);
  });
});

describe('Slack end to end: confirming the default by buttons', () => {
  it("shows Dispatch with opus, the menu and Cancel; ignores another user's press; two presses dispatch once", async () => {
    const r = await started(await SlackRig.start({ config: CONFIG }));
    await r.command('do a security review fake:items=1');
    const promptCall = await r.until('the confirm prompt', () => r.accepted().find((c) => /Sound good\?/.test(visibleCall(c))));
    expect(promptCall.body.thread_ts).toBeUndefined();
    const shown = visibleCall(promptCall);
    expect(shown).toMatch(/I'll dispatch this using \*opus\* \(the config default\)/);
    expect(shown).toContain('[Dispatch with opus]');
    expect(shown).toContain('[Cancel]');
    expect(shown).toContain('<sonnet>');
    expect(shown).toContain('_Only <@UALICE> can answer; this prompt expires in 15 min._');
    const pendingId = /"value":"confirm\|([^"|]+)"/.exec(JSON.stringify(promptCall.body.blocks))?.[1] ?? '';
    // The prompt is stored (with the ref of its message) right after it is posted.
    const prompt = await r.until('the posted prompt to be stored', async () => (await r.bot.store.getPending(pendingId))?.prompt);
    expect(prompt?.channel).toBe('C1');
    const promptTs = prompt?.id ?? '';
    const seen = structuredClone(r.api.message('C1', promptTs));

    expect((await r.press('C1', promptTs, 'Dispatch with opus', MALLORY)).status).toBe(200);
    const refusal = await r.until('an ephemeral to mallory', () => r.accepted('chat.postEphemeral').find((c) => c.body.user === MALLORY.id));
    expect(String(refusal.body.text)).toMatch(/Only <@UALICE> can answer that prompt/);
    expect(await r.tasks()).toEqual([]);
    expect(await r.bot.store.getPending(pendingId)).toBeDefined();

    const presses = await Promise.all([r.press('C1', promptTs, 'Dispatch with opus'), r.press('C1', promptTs, 'Dispatch with opus')]);
    expect(presses.map((p) => p.status)).toEqual([200, 200]);
    const id = await onlyTask(r);
    await r.untilStatus(id, /done/);
    await r.until('the prompt to say it was confirmed', () => /Dispatching with \*opus\* \(confirmed by <@UALICE>\)/.test(visible(r.api.message('C1', promptTs) ?? { blocks: [], text: '' })));
    // Both presses reached the dispatcher (each press has its own trigger id): the store's one-taker
    // pending prompt, not the adapter's dedupe, is what dispatched once.
    await r.until('the slash command and all three presses to be judged new', () => r.deliveries.filter((d) => d.key.startsWith('slack:trigger:') && d.first).length === 4);

    // The buttons are gone; a press from a client still showing them is told the prompt is spent.
    expect(visible(r.api.message('C1', promptTs) ?? { blocks: [], text: '' })).not.toContain('[Dispatch with opus]');
    await r.press('C1', promptTs, 'Dispatch with opus', ALICE, seen);
    await r.until('an ephemeral to alice', () => r.accepted('chat.postEphemeral').find((c) => c.body.user === ALICE.id));
    expect(String(r.accepted('chat.postEphemeral').find((c) => c.body.user === ALICE.id)?.body.text)).toMatch(/already answered or has expired/);
    expect(await r.tasks()).toHaveLength(1);
    expect(r.agentRuns()).toHaveLength(1);
    expect(r.agentRuns()[0]?.argv).toEqual(expect.arrayContaining(['--model', 'opus']));
  });
});

/** The confirm prompt posted for a request, by its ts (read back from the pending record). */
async function confirmPromptTs(r: SlackRig, nth: number): Promise<string> {
  const calls = await r.until('the confirm prompt', () => {
    const prompts = r.accepted().filter((c) => /Sound good\?/.test(visibleCall(c)));
    return prompts.length > nth ? prompts : undefined;
  });
  const pendingId = /"value":"confirm\|([^"|]+)"/.exec(JSON.stringify(calls[nth]?.body.blocks))?.[1] ?? '';
  // The prompt is stored before it is posted, and its message once Slack has answered the post.
  const prompt = await r.until('the prompt message to be stored', async () => (await r.bot.store.getPending(pendingId))?.prompt);
  return prompt.id;
}

describe('Slack end to end: the confirm prompt menu, Cancel and expiry', () => {
  it('dispatches with the model picked from the menu; Cancel dispatches nothing', async () => {
    const r = await started(await SlackRig.start({ config: CONFIG }));
    await r.command('tidy the changelog fake:items=1');
    const picked = await confirmPromptTs(r, 0);
    await r.press('C1', picked, 'sonnet');
    const id = await onlyTask(r);
    await r.untilStatus(id, /done/);
    expect(visible(r.statusOf(await r.task(id)) ?? { blocks: [], text: '' })).toContain('sonnet (claude-sonnet-4-6)');
    expect(r.agentRuns()[0]?.argv).toEqual(expect.arrayContaining(['--model', 'sonnet']));

    await r.command('rewrite the onboarding guide fake:items=1');
    const cancelled = await confirmPromptTs(r, 1);
    await r.press('C1', cancelled, 'Cancel');
    await r.until('the prompt to say it was cancelled', () => /Cancelled; nothing was dispatched\./.test(visible(r.api.message('C1', cancelled) ?? { blocks: [], text: '' })));
    expect(await r.tasks()).toHaveLength(1);
    expect(r.agentRuns()).toHaveLength(1);
  });

  it('says an expired prompt expired instead of dispatching', async () => {
    const clock = new ManualClock();
    const r = await started(await SlackRig.start({ config: `${CONFIG.replace('limits:\n', 'limits:\n  confirm_timeout: 1m\n')}`, clock }));
    await r.command('do a security review fake:items=1');
    await r.until('the confirm prompt', () => r.accepted().find((c) => /Sound good\?/.test(visibleCall(c))));
    // Nobody presses: at its deadline the prompt is edited to say it expired, its buttons gone (a late
    // press is refused; see the dispatcher tests). The test moves the clock a minute at every look.
    const edit = await r.until('the prompt to say it expired', () => {
      clock.advance(60_000);
      return r.api.callsOf('chat.update').find((c) => /expired/.test(visibleCall(c)));
    });
    expect(visible(r.api.message('C1', String(edit.body.ts)) ?? { blocks: [], text: '' })).toMatch(/expired after/);
    expect(visibleCall(edit)).not.toContain('[Dispatch with opus]');
    expect(await r.tasks()).toEqual([]);
    expect(r.agentRuns()).toEqual([]);
  });
});

describe('Slack end to end: worker questions', () => {
  it('asks in the thread mentioning the requester; a thread reply answers it and the task finishes', async () => {
    const r = await started(await SlackRig.start({ config: CONFIG }));
    await r.command('use sonnet to set up the database fake:items=2 fake:ask=Which database?');
    const id = await onlyTask(r);
    const question = await r.until('the question in the thread', () => r.accepted().find((c) => /asks:\nWhich database\?/.test(visibleCall(c))));
    const thread = (await r.task(id)).thread as string;
    expect(question.body.thread_ts).toBe(thread);
    expect(visibleCall(question)).toMatch(/^<@UALICE> \*[a-z-]+\* asks:/);
    expect(visibleCall(question)).toContain('[Answer]');
    await r.untilStatus(id, /waiting for your answer/);

    await r.threadReply('Postgres please', thread);
    await r.until('the answer to be acknowledged', () => r.threadPosts('C1', thread).find((c) => /Answer sent\. Worker is continuing\./.test(visibleCall(c))));
    await r.untilStatus(id, /done/);
    const report = await r.until('the finish report', () => r.threadPosts('C1', thread).find((c) => /is done/.test(visibleCall(c))));
    expect(visibleCall(report)).toContain('Answer to 001: Postgres please');
    expect(r.agentRuns()).toHaveLength(1);
  });

  it('answers through the Answer button: a modal opens, its submission reaches the same worker', async () => {
    const r = await started(await SlackRig.start({ config: CONFIG }));
    await r.command('use sonnet to migrate the schema fake:items=2 fake:ask=Which engine?');
    const id = await onlyTask(r);
    const [question] = await r.until('the open question', async () => {
      const open = await r.bot.store.openQuestions(id);
      return open.length > 0 && open[0]?.posted ? open : undefined;
    });
    const thread = (await r.task(id)).thread as string;
    const questionTs = question?.posted?.id ?? '';
    expect(r.api.message('C1', questionTs)?.thread_ts).toBe(thread);

    await r.press('C1', questionTs, 'Answer');
    const opened = await r.until('views.open', () => r.accepted('views.open')[0]);
    const view = opened.body.view as { title?: { text?: string }; private_metadata?: string };
    expect(view.title?.text).toBe(`Answer ${id}`.slice(0, 24));
    expect(JSON.parse(view.private_metadata ?? '{}')).toMatchObject({ c: 'C1', t: thread });

    expect((await r.submitView(opened, 'MySQL 8')).status).toBe(200);
    await r.until('the answer to be acknowledged', () => r.threadPosts('C1', thread).find((c) => /Answer sent\. Worker is continuing\./.test(visibleCall(c))));
    await r.untilStatus(id, /done/);
    const report = await r.until('the finish report', () => r.threadPosts('C1', thread).find((c) => /is done/.test(visibleCall(c))));
    expect(visibleCall(report)).toContain('Answer to 001: MySQL 8');
    expect(r.agentRuns()).toHaveLength(1);
  });
});

describe('Slack end to end: notes from the thread', () => {
  it('a thread reply mentioning the bot (delivered twice by Slack) becomes one note the worker reads', async () => {
    const r = await started(await SlackRig.start({ config: CONFIG }));
    await r.command('use opus to review the refunds flow fake:items=2 fake:await-note');
    const id = await onlyTask(r);
    await r.untilStatus(id, /running/);
    const thread = (await r.task(id)).thread as string;

    const said = await r.threadMention('also check partial refunds', thread, MALLORY);
    expect(said.map((s) => s.result.status)).toEqual([200, 200]);
    await r.until('the note to be acknowledged', () => r.threadPosts('C1', thread).find((c) => visibleCall(c).includes(`Added your note to *${id}*'s plan`)));
    await r.untilStatus(id, /done/);
    const report = await r.until('the finish report', () => r.threadPosts('C1', thread).find((c) => /is done/.test(visibleCall(c))));
    expect(visibleCall(report)).toMatch(/Notes read: [^\n]*also check partial refunds/);
    expect(visibleCall(report)).not.toMatch(/also check partial refunds[^\n]*also check partial refunds/);
    expect(r.threadPosts('C1', thread).filter((c) => visibleCall(c).includes('Added your note'))).toHaveLength(1);
  });
});

describe('Slack end to end: delivery', () => {
  it('dispatches once for a mention that Slack retried and delivered again under a new event id', async () => {
    const r = await started(await SlackRig.start({ config: CONFIG }));
    const text = 'use opus to audit the billing code fake:items=1';
    const first = await r.mention(text);
    const retried = await r.mention(text, ALICE, 'C1', { ts: first.ts, eventId: first.eventId, retryNum: 1 });
    const duplicate = await r.mention(text, ALICE, 'C1', { ts: first.ts });
    expect([first, retried, duplicate].map((s) => s.result.status)).toEqual([200, 200, 200]);
    // Each delivery was judged by the store on all its keys at once: the retry repeats the event
    // id, the copy (a new event id) repeats the message.
    await r.until('all three deliveries to be judged', () => r.deliveries.filter((d) => d.key === `slack:msg:C1:${first.ts}`).length === 3);
    expect(r.deliveries.filter((d) => d.key === `slack:${first.eventId}`).map((d) => d.first)).toEqual([true, false]);
    expect(r.deliveries.filter((d) => d.key === `slack:msg:C1:${first.ts}`).map((d) => d.first)).toEqual([true, false, false]);

    const id = await onlyTask(r);
    await r.untilStatus(id, /done/);
    expect(await r.tasks()).toHaveLength(1);
    expect(r.agentRuns()).toHaveLength(1);
    expect(r.accepted().filter((c) => /Dispatching \*/.test(visibleCall(c)))).toHaveLength(1);
  });
});

describe('Slack end to end: the status message buttons', () => {
  const GUARDED = `${CONFIG}access:\n  admin: [UBOSS]\n`;

  it('Cancel is the requester\'s; it stops the worker and the status ends cancelled; Logs and Retry answer in the thread', async () => {
    const r = await started(await SlackRig.start({ config: GUARDED }));
    await r.command('use opus to review the payments code fake:items=3 fake:hang');
    const id = await onlyTask(r);
    const running = await r.untilStatus(id, /running[\s\S]*0\/3/);
    expect(visible(running)).toContain('[Cancel]');
    const task = await r.task(id);
    const thread = task.thread as string;
    const statusTs = task.status?.id as string;

    await r.press('C1', statusTs, 'Cancel', MALLORY);
    const refusal = await r.until('an ephemeral to mallory', () => r.accepted('chat.postEphemeral').find((c) => c.body.user === MALLORY.id));
    expect(String(refusal.body.text)).toContain(`Only <@UALICE> (who dispatched *${id}*) or an admin can do that.`);
    expect(refusal.body.thread_ts).toBe(thread);
    expect((await r.task(id)).state).toBe('running');

    await r.press('C1', statusTs, 'Cancel');
    await r.until('the cancel to be acknowledged in the thread', () => r.threadPosts('C1', thread).find((c) => visibleCall(c).includes(`Cancelling *${id}*`)));
    const cancelled = await r.untilStatus(id, /cancelled/);
    expect(visible(cancelled)).toContain(`■ *${id}*: cancelled`);
    expect(visible(cancelled)).toContain('[Retry]');
    expect(visible(cancelled)).not.toContain('[Cancel]');
    await r.until('the finish report', () => r.threadPosts('C1', thread).find((c) => visibleCall(c).includes(`*${id}* was cancelled`)));
    expect(alive(task.pid)).toBe(false);

    await r.press('C1', statusTs, 'Logs');
    const logs = await r.until('the log in the thread', () => r.threadPosts('C1', thread).find((c) => visibleCall(c).includes(`Last 40 lines of *${id}*'s log:`)));
    expect(visibleCall(logs)).toContain('Wrote the plan: 3 steps');

    await r.press('C1', statusTs, 'Retry');
    const again = await r.until('a second task with its card', async () => (await r.tasks()).find((t) => t.id !== id && t.status));
    expect(again.id).toBe(`${id}-2`);
    expect(again.thread).toBe(thread);
    await r.untilStatus(again.id, /running/);
    expect(r.api.message('C1', again.status?.id ?? '')?.thread_ts).toBe(thread);
    await r.until('the retry to start a worker', () => r.agentRuns().length === 2);
  });
});

describe('Slack end to end: delivery across a restart', () => {
  it('a retry Slack sends after the bot restarted dispatches nothing again', async () => {
    const r = await started(await SlackRig.start({ config: CONFIG }));
    const text = 'use opus to audit the ledger code fake:items=1';
    const first = await r.mention(text);
    const id = await onlyTask(r);
    await r.untilStatus(id, /done/);

    await r.restart({ config: CONFIG });
    const retried = await r.mention(text, ALICE, 'C1', { ts: first.ts, eventId: first.eventId, retryNum: 2 });
    expect(retried.result.status).toBe(200);
    await r.until('the retry to be judged', () => r.deliveries.filter((d) => d.key === `slack:${first.eventId}`).length === 2);
    expect(r.deliveries.filter((d) => d.key === `slack:${first.eventId}`).map((d) => d.first)).toEqual([true, false]);
    // The restarted bot still answers: a new request goes through, and the retried one never did.
    await r.mention('use opus to audit the invoice code fake:items=1');
    await r.until('the second task done', async () => {
      const tasks = await r.tasks();
      return tasks.length === 2 && tasks.every((t) => t.state === 'done');
    });
    expect(r.agentRuns()).toHaveLength(2);
    expect(r.agentRuns().filter((run) => run.prompt.includes('ledger'))).toHaveLength(1);
  });
});

describe('Slack end to end: a bot restart mid-task', () => {
  it('re-adopts the running worker and edits the same status message through to done', async (context) => {
    const r = await started(await SlackRig.start({ config: CONFIG }));
    // The worker waits for a note at its second step: it is running for as long as the test needs.
    await r.command('use opus to review the search module fake:items=3 fake:await-note');
    const id = await onlyTask(r);
    await r.untilStatus(id, /running/);
    const before = await r.task(id);

    await r.restart({ config: CONFIG });
    expect(alive(before.pid)).toBe(true);
    expect((await r.task(id)).state).toBe('running');
    await r.threadReply('go on', before.thread as string);
    const final = await r.untilStatus(id, /done/);
    expect(visible(final)).toContain('▓▓▓ 3/3');
    const after = await r.task(id);
    expect(after.status?.id).toBe(before.status?.id);
    expect(after.pid).toBe(before.pid);
    const thread = before.thread as string;
    await r.until('the finish report', () => r.threadPosts('C1', thread).find((c) => visibleCall(c).includes(`*${id}* is done`)));
    expect(r.threadPosts('C1', thread).filter((c) => JSON.stringify(c.body.blocks ?? []).includes('"type":"header"'))).toHaveLength(1);
    expect(r.agentRuns()).toHaveLength(1);
    recordFault(context, [r.threadPosts('C1', thread).filter((c) => visibleCall(c).includes(`*${id}* is done`)).length]);
  });
});

describe('Slack end to end: the same words in several channels at once', () => {
  it('gives each request its own task and thread (distinct ids), none refused as already queued', async () => {
    const r = await started(await SlackRig.start({ config: CONFIG }));
    const channels = ['C1', 'C2', 'C3'];
    const said = await Promise.all(channels.map((c) => r.mention('use opus to review the auth module fake:items=1', ALICE, c)));
    const tasks = await r.until('three tasks done', async () => {
      const all = await r.tasks();
      return all.length === 3 && all.every((t) => t.state === 'done') ? all : undefined;
    });
    expect(new Set(tasks.map((t) => t.id)).size).toBe(3);
    for (const s of said) {
      const task = tasks.find((t) => t.where.channel === s.channel && t.where.message === s.ts);
      expect(task?.thread).toBeDefined();
      await r.untilStatus(task?.id ?? '', /done/);
      expect(r.statusOf(task as (typeof tasks)[number])?.thread_ts).toBe(task?.thread);
    }
    expect(r.agentRuns()).toHaveLength(3);
    expect(r.accepted().filter((c) => /Something went wrong/.test(visibleCall(c)))).toEqual([]);
  });
});

describe('Slack end to end: /dispatch status', () => {
  it("lists the channel's tasks with state, progress and model, in the channel", async () => {
    const r = await started(await SlackRig.start({ config: CONFIG }));
    await r.command('use opus to review the auth module fake:items=2');
    await r.command('use sonnet to set up the database fake:items=2 fake:ask=Which database?');
    await r.command('use opus to write the api docs fake:items=1', ALICE, 'C2');
    const tasks = await r.until('three tasks', async () => {
      const all = await r.tasks();
      return all.length === 3 ? all : undefined;
    });
    const idOf = (goal: string): string => tasks.find((t) => t.spec.goal.includes(goal))?.id ?? goal;
    const [reviewId, dbId, docsId] = [idOf('auth module'), idOf('database'), idOf('api docs')];
    await r.untilStatus(reviewId, /done/);
    await r.untilStatus(dbId, /waiting for your answer/);
    await r.untilStatus(docsId, /done/);

    expect((await r.command('status')).status).toBe(200);
    const answer = await r.until('the status answer', () => r.accepted().find((c) => /in this channel/.test(visibleCall(c))));
    expect(answer.body.channel).toBe('C1');
    expect(answer.body.thread_ts).toBeUndefined();
    const shown = visibleCall(answer);
    expect(shown).toMatch(/\*1 running\*, 1 finished in this channel/);
    expect(shown).toMatch(new RegExp(`\\? ${dbId}: waiting for your answer 1/2 · sonnet \\(claude-sonnet-4-6\\)`));
    expect(shown).toMatch(new RegExp(`✓ ${reviewId}: done 2/2 · opus \\(claude-opus-4-6\\)`));
    expect(shown).not.toContain(docsId);
    // each line links to the task's status message in its thread
    const review = await r.task(reviewId);
    expect(shown).toContain(`https://fake.slack.test/archives/C1/p${(review.status?.id ?? '').replace('.', '')}`);
  });
});

describe('Slack end to end: Socket Mode', () => {
  it('takes /dispatch over the WebSocket and runs the task to done', async () => {
    const r = await started(await SlackRig.start({ config: CONFIG, socketMode: true }));
    expect(r.slack?.port).toBeUndefined();
    expect(r.api.callsOf('apps.connections.open')).toHaveLength(1);
    const ack = await r.socketCommand('use opus to review the auth module fake:items=3');
    expect(r.api.acks.map((a) => a.envelope_id)).toContain(ack.envelope_id);
    const id = await onlyTask(r);
    const final = await r.untilStatus(id, /done/);
    expect(visible(final)).toContain('3/3');
    const thread = (await r.task(id)).thread as string;
    await r.until('the finish report', () => r.threadPosts('C1', thread).find((c) => /is done/.test(visibleCall(c))));
    expect(r.agentRuns()).toHaveLength(1);
  });
});
