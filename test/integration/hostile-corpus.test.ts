import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordFigure } from '../support/figures.js';
import { hostileLines } from '../support/hostile-corpus.js';
import { Stack } from '../support/stack.js';

/**
 * Chat text never reaches a shell: a corpus of hostile lines goes into a task's request, into
 * notes to a running worker, into an alias prompt (written to the YAML config and read back),
 * and into the model position of a request. Each line that could run anything would only create
 * a file in a canary directory, which must stay empty.
 */

const CONFIG = `default: opus
models:
  opus: { backend: claude }
  sonnet: { backend: claude }
aliases:
  hostile: { model: opus }
access:
  admin: [alice]
  dispatch: [alice]
`;

/** The claude command as the bot builds it, before the prompt (one argument, always last). */
const CLAUDE_ARGV = ['-p', '--dangerously-skip-permissions', '--output-format', 'stream-json', '--verbose', '--model', 'opus'];

let stack: Stack | undefined;
let canary: string | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  if (canary) rmSync(canary, { recursive: true, force: true });
});

describe('a hostile corpus never reaches a shell', () => {
  it('in a request, in notes, in an alias prompt and as a model name', async (context) => {
    canary = mkdtempSync(join(tmpdir(), 'dispatch-canary-'));
    const lines = hostileLines(canary);
    stack = await Stack.start({ config: CONFIG });
    const s = stack;

    // A request holding every line: one worker, its prompt one argument, the lines in it as text.
    await s.say(`use opus to read these lines and report what they say:\n${lines.join('\n')}\nThat is all. fake:items=1`);
    await s.surface.until(() => s.agentRuns().length === 1);
    const [run] = s.agentRuns();
    expect(run?.argv.slice(0, -1)).toEqual(CLAUDE_ARGV);
    expect(run?.argv.at(-1)).toBe(run?.prompt);
    for (const marker of ['$(touch ', '`touch ', '; touch ', '| tee ', "bash -c '", '{touch,', '!!python/object']) expect(run?.prompt).toContain(marker);

    // Notes to a running worker: each is said in its thread; whatever the bot makes of it, nothing runs.
    await s.say('use opus to wait for the notes fake:items=1 fake:hang');
    const status = await s.surface.until(() => s.surface.posts.find((p) => p.reply.title && p.reply.title !== run?.prompt && /wait-notes|notes/.test(p.reply.title)));
    const id = status.reply.title as string;
    await s.waitForStatus(id, /running/);
    for (const line of lines) await s.say(line, 'alice', { thread: status.target.thread as string });
    const notes = s.surface.posts.filter((p) => p.reply.text === `Added your note to **${id}**'s plan; the worker will read it.`).length;
    expect(notes).toBeGreaterThan(lines.length / 2);
    expect(readFileSync(join(s.repo, '.dispatch', 'tasks', id, 'plan.md'), 'utf8')).toContain(`touch ${canary}/semicolon`);
    await s.say(`cancel ${id}`);

    // Alias prompts: written to the YAML file and read back as the same text.
    for (const line of lines) {
      await s.app.dispatcher.handle({ kind: 'input', who: s.who('alice'), where: s.where(), action: { type: 'alias-prompt', alias: 'hostile' }, value: line });
      await s.app.config.reload();
      expect(s.app.config.lastError()).toBeUndefined();
      // Control characters (NUL, terminal escapes) are dropped, as from any chat text; the rest is kept.
      expect(s.app.config.current().aliases.hostile?.prompt?.trim()).toBe(line.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim());
    }

    // Model names: nothing starts with a name made of shell syntax.
    for (const line of lines.slice(0, 20)) await s.say(`use ${line} to fix the login bug`);
    expect(s.agentRuns().every((r) => r.argv.slice(0, -1).join(' ') === CLAUDE_ARGV.join(' '))).toBe(true);

    const escapes = readdirSync(canary).length + (existsSync(join(s.repo, 'pwned')) ? 1 : 0);
    expect(escapes).toBe(0);
    recordFigure(context, 'hostile', { lines: lines.length, escapes });
  });
});
