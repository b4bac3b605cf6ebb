import { describe, expect, it } from 'vitest';
import { CustomIds } from '../../adapters/discord/custom-ids.js';
import { COLOURS, colourOf, progressBar, renderReply, threadName } from '../../adapters/discord/render.js';
import type { Reply } from '../../src/chat/reply.js';

const json = (reply: Reply) => {
  const r = renderReply(reply, new CustomIds());
  return { content: r.content, embeds: r.embeds.map((e) => e.toJSON()), components: r.components.map((c) => c.toJSON()), files: r.files.map((f) => f.name) };
};

describe('discord rendering', () => {
  it('draws the progress bar one cell per item, at most ten', () => {
    expect(progressBar(4, 8)).toBe('▓▓▓▓░░░░ 4/8');
    expect(progressBar(0, 3)).toBe('░░░ 0/3');
    expect(progressBar(15, 30)).toBe('▓▓▓▓▓░░░░░ 15/30');
    expect(progressBar(0, 0)).toBe('░ 0/0');
  });

  it('colours a card by the state it shows', () => {
    expect(colourOf({ text: '', title: 'fix-login · failed' })).toBe(COLOURS.failed);
    expect(colourOf({ text: '', title: 'fix-login · cancelled' })).toBe(COLOURS.cancelled);
    expect(colourOf({ text: '', title: 'fix-login', progress: { done: 3, total: 3 } })).toBe(COLOURS.done);
    expect(colourOf({ text: '', title: 'fix-login', checklist: [{ text: 'a', mark: 'error' }] })).toBe(COLOURS.failed);
    expect(colourOf({ text: '', title: 'fix-login', progress: { done: 1, total: 3 } })).toBe(COLOURS.running);
  });

  it('names a thread from the title or first line, without markup, within 100 characters', () => {
    expect(threadName({ text: 'x', title: 'security-audit' })).toBe('security-audit');
    expect(threadName({ text: '\n**Dispatched** `perf-audit` to <@123456789012345678>' })).toBe('Dispatched perf-audit to');
    expect(threadName({ text: 'y'.repeat(300) })).toHaveLength(100);
    expect(threadName({ text: '   ' })).toBe('dispatch');
  });

  it('keeps a conversational reply as plain content with bold kept', () => {
    expect(json({ text: 'Dispatch with **opus**?' })).toEqual({ content: 'Dispatch with **opus**?', embeds: [], components: [], files: [] });
  });

  it('renders a card: title, description with the checklist, inline short fields', () => {
    const r = json({ title: 'perf-audit', text: 'Auditing.', fields: [{ label: 'Model', value: 'sonnet' }], checklist: [{ text: 'Profile', mark: 'pending' }] });
    expect(r.content).toBe('');
    expect(r.embeds[0]).toMatchObject({ title: 'perf-audit', description: 'Auditing.\n\n⬜ Profile', fields: [{ name: 'Model', value: 'sonnet', inline: true }] });
  });

  it('never exceeds embed limits: long titles, field values and many fields are cut', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ label: `f${i}`, value: 'v'.repeat(2000) }));
    const r = json({ title: 't'.repeat(400), text: 'x', fields });
    const embed = r.embeds[0];
    expect(embed?.title?.length).toBe(256);
    expect(embed?.fields).toHaveLength(25);
    expect(embed?.fields?.every((f) => f.value.length <= 1024)).toBe(true);
  });

  it('fits at most 5 rows: with a select, buttons get 4 rows of 5', () => {
    const buttons = Array.from({ length: 30 }, (_, i) => ({ action: { type: 'logs' as const, task: `t${i}` }, label: `b${i}` }));
    const r = json({ text: 'x', buttons, select: { placeholder: 'p', options: [{ label: 'a', action: { type: 'set-default', model: 'a' } }] } });
    expect(r.components).toHaveLength(5);
    expect(r.components.slice(0, 4).every((row) => row.components.length === 5)).toBe(true);
    expect(r.components[4]?.components[0]).toMatchObject({ type: 3, custom_id: 's' });
  });

  it('round-trips custom ids, short ones verbatim and long ones through the map', () => {
    const ids = new CustomIds();
    expect(ids.encode('button', { type: 'confirm', prompt: 'p-1' })).toBe('bconfirm|p-1');
    expect(ids.decode('bconfirm|p-1')).toEqual({ kind: 'button', action: { type: 'confirm', prompt: 'p-1' } });
    expect(ids.decode('bconfirm|a|b')).toBeUndefined();
    const pick = { type: 'recover' as const, task: 't'.repeat(60), model: 'm'.repeat(60) };
    const long = ids.encode('input-button', pick);
    expect(long.length).toBeLessThanOrEqual(100);
    expect(ids.decode(long)).toEqual({ kind: 'input-button', action: pick });
    expect(ids.decodeOption(ids.encodeOption(pick))).toEqual(pick);
  });

  it('never decodes a stale id to another action after a restart: it is refused as expired', () => {
    const before = new CustomIds();
    const first = before.encode('button', { type: 'recover', task: 'a'.repeat(60), model: 'opus-with-a-long-name'.repeat(3) });
    const after = new CustomIds();
    after.encode('button', { type: 'retry', task: 'b'.repeat(60) });
    after.encode('button', { type: 'recover', task: 'c'.repeat(60), model: 'sonnet-with-a-long-name'.repeat(3) });
    expect(after.decode(first)).toBeUndefined();
  });
});
