import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Stack } from '../support/stack.js';

// A task that fails before its worker starts says why, in its thread, to its requester.
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('a task that fails before its worker starts', () => {
  it('a worktree that cannot be made (the repo is no git repository): the thread says why', async () => {
    stack = await Stack.start({
      config: ({ root }) => {
        const plain = join(root, 'plain');
        mkdirSync(plain, { recursive: true });
        return `default: opus\nmodels:\n  opus: { backend: claude }\nrepos:\n  plain: { path: ${plain}, worktree: always }\n`;
      },
    });
    await stack.say('use opus to fix the login bug in plain fake:items=1');
    const status = await stack.surface.until(() => stack?.surface.posts.find((p) => p.reply.title));
    const id = status.reply.title as string;
    const report = await stack.waitFor(new RegExp(`\\*\\*${id}\\*\\* failed`));
    expect(report.target.thread).toBe(status.target.thread);
    expect(report.reply.mention).toBe('alice');
    expect(`${report.reply.text}\n${report.reply.code ?? ''}`).toMatch(/git|worktree/i);
    expect(stack.agentRuns()).toHaveLength(0);
  });

  it('a CLI that is not installed: the thread names it', async () => {
    stack = await Stack.start({
      config: 'default: helper\nbackends:\n  my-cli: { command: no-such-agent-cli run }\nmodels:\n  helper: { backend: my-cli }\n',
    });
    await stack.say('use helper to tidy the docs fake:items=1');
    const why = await stack.waitFor(/no-such-agent-cli/);
    expect(stack.surface.latest(why).text).toMatch(/not installed|not found|no-such-agent-cli/);
    expect(stack.agentRuns()).toHaveLength(0);
  });
});
