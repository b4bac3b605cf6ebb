import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { botEnv, botPaths, makeRepo } from '../support/bot-env.js';
import { DiscordApp } from '../support/discord-rig-app.js';
import { ShellSession } from '../support/shell-session.js';
import { SlackRig, visibleCall } from '../support/slack-rig.js';

// A report too long for a message arrives whole, as a file (Slack, Discord), or
// as a path the shell prints.
const CONFIG = 'default: opus\nmodels:\n  opus: { backend: claude }\n';
/** The fake agent's output.md: a title line, the finish line, then this many findings. */
const FINDINGS = 3000;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('a 3,000-line report', () => {
  it('on Slack: the finish message quotes its start, and output.md is uploaded whole into the thread', async () => {
    const r = await SlackRig.start({ config: CONFIG });
    closers.push(() => r.close());
    await r.command(`use opus to audit the billing module fake:items=1 fake:report=${FINDINGS}`);
    const [task] = await r.until('the task', async () => ((await r.tasks()).length ? r.tasks() : undefined));
    const id = task?.id ?? '';
    const file = await r.until('a file upload', () => r.api.files.find((f) => f.filename === 'output.md'));
    const thread = (await r.task(id)).thread;
    expect(file).toMatchObject({ channel: 'C1', thread, title: `${id}: output.md` });
    expect(file.content.split('\n')).toHaveLength(FINDINGS + 4);
    expect(file.content).toContain(`- Finding ${FINDINGS}: line ${FINDINGS} of the report of ${id}.`);
    const finish = r.threadPosts('C1', thread ?? '').find((c) => visibleCall(c).includes(`*${id}* is done`));
    expect(visibleCall(finish ?? { method: '', body: {}, status: 0 })).toContain(`all ${(FINDINGS + 4).toLocaleString('en')} lines are in output.md`);
  });

  it('on Discord: output.md is attached whole to the finish message in the thread', async () => {
    const r = await DiscordApp.start();
    closers.push(() => r.close());
    const request = r.mention(`use opus to audit the billing module fake:items=1 fake:report=${FINDINGS}`);
    const thread = String(request.id);
    const task = await r.until('the task with its card', async () => (await r.tasks()).find((t) => t.status));
    const upload = await r.until('an attachment', () => r.fake.uploads.find((u) => u.filename === 'output.md'));
    expect(upload.channel_id).toBe(thread);
    expect(upload.text.split('\n')).toHaveLength(FINDINGS + 4);
    const finish = r.fake.messages.get(upload.message_id);
    expect(DiscordApp.text(finish)).toContain(`**${task.id}** is done.`);
  });

  it('in the shell: the path of output.md is printed, and the file there is whole', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dispatch-report-'));
    closers.push(async () => rmSync(root, { recursive: true, force: true }));
    const repo = makeRepo(join(root, 'app'));
    writeFileSync(botPaths(root).configFile, CONFIG);
    const bot = new ShellSession({ cwd: repo, env: botEnv(root, { SLACK_BOT_TOKEN: '', DISCORD_TOKEN: '' }) });
    closers.push(async () => bot.kill());
    bot.say(`use opus to audit the billing module fake:items=1 fake:report=${FINDINGS}`);
    bot.end();
    expect(await bot.exited).toBe(0);
    const path = /output\.md: (\S+output\.md)/.exec(bot.output)?.[1] ?? '';
    expect(path).toMatch(/\.dispatch\/tasks\/[a-z0-9-]+\/output\.md$/);
    expect(existsSync(path) && readFileSync(path, 'utf8').split('\n')).toHaveLength(FINDINGS + 4);
    expect(bot.output).not.toContain(`Finding ${FINDINGS}:`);
  });
});
