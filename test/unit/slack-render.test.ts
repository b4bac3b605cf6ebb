import { describe, expect, it } from 'vitest';
import { fromBlockActions, fromEvent } from '../../adapters/slack/ingress.js';
import { decodeTrigger, encodeTrigger } from '../../adapters/slack/modal.js';
import { progressBar, renderPost, renderSingle } from '../../adapters/slack/render.js';
import { cleanInbound, splitText, toMrkdwn } from '../../adapters/slack/text.js';

describe('Slack text', () => {
  it('reads a user message as typed: bot mention gone, links unwrapped, entities decoded', () => {
    expect(cleanInbound('<@UBOT> review <https://github.com/acme/api/pull/7|PR 7> in <#C1|backend> &amp; ping <@U2>', 'UBOT')).toBe(
      'review https://github.com/acme/api/pull/7 in <#C1|backend> & ping <@U2>',
    );
    expect(cleanInbound('1) audit &lt;auth&gt;\n2) test it <@UBOT|dispatch>', 'UBOT')).toBe('1) audit <auth>\n2) test it');
  });

  it('escapes what Slack would read as markup and turns **bold** into *bold*', () => {
    expect(toMrkdwn('**opus** for a<b & c>d')).toBe('*opus* for a&lt;b &amp; c&gt;d');
  });

  it('splits long text at line breaks, never inside an escaped entity, losing nothing', () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${i} &amp; more`).join('\n');
    const pieces = splitText(text, 500);
    expect(pieces.every((p) => p.length <= 500)).toBe(true);
    expect(pieces.every((p) => !/&[a-z]*$/.test(p))).toBe(true);
    expect(pieces.join('\n')).toBe(text);
  });
});

describe('Slack Block Kit rendering', () => {
  it('draws one cell per plan item up to ten', () => {
    expect(progressBar(4, 8)).toBe('▓▓▓▓░░░░ 4/8');
    expect(progressBar(0, 0)).toBe('░░░░░░░░░░ 0/0');
    expect(progressBar(15, 30)).toBe('▓▓▓▓▓░░░░░ 15/30');
  });

  it('gives repeated actions distinct action ids, and a press reads back as the typed action', () => {
    const [message] = renderPost({
      text: 'Pick one',
      buttons: [
        { action: { type: 'first-run', prompt: 'p1', model: 'opus' }, label: 'opus' },
        { action: { type: 'first-run', prompt: 'p1', model: 'sonnet' }, label: 'sonnet' },
      ],
    }).messages;
    const actions = message?.blocks.find((b) => b.type === 'actions');
    const elements = actions?.type === 'actions' ? actions.elements : [];
    const ids = elements.map((e) => ('action_id' in e ? e.action_id : ''));
    expect(new Set(ids).size).toBe(2);
    const pressed = elements.map((e) => ('value' in e && typeof e.value === 'string' ? e.value : ''));
    const press = (value: string) =>
      fromBlockActions({ type: 'block_actions', trigger_id: '1.2.t', user: { id: 'U1' }, channel: { id: 'C1' }, container: { type: 'message', message_ts: '1.0' }, actions: [{ action_id: 'first-run:1', value }] });
    expect(pressed.map((value) => press(value)?.inbound)).toMatchObject([
      { kind: 'action', action: { type: 'first-run', prompt: 'p1', model: 'opus' } },
      { kind: 'action', action: { type: 'first-run', prompt: 'p1', model: 'sonnet' } },
    ]);
    // A value that is not one of our actions (forged, or from an older build) is no request.
    expect(press('first-run|p1|opus|extra')).toBeUndefined();
    expect(press('drop-table|x')).toBeUndefined();
  });

  it('fits an edit of very long text into one message and says it was cut', () => {
    const message = renderSingle({ text: 'word '.repeat(5000), buttons: [{ action: { type: 'logs', task: 't' }, label: 'Logs' }] });
    const size = message.blocks.reduce((n, b) => n + (b.type === 'section' && b.text ? b.text.text.length : 0), 0);
    expect(size).toBeLessThanOrEqual(4000);
    expect(JSON.stringify(message.blocks)).toContain('truncated');
    expect(message.blocks.at(-1)?.type).toBe('actions');
    expect(message.text.length).toBeLessThanOrEqual(1000);
  });
});

describe('Slack ingress translation', () => {
  it('round-trips the place of a press through the trigger handle', () => {
    expect(decodeTrigger(encodeTrigger({ triggerId: '1.2.abc', channel: 'C1', thread: '9.1' }))).toEqual({
      triggerId: '1.2.abc',
      channel: 'C1',
      thread: '9.1',
    });
    expect(decodeTrigger('bare-trigger')).toBeUndefined();
  });

  it('ignores a button press outside any channel (no place to answer)', () => {
    expect(
      fromBlockActions({ type: 'block_actions', trigger_id: 't', user: { id: 'U1' }, container: { type: 'view' }, actions: [{ action_id: 'x:0' }] }),
    ).toBeUndefined();
  });

  it('treats the parent of a thread as a top-level message, not a reply', () => {
    const body = { event_id: 'E1', event: { type: 'message', user: 'U1', text: 'hi', channel: 'C1', channel_type: 'channel', ts: '5.0', thread_ts: '5.0' } };
    expect(fromEvent(body, 'UBOT')).toBeUndefined();
  });
});
