import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Inbound } from '../../src/chat/inbound.js';
import { createShellSurface, runShell, toInbound } from '../../adapters/shell/index.js';

function surfaceWithOutput() {
  const out = new PassThrough();
  let printed = '';
  out.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const surface = createShellSurface(out, false);
  return { surface, out, printed: () => printed };
}

describe('shell surface', () => {
  it('turns buttons and a menu into numbered choices, answered by number or label', async () => {
    const { surface, printed } = surfaceWithOutput();
    await surface.post(
      { channel: 'local' },
      {
        text: "I'll dispatch this using **opus** (your default). Sound good?",
        buttons: [
          { action: { type: 'confirm', prompt: 'p1' }, label: 'Dispatch with opus' },
          { action: { type: 'cancel-prompt', prompt: 'p1' }, label: 'Cancel' },
        ],
        select: { placeholder: 'Pick', options: [{ label: 'sonnet', action: { type: 'pick-model', prompt: 'p1', model: 'sonnet' } }] },
      },
    );
    await new Promise((r) => setImmediate(r));
    expect(printed()).toContain("I'll dispatch this using opus (your default). Sound good?");
    expect(printed()).toMatch(/1\) Dispatch with opus\n\s+2\) Cancel\n\s+3\) sonnet/);
    expect(toInbound(surface, '3', 'alice')).toMatchObject({ kind: 'action', action: { type: 'pick-model', prompt: 'p1', model: 'sonnet' } });
    // a choice counts once: the next "3" is a chat line again
    expect(toInbound(surface, '3', 'alice')).toMatchObject({ kind: 'message', text: '3' });
  });

  it('matches a choice by its label, case-insensitively', async () => {
    const { surface } = surfaceWithOutput();
    await surface.post({ channel: 'local' }, { text: 'Pick', buttons: [{ action: { type: 'confirm', prompt: 'p9' }, label: 'Dispatch with opus' }] });
    expect(toInbound(surface, 'dispatch with OPUS', 'bob')).toMatchObject({ kind: 'action', action: { type: 'confirm', prompt: 'p9' }, who: { id: 'bob' } });
  });

  it('reads #<task-id> as a reply in that task, and labels thread lines with the task id', async () => {
    const { surface, printed } = surfaceWithOutput();
    const first = await surface.post({ channel: 'local', startThread: true }, { text: 'Dispatching **auth-review**' });
    await surface.post({ channel: 'local', thread: first.thread as string }, { title: 'auth-review', text: 'running' });
    await new Promise((r) => setImmediate(r));
    expect(printed()).toContain('[auth-review] running');
    expect(toInbound(surface, '#auth-review use postgres', 'alice')).toMatchObject({ kind: 'message', task: 'auth-review', text: 'use postgres' });
  });

  it('re-prints an edited status only when what it shows changed', async () => {
    const { surface, printed } = surfaceWithOutput();
    const ref = await surface.post({ channel: 'local', thread: 't1' }, { title: 'x', text: 'running', fields: [{ label: 'Elapsed', value: '1s' }] });
    await surface.edit(ref, { title: 'x', text: 'running', fields: [{ label: 'Elapsed', value: '2s' }] });
    await surface.edit(ref, { title: 'x', text: 'done', fields: [{ label: 'Elapsed', value: '3s' }] });
    await new Promise((r) => setImmediate(r));
    expect(printed().match(/running/g)).toHaveLength(1);
    expect(printed()).toContain('[x] done');
  });

  it('joins lines ending in a backslash into one message and reports the end of input', async () => {
    const { surface, out } = surfaceWithOutput();
    const input = new PassThrough();
    const got: Inbound[] = [];
    let ended = false;
    const run = runShell(surface, {
      input,
      output: out,
      user: 'alice',
      interactive: false,
      onInbound: async (inbound) => {
        got.push(inbound);
      },
      onEnd: async () => {
        ended = true;
      },
    });
    input.end('we launch Thursday:\\\n1) security audit, use opus\\\n2) docs, use gemini\nstatus\n');
    await run;
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({ kind: 'message', text: 'we launch Thursday:\n1) security audit, use opus\n2) docs, use gemini', who: { id: 'alice' } });
    expect(got[1]).toMatchObject({ kind: 'message', text: 'status' });
    expect(ended).toBe(true);
  });

  it('has no threads to reply in: says how to answer by task id, and drops the Answer button it cannot honour', async () => {
    const { surface, printed } = surfaceWithOutput();
    expect(surface.replyHint('auth-review')).toBe('Answer with `#auth-review <your answer>`.');
    await surface.post({ channel: 'local', thread: 't1' }, { title: 'auth-review', text: 'running' });
    await surface.post(
      { channel: 'local', thread: 't1' },
      { mention: 'alice', text: '**auth-review** asks:\nWhich DB?', buttons: [{ action: { type: 'answer', task: 'auth-review', seq: '001' }, label: 'Answer', opensInput: true }] },
    );
    await new Promise((r) => setImmediate(r));
    expect(printed()).not.toContain('1) Answer');
    expect(toInbound(surface, '1', 'alice')).toMatchObject({ kind: 'message', text: '1' });
  });

  it('an edited status prints only the lines that changed, labelled with the task id', async () => {
    const { surface, printed } = surfaceWithOutput();
    const items = (done: number) => [1, 2, 3].map((n) => ({ text: `Step ${n}`, mark: n <= done ? ('done' as const) : ('pending' as const) }));
    const card = (state: string, done: number, elapsed: string) => ({ title: 'auth-review', text: state, fields: [{ label: 'Elapsed', value: elapsed }], checklist: items(done), progress: { done, total: 3 } });
    const ref = await surface.post({ channel: 'local', thread: 't1' }, card('● running', 0, '1s'));
    const before = printed().length;
    await surface.edit(ref, card('● running', 1, '2s'));
    await surface.edit(ref, card('● running', 1, '9s'));
    expect(printed().slice(before)).toBe('[auth-review] ▓▓▓░░░░░░░ 1/3\n              [x] Step 1\n');
    await surface.edit(ref, card('✓ done', 3, '12s'));
    expect(printed().slice(before).match(/Step 3/g)).toHaveLength(1);
    expect(printed()).toContain('[auth-review] ✓ done');
  });

  it('labels a fan-out thread\'s lines with the task a message is about, never with the thread id', async () => {
    const { surface, printed } = surfaceWithOutput();
    const head = await surface.post({ channel: 'local', startThread: true }, { text: 'All 2 workers dispatched.' });
    const thread = head.thread as string;
    await surface.post({ channel: 'local', thread }, { title: 'security-audit', text: 'queued' });
    await surface.post({ channel: 'local', thread }, { title: 'perf-audit', text: 'queued' });
    await surface.post({ channel: 'local', thread }, { text: '**perf-audit** asks:\nWhich endpoint?' });
    await surface.post({ channel: 'local', thread }, { text: 'Added your note.' });
    await new Promise((r) => setImmediate(r));
    expect(printed()).toContain('[perf-audit] perf-audit asks:');
    expect(printed()).toContain('[security-audit, perf-audit] Added your note.');
    expect(printed()).not.toMatch(/\[t\d+\]/);
  });

  it('in a terminal, news arriving at the prompt is printed above a fresh prompt', async () => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const surface = createShellSurface(out, true);
    surface.prompt('dispatch> ');
    await surface.post({ channel: 'local', thread: 't1' }, { title: 'auth-review', text: 'running' });
    await new Promise((r) => setImmediate(r));
    expect(printed).toBe('dispatch> \r\u001b[2K[auth-review] running\ndispatch> ');
    surface.promptTaken();
    await surface.post({ channel: 'local' }, { text: 'No tasks' });
    await new Promise((r) => setImmediate(r));
    expect(printed.endsWith('dispatch> No tasks\n')).toBe(true);
  });
});
