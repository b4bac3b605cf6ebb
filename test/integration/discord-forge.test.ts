import { describe, expect, it } from 'vitest';
import type { FakeGitHub, GitHubCall } from '../fakes/github-server.js';
import type { FakeMessage } from '../fakes/discord-server.js';
import { ForgeOrigin, fakeGitHubEnv, refusalTour } from '../support/forge-origin.js';
import { closeAfterEach } from '../support/close-after-each.js';
import { DiscordApp, RIG_CONFIG } from '../support/discord-rig-app.js';

/**
 * Pull requests on Discord: the real discord.js client against the fake Discord, the real
 * dispatcher and runner, a bare repository as origin and the real @octokit/rest against the fake
 * GitHub.
 */

const opened = closeAfterEach();

interface Component {
  custom_id: string;
  label?: string;
}

function button(message: FakeMessage | undefined, label: string): string | undefined {
  const all = ((message?.components ?? []) as { components: Component[] }[]).flatMap((row) => row.components);
  return all.find((c) => c.label === label)?.custom_id;
}

async function press(r: DiscordApp, thread: string, taskId: string, label: string, user = r.fake.alice): Promise<{ id: string; token: string }> {
  const status = await r.until(`${label} on ${taskId}'s status`, () => {
    const m = r.statusMessage(thread, taskId);
    return button(m, label) ? m : undefined;
  });
  const pressed = r.fake.component({ message: status, customId: button(status, label) as string, user });
  await r.until(`the press of ${label} handled`, () => r.wasHandled(pressed.id));
  return pressed;
}

const pullPosts = (gh: FakeGitHub): GitHubCall[] => gh.callsTo('POST', /\/pulls$/);

describe('Discord: from a finished task to a pull request', () => {
  it("Open PR: bob's press is refused privately; alice's opens one PR; \"address the review comments\" in the thread sends a successor whose commit goes to the same PR", async () => {
    const fake = await fakeGitHubEnv();
    opened(fake.github);
    const r = opened(await DiscordApp.start({ env: fake.env, config: `${RIG_CONFIG}access:\n  admin: ['${'9'.repeat(18)}']\n  dispatch: ['*']\n` }));
    const origin = ForgeOrigin.attach(fake.github, r.root, r.repo);
    const thread = String(r.mention('use opus to add a cache in a worktree fake:items=1 fake:commit=1').id);
    const task = await r.until('the task with its card', async () => (await r.tasks()).find((t) => t.status));
    await r.until('the task done', () => r.findBotMessage(thread, new RegExp(`\\*\\*${task.id}\\*\\* is done`)));

    const refused = await press(r, thread, task.id, 'Open PR', r.fake.bob);
    const toBob = r.fake.callsTo('POST', new RegExp(`^/webhooks/${r.fake.appId}/${refused.token}$`));
    expect(toBob.map((c) => [c.body.content, c.body.flags])).toEqual([
      [`Only <@${r.fake.alice.id}> (who dispatched **${task.id}**) or an admin can push its branch or work on its pull request.`, 64],
    ]);
    expect(origin.pushes()).toEqual([]);

    await press(r, thread, task.id, 'Open PR');
    await r.until('the PR line', () => r.findBotMessage(thread, new RegExp(`^Opened a draft pull request #1 for \\*\\*${task.id}\\*\\*: `)));
    expect(pullPosts(fake.github)).toHaveLength(1);
    expect(origin.repo.pulls[0]?.body).toContain(`claude finished 1 steps of ${task.id}.`);
    expect(origin.repo.pulls[0]?.body).toMatch(/Dispatched by @alice with opus .*· \[thread\]\(/);
    await r.until('the status shows the PR', () => button(r.statusMessage(thread, task.id), 'Fix review'));

    origin.repo.threads.set(1, [{ resolved: false, path: 'src/cache.ts', line: 8, comments: [{ author: 'dave', body: 'Evict oldest first fake:items=1 fake:commit=1' }] }]);
    r.say(thread, 'address the review comments');
    await r.until('the successor pushed', () => r.findBotMessage(thread, new RegExp(`^Pushed 1 commit of \\*\\*${task.id}-review\\*\\* to pull request #1`)), 30_000);
    expect(r.agentRuns()[1]?.prompt).toContain('Evict oldest first');
    expect(origin.pushes()).toHaveLength(2);
    expect(pullPosts(fake.github)).toHaveLength(1);
  });

  it('every failure is one line in the thread: no origin, a protected branch, a rejected push, GitHub 401, 403 and 502', async () => {
    const fake = await fakeGitHubEnv();
    opened(fake.github);
    const r = opened(await DiscordApp.start({ env: fake.env }));
    const thread = String(r.mention('use opus to add a banner in a worktree fake:items=1 fake:commit=1').id);
    const task = await r.until('the task with its card', async () => (await r.tasks()).find((t) => t.status));
    await r.until('the task done', () => r.findBotMessage(thread, new RegExp(`\\*\\*${task.id}\\*\\* is done`)));
    const branch = `dispatch/${task.id}`;
    const lines = () => r.botMessages(thread).map((m) => DiscordApp.text(m)).filter((t) => t.startsWith(`**${task.id}**: `));
    const openPr = async (): Promise<string> => {
      const before = lines().length;
      await press(r, thread, task.id, 'Open PR');
      return r.until('a reply about the PR', () => lines().slice(before)[0]);
    };

    expect(await openPr()).toMatch(/has no `origin` remote\. Add one \(git remote add origin <url>\) and try again\.$/);
    const origin = ForgeOrigin.attach(fake.github, r.root, r.repo);
    await refusalTour(origin, branch, r.root, openPr);
    expect(r.logs).toEqual([]);
  });
});
