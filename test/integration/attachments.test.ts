import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../src/store/records.js';
import { botEnv, botPaths, makeRepo } from '../support/bot-env.js';
import { DiscordApp } from '../support/discord-rig-app.js';
import { ShellSession } from '../support/shell-session.js';
import type { FakeSlackOptions } from '../fakes/slack-server.js';
import { BOT_USER, SlackRig, visibleCall } from '../support/slack-rig.js';

// Files attached to a request reach the worker's task folder and prompt; files the worker leaves
// in out/ reach the thread; a file too big, or on a host that is not the platform's, is left out
// and said so, and the task starts all the same.
const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude }\n';

/** A small PNG-looking file with every byte value in it: a text round trip anywhere would spoil it. */
function screenshot(label: string): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(label), Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i))]);
}

/** What the fake agent leaves in out/ for `fake:out=NAME`. */
function outFile(name: string, taskId: string): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(`${name} by ${taskId}\n`), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);
}

const inDir = (task: TaskRecord): string => join(task.dir ?? '', '.dispatch', 'tasks', task.id, 'in');

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function slackRig(config = CONFIG, fake: FakeSlackOptions = {}): Promise<SlackRig> {
  const r = await SlackRig.start({ config, fake });
  closers.push(() => r.close());
  return r;
}

/** `@bot <text>` with files shared along, as Slack sends an app_mention with `files`. */
async function mentionWithFiles(r: SlackRig, text: string, files: unknown[]): Promise<void> {
  const ts = r.nextTs();
  await r.event({ type: 'app_mention', user: 'UALICE', text: `<@${BOT_USER}> ${text}`, channel: 'C1', ts, event_ts: ts, files });
}

async function finished(r: SlackRig): Promise<TaskRecord> {
  return r.until('the task to finish', async () => (await r.tasks()).find((t) => t.state === 'done' || t.state === 'failed'));
}

/** A web server that is not Slack's, counting who asks it for what. */
async function stranger(): Promise<{ url: string; asked: IncomingMessage['headers'][]; close: () => Promise<void> }> {
  const asked: IncomingMessage['headers'][] = [];
  const server = createServer((req, res) => {
    asked.push(req.headers);
    res.writeHead(200, { 'content-type': 'image/png' }).end(screenshot('from elsewhere'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  closers.push(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/screenshot.png`, asked, close };
}

describe('attachments on Slack', () => {
  it('a screenshot shared with the request is in the task folder and named in the prompt; a file the worker leaves in out/ is uploaded to the thread', async () => {
    const r = await slackRig();
    const bytes = screenshot('layout bug');
    const shared = r.api.hostFile('Screen Shot 2026-11-29.png', bytes, { mimetype: 'image/png' });
    await mentionWithFiles(r, 'use opus to fix the layout bug in this screenshot fake:items=1 fake:out=chart.png', [shared]);
    const task = await finished(r);
    expect(task.state).toBe('done');
    const path = join(inDir(task), 'Screen Shot 2026-11-29.png');
    expect(readFileSync(path).equals(bytes)).toBe(true);
    const [run] = r.agentRuns();
    expect(run?.prompt).toContain(`## Attached files`);
    expect(run?.prompt).toContain(`- ${path}`);
    // Fetched with the bot token, from Slack.
    expect(r.api.downloads).toEqual([expect.objectContaining({ auth: 'Bearer xoxb-e2e' })]);
    const upload = await r.until('chart.png in the thread', () => r.api.files.find((f) => f.filename === 'chart.png'));
    expect(upload).toMatchObject({ channel: 'C1', thread: task.thread });
    expect(upload.bytes.equals(outFile('chart.png', task.id))).toBe(true);
    // Nothing of the file's bytes is kept with the task.
    expect(JSON.stringify(task.spec)).not.toContain(bytes.toString('base64').slice(0, 40));
  });

  it("a retried task gets the request's files again", async () => {
    const r = await slackRig();
    const bytes = screenshot('retry');
    await mentionWithFiles(r, 'use opus to fix the layout bug in this screenshot fake:items=1', [r.api.hostFile('shot.png', bytes)]);
    const first = await finished(r);
    await r.command(`retry ${first.id}`);
    const again = await r.until('the retry to finish', async () => (await r.tasks()).find((t) => t.id !== first.id && (t.state === 'done' || t.state === 'failed')));
    expect(readFileSync(join(inDir(again), 'shot.png')).equals(bytes)).toBe(true);
    expect(r.api.downloads).toHaveLength(2);
  });

  it('an attachment over the size limit gets a reply in the thread and the task starts without it', async () => {
    const r = await slackRig();
    const big = r.api.hostFile('screenshot.png', screenshot('big'), { mimetype: 'image/png', size: 31 * 1024 * 1024 });
    await mentionWithFiles(r, 'use opus to fix the layout bug in this screenshot fake:items=1', [big]);
    const task = await finished(r);
    expect(task.state).toBe('done');
    const said = r.threadPosts('C1', task.thread ?? '').map(visibleCall);
    expect(said).toContainEqual(expect.stringContaining('screenshot.png is 31 MB, over the 20 MB limit; starting without it.'));
    expect(r.api.downloads).toEqual([]);
    expect(r.agentRuns()[0]?.prompt).not.toContain('## Attached files');
    expect(existsSync(inDir(task))).toBe(false);
  });

  it('a file bigger than it was declared is cut off at the limit, not trusted', async () => {
    const r = await slackRig(`${CONFIG}limits:\n  max_attachment_bytes: 1024\n`);
    const liar = r.api.hostFile('trace.log', Buffer.alloc(64 * 1024, 'x'), { size: 100 });
    await mentionWithFiles(r, 'use opus to read this trace fake:items=1', [liar]);
    const task = await finished(r);
    expect(task.state).toBe('done');
    const said = r.threadPosts('C1', task.thread ?? '').map(visibleCall);
    expect(said).toContainEqual(expect.stringContaining('trace.log is over the 1 KB limit; starting without it.'));
    expect(existsSync(inDir(task))).toBe(false);
  });

  it('a file on a host that is not Slack, or redirected to one, is refused and the token never goes there', async () => {
    const r = await slackRig();
    const elsewhere = await stranger();
    const foreign = { id: 'F9', name: 'foreign.png', mimetype: 'image/png', size: 300, url_private: elsewhere.url, url_private_download: elsewhere.url };
    const redirected = r.api.hostFile('redirected.png', screenshot('x'), { redirectTo: elsewhere.url });
    const fine = r.api.hostFile('fine.png', screenshot('fine'));
    await mentionWithFiles(r, 'use opus to compare these fake:items=1', [foreign, redirected, fine]);
    const task = await finished(r);
    expect(task.state).toBe('done');
    expect(elsewhere.asked).toEqual([]);
    const said = r.threadPosts('C1', task.thread ?? '').map(visibleCall).join('\n');
    const host = new URL(elsewhere.url).host;
    expect(said).toContain(`foreign.png could not be downloaded (${host} is not the platform's file host); starting without it.`);
    expect(said).toContain(`redirected.png could not be downloaded (${host} is not the platform's file host); starting without it.`);
    expect(readdirSync(inDir(task))).toEqual(['fine.png']);
  });
});

describe('attachments on Slack without files:read', () => {
  it("says the app lacks the scope instead of handing the worker Slack's sign-in page", async () => {
    const r = await slackRig(CONFIG, { filesRead: false });
    await mentionWithFiles(r, 'use opus to fix the layout bug in this screenshot fake:items=1', [r.api.hostFile('shot.png', screenshot('x'), { mimetype: 'image/png' })]);
    const task = await finished(r);
    const said = r.threadPosts('C1', task.thread ?? '').map(visibleCall).join('\n');
    expect(said).toContain('shot.png could not be downloaded (Slack answered with a web page, not the file: does the app have the files:read scope?); starting without it.');
    expect(existsSync(inDir(task))).toBe(false);
  });
});

describe('attachments on Discord', () => {
  it('an image attached to a mention is in the task folder and named in the prompt; a file the worker leaves in out/ is attached in the thread', async () => {
    const r = await DiscordApp.start();
    closers.push(() => r.close());
    const bytes = screenshot('discord layout');
    const request = r.fake.userMessage({
      channel: r.fake.general,
      content: `<@${r.fake.bot.id}> use opus to fix the layout bug in this screenshot fake:items=1 fake:out=chart.png`,
      files: [{ filename: 'screenshot.png', bytes, contentType: 'image/png' }],
    });
    const task = await r.until('the task to finish', async () => (await r.tasks()).find((t) => t.state === 'done' || t.state === 'failed'));
    expect(task.state).toBe('done');
    const path = join(inDir(task), 'screenshot.png');
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(r.agentRuns()[0]?.prompt).toContain(`- ${path}`);
    // Discord's CDN links are signed: the bot token is never sent with them.
    expect(r.fake.cdnDownloads).toEqual([expect.objectContaining({ auth: undefined })]);
    const upload = await r.until('chart.png in the thread', () => r.fake.uploads.find((u) => u.filename === 'chart.png'));
    expect(upload.channel_id).toBe(String(request.id));
    expect(upload.bytes.equals(outFile('chart.png', task.id))).toBe(true);
  });
});

describe('attachments in the shell', () => {
  /** One piped request to the shell bot on a scratch repository; its whole output. */
  async function shellRun(config: string, request: string): Promise<string> {
    const root = mkdtempSync(join(tmpdir(), 'dispatch-files-'));
    closers.push(async () => rmSync(root, { recursive: true, force: true }));
    const repo = makeRepo(join(root, 'app'));
    writeFileSync(botPaths(root).configFile, config);
    const bot = new ShellSession({ cwd: repo, env: botEnv(root, { SLACK_BOT_TOKEN: '', DISCORD_TOKEN: '' }) });
    closers.push(async () => bot.kill());
    bot.say(request);
    bot.end();
    expect(await bot.exited).toBe(0);
    return bot.output;
  }

  it('prints where each file the worker left in out/ is', async () => {
    const output = await shellRun(CONFIG, 'use opus to draw the chart fake:items=1 fake:out=chart.png');
    const path = /chart\.png: (\S+chart\.png)/.exec(output)?.[1] ?? '';
    expect(path).toMatch(/\.dispatch\/tasks\/[a-z0-9-]+\/out\/chart\.png$/);
    expect(readFileSync(path).includes(Buffer.from('chart.png by '))).toBe(true);
  });

  it('names an out/ file over the size limit instead of posting it', async () => {
    const output = await shellRun(`${CONFIG}limits:\n  max_attachment_bytes: 100\n`, 'use opus to draw the chart fake:items=1 fake:out=chart.png');
    expect(output).toMatch(/Left in \S+\/out, not posted: chart\.png \(\d+ bytes, over the 100 bytes limit\)/);
    expect(output).not.toMatch(/chart\.png: \//);
  });
});
