import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Action, decodeAction } from '../../src/chat/action.js';
import type { Inbound } from '../../src/chat/inbound.js';
import { recordFigure } from '../support/figures.js';
import { anyText, FRAGMENTS } from '../support/fuzz-texts.js';
import { Stack } from '../support/stack.js';

/**
 * Arbitrary requests through Dispatcher.handle on the real stack (config file, SQLite store,
 * runner host): every kind of Inbound (messages at the top, in threads, addressed to tasks;
 * button presses and modal submissions with forged values). A crash is a request the bot could
 * not answer as a user error: it logs "error handling …" and says "Something went wrong".
 */

const CONFIG = `default: opus
models:
  opus: { backend: claude }
  sonnet: { backend: claude }
aliases:
  reviewer: { model: opus }
access:
  admin: [boss]
  dispatch: [alice]
`;

const ACTIONS = Action.options.map((option) => option.shape.type.value);

/**
 * Every action type with forged fields, as a platform would hand one back: built as the encoded
 * text and decoded the way the adapters decode presses (what does not decode never reaches the
 * dispatcher).
 */
function forgedAction(field: fc.Arbitrary<string>): fc.Arbitrary<Action> {
  return fc
    .tuple(fc.constantFrom(...ACTIONS), fc.array(field, { minLength: 1, maxLength: 3 }))
    .map(([type, fields]) => decodeAction([type, ...fields].join('|')))
    .filter((action): action is Action => action !== undefined);
}

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

function inboundOf(user: string): fc.Arbitrary<Inbound> {
  const who = { id: user, groups: [] };
  const where = fc.record({
    surface: fc.constant('shell' as const),
    channel: fc.constantFrom('C1', 'C2', 'D1'),
    thread: fc.option(fc.constantFrom('t1', 'thread-msg-1', 'nope'), { nil: undefined }),
  });
  const value = fc.oneof(anyText, fc.array(fc.constantFrom(...FRAGMENTS, '|', 'opus', 'reviewer'), { maxLength: 6 }).map((p) => p.join('')));
  const field = fc.oneof(fc.constantFrom('opus', 'reviewer', 'constructor', '__proto__', '001', 'both', 'leave', 'x'), fc.string({ minLength: 1, maxLength: 12 }));
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('message' as const), who: fc.constant(who), where, text: anyText, addressed: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('message' as const), who: fc.constant(who), where, text: anyText, task: fc.constantFrom('x', 'billing', 'constructor') }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('action' as const), who: fc.constant(who), where, action: forgedAction(field) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('input' as const), who: fc.constant(who), where, action: forgedAction(field), value }) },
  );
}

/** Hand every sample to the dispatcher; the slowest answer in ms and the crashes logged. */
async function drive(s: Stack, samples: Inbound[]): Promise<{ maxMs: number; crashes: string[] }> {
  // The first warm-up looks for the agent CLIs (four child processes, once per bot): not per text.
  await s.say('');
  let maxMs = 0;
  for (const inbound of samples) {
    const start = performance.now();
    await s.app.dispatcher.handle(inbound);
    maxMs = Math.max(maxMs, performance.now() - start);
  }
  return { maxMs, crashes: s.logs.filter((line) => /^error handling|could not reply/.test(line)) };
}

describe('Dispatcher.handle takes any request', () => {
  it('2,000 requests from someone the access rules do not name: none crashes, none dispatches or changes anything', async (context) => {
    stack = await Stack.start({ config: CONFIG });
    const samples = fc.sample(inboundOf('mallory'), 2_000);
    const { maxMs, crashes } = await drive(stack, samples);
    expect(crashes).toEqual([]);
    expect(await stack.app.store.listTasks()).toEqual([]);
    expect(stack.agentRuns()).toEqual([]);
    expect(stack.configText()).toBe(CONFIG);
    recordFigure(context, 'fuzz', { handleTexts: samples.length, crashes: crashes.length, maxMsPerText: Math.ceil(maxMs) });
  });

  it('500 requests from an admin on a host with no agent CLI: none crashes, and the config stays valid', async (context) => {
    stack = await Stack.start({ config: CONFIG, env: { PATH: '/usr/bin:/bin' } });
    const samples = fc.sample(inboundOf('boss'), 500);
    const { maxMs, crashes } = await drive(stack, samples);
    expect(crashes).toEqual([]);
    await stack.app.config.reload();
    expect(stack.app.config.lastError()).toBeUndefined();
    recordFigure(context, 'fuzz', { handleTexts: samples.length, crashes: crashes.length, maxMsPerText: Math.ceil(maxMs) });
  });
});
