import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ForgeOrigin, fakeGitHubEnv, refusalTour } from '../support/forge-origin.js';
import { closeAfterEach } from '../support/close-after-each.js';
import { ALICE, MALLORY, SlackRig, visible } from '../support/slack-rig.js';

/**
 * Pull requests on Slack: the real Bolt app against the fake Slack, the real dispatcher
 * and runner (fake agent CLI), a bare repository as origin and the real @octokit/rest talking to
 * the fake GitHub.
 */
const CONFIG = `default: opus
models:
  opus: { backend: claude }
access:
  admin: [UBOSS]
  dispatch: ["*"]
`;

const opened = closeAfterEach();

const onlyTask = (r: SlackRig): Promise<string> => r.until('a task to be stored', async () => (await r.tasks())[0]?.id);

/** The bot on Slack, with the fake GitHub's acme/widgets as its repository's origin. */
async function startWithOrigin(): Promise<{ r: SlackRig; fake: Awaited<ReturnType<typeof fakeGitHubEnv>>; origin: ForgeOrigin }> {
  const fake = await fakeGitHubEnv();
  opened(fake.github);
  const r = opened(await SlackRig.start({ config: CONFIG, env: fake.env }));
  return { r, fake, origin: ForgeOrigin.attach(fake.github, r.root, r.repo) };
}

/** Texts the bot posted in a thread (Slack shows `**x**` as `*x*`). */
function threadTexts(r: SlackRig, thread: string): string[] {
  return r.threadPosts('C1', thread).map((c) => String(c.body.text));
}

describe('Slack: from a finished task to a pull request', () => {
  it("Open PR: another user's press is refused privately; the requester's double press opens one draft PR with output.md, who and a link back; Fix review sends a successor whose commit goes to the same PR", async () => {
    const { r, fake, origin } = await startWithOrigin();
    await r.command('use opus to add a cache in a worktree fake:items=1 fake:commit=1', ALICE);
    const id = await onlyTask(r);
    const done = await r.untilStatus(id, /\[Open PR\]\n\[Push branch\]/);
    const task = await r.task(id);
    const statusTs = task.status?.id as string;
    const thread = task.thread as string;

    await r.press('C1', statusTs, 'Open PR', MALLORY);
    await r.until("mallory's refusal", () => r.accepted('chat.postEphemeral').find((c) => c.body.user === MALLORY.id && /Only <@UALICE>/.test(String(c.body.text))));
    expect(origin.pushes()).toEqual([]);

    await Promise.all([r.press('C1', statusTs, 'Open PR', ALICE, done), r.press('C1', statusTs, 'Open PR', ALICE, done)]);
    await r.until('the PR line', () => threadTexts(r, thread).find((t) => t.startsWith('Opened a draft pull request #1 for *')));
    await r.until('the second press answered', () => r.accepted('chat.postEphemeral').find((c) => /already open: #1/.test(String(c.body.text))));
    expect(fake.github.callsTo('POST', /\/pulls$/)).toHaveLength(1);
    expect(origin.pushes()).toHaveLength(1);
    const [pull] = origin.repo.pulls;
    expect(pull?.draft).toBe(true);
    expect(pull?.body).toContain(`claude finished 1 steps of ${id}.`);
    expect(pull?.body).toMatch(/Dispatched by @alice with opus \(claude-opus-4-6\) · \[thread\]\(https:\/\/fake\.slack\.test\/archives\/C1\/p\d+\)/);
    const card = await r.untilStatus(id, /Pull request/);
    expect(visible(card)).toContain(`#1 ${fake.github.apiUrl}/acme/widgets/pull/1`);
    expect(visible(card)).toContain('[Fix review]');

    origin.repo.threads.set(1, [{ resolved: false, path: 'src/cache.ts', line: 4, comments: [{ author: 'dave', body: 'Use a Map here fake:items=1 fake:commit=1' }] }]);
    await r.press('C1', statusTs, 'Fix review', ALICE);
    await r.until('the successor pushed', () => threadTexts(r, thread).find((t) => t.startsWith(`Pushed 1 commit of *${id}-review* to pull request #1`)), 30_000);
    const successor = r.agentRuns()[1];
    expect(successor?.prompt).toContain('dave on src/cache.ts:4:');
    expect(successor?.prompt).toContain('Use a Map here');
    expect(origin.pushes()).toHaveLength(2);
    expect(origin.head(`dispatch/${id}`)).toBe(execFileSync('git', ['rev-parse', `dispatch/${id}`], { cwd: r.repo, encoding: 'utf8' }).trim());
    expect(r.agentRuns().every((run) => run.env.GITHUB_TOKEN === false)).toBe(true);
  });

  it('"fix #7 … and open a PR" in a mention: the issue in the prompt, the PR opened by itself with "Fixes #7"', async () => {
    const { r, fake, origin } = await startWithOrigin();
    origin.repo.issues.set(7, { title: 'Cache misses on restart', body: 'The cache is cold after every deploy. fake:items=1 fake:commit=1' });
    await r.mention('use opus to fix #7 and open a PR');
    const id = await onlyTask(r);
    const thread = (await r.until('the thread', async () => (await r.task(id)).thread)) as string;
    await r.until('the PR line', () => threadTexts(r, thread).find((t) => t.startsWith(`Opened a draft pull request #1 for *${id}*`)));
    expect(r.agentRuns()[0]?.prompt).toContain('The cache is cold after every deploy.');
    expect(origin.repo.pulls[0]?.body).toContain('\nFixes #7\n');
  });

  it('every failure is one line in the thread: no origin, no token, a protected branch, a rejected push, GitHub 401, 403 and 502', async () => {
    const fake = await fakeGitHubEnv();
    opened(fake.github);
    const noToken = { GITHUB_API_URL: fake.github.apiUrl, GITHUB_TOKEN: '' };
    const r = opened(await SlackRig.start({ config: CONFIG, env: noToken }));
    await r.command('use opus to add a banner in a worktree fake:items=1 fake:commit=1', ALICE);
    const id = await onlyTask(r);
    await r.untilStatus(id, /\[Open PR\]/);
    const task = await r.task(id);
    const thread = task.thread as string;
    const branch = `dispatch/${id}`;
    const openPr = async (): Promise<string> => {
      const before = threadTexts(r, thread).length;
      await r.press('C1', task.status?.id as string, 'Open PR', ALICE);
      return r.until('a reply about the PR', () => threadTexts(r, thread).slice(before).find((t) => t.startsWith(`*${id}*: `)));
    };

    // Slack escapes < and > in message text; the user reads `<url>`.
    expect(await openPr()).toMatch(/has no `origin` remote\. Add one \(git remote add origin &lt;url&gt;\) and try again\.$/);
    const origin = ForgeOrigin.attach(fake.github, r.root, r.repo);
    expect(await openPr()).toMatch(/GITHUB_TOKEN is not set, so the bot cannot talk to GitHub about acme\/widgets/);
    expect(origin.pushes()).toEqual([]);

    await r.restart({ config: CONFIG, env: fake.env });
    await refusalTour(origin, branch, r.root, () => openPr());
    expect(r.logs.join('\n')).not.toContain(fake.github.token);
  });
});
