import { describe, expect, it } from 'vitest';
import { claudeBackend, codexBackend, cursorBackend, geminiBackend, logText } from '../../src/resolve/index.js';
import { priced, usageLine, usageReport, spentToday } from '../../src/dispatcher/cost.js';
import type { TaskRecord } from '../../src/store/records.js';

// What each CLI says it used, in the output format the bot asks it for.
describe('usage from each CLI', () => {
  it('claude: each message tells its call, the result tells the totals and the cost', () => {
    const message = '{"type":"assistant","message":{"id":"msg_1","content":[{"type":"text","text":"Reading."}],"usage":{"input_tokens":10,"cache_creation_input_tokens":200,"cache_read_input_tokens":3000,"output_tokens":40}}}';
    expect(claudeBackend.readLine(message)).toEqual({ activity: 'Reading.', usageStep: { id: 'msg_1', usage: { inputTokens: 3210, outputTokens: 40, cachedTokens: 3000 } } });
    const result = '{"type":"result","subtype":"success","is_error":false,"result":"Done","num_turns":4,"total_cost_usd":0.2031,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":900}}';
    expect(claudeBackend.readLine(result)).toEqual({ result: 'Done', usage: { inputTokens: 12, outputTokens: 900, costUsd: 0.2031, turns: 4 } });
  });

  it("codex: turn.completed tells the thread's tokens, no cost", () => {
    const line = '{"type":"turn.completed","usage":{"input_tokens":24763,"cached_input_tokens":24448,"output_tokens":122}}';
    expect(codexBackend.readLine(line)).toEqual({ usage: { inputTokens: 24763, outputTokens: 122, cachedTokens: 24448 } });
  });

  it('gemini stream-json: init names the model, tool_use is the activity, result tells the tokens', () => {
    expect(geminiBackend.readLine('{"type":"init","timestamp":"t","session_id":"s","model":"gemini-2.5-pro"}')).toEqual({ model: 'gemini-2.5-pro' });
    expect(geminiBackend.readLine('{"type":"tool_use","timestamp":"t","tool_name":"run_shell_command","tool_id":"1","parameters":{"command":"npm test"}}')).toEqual({ activity: 'run_shell_command: npm test' });
    const result = '{"type":"result","timestamp":"t","status":"success","stats":{"total_tokens":1500,"input_tokens":1200,"output_tokens":300,"cached":100,"input":1100,"duration_ms":5,"tool_calls":2,"models":{}}}';
    expect(geminiBackend.readLine(result)).toEqual({ usage: { inputTokens: 1200, outputTokens: 300, cachedTokens: 100 } });
    expect(logText(['{"type":"message","timestamp":"t","role":"user","content":"the prompt"}', '{"type":"message","timestamp":"t","role":"assistant","content":"Fixed it.","delta":true}', result].join('\n'))).toBe('Fixed it.');
  });

  it("Cursor's agent: its result carries no tokens, so none are read", () => {
    expect(cursorBackend.readLine('{"type":"result","subtype":"success","is_error":false,"duration_ms":1,"result":"ok","session_id":"s","request_id":""}')).toEqual({ result: 'ok' });
  });
});

describe('cost', () => {
  it("the CLI's own cost wins; else the config's price per million tokens; else tokens only", () => {
    const price = { input: 3, output: 15, cached_input: 0.3 };
    expect(priced({ inputTokens: 1_000_000, outputTokens: 0, costUsd: 9 }, price).costUsd).toBe(9);
    expect(priced({ inputTokens: 1_000_000, outputTokens: 100_000, cachedTokens: 500_000 }, price)).toMatchObject({ costUsd: 1.5 + 0.15 + 1.5, estimated: true });
    expect(priced({ inputTokens: 10, outputTokens: 5 }, undefined).costUsd).toBeUndefined();
    expect(usageLine({ inputTokens: 12_000, outputTokens: 400, costUsd: 0.42 })).toBe('12k tokens · $0.42');
    expect(usageLine({ inputTokens: 900, outputTokens: 50, costUsd: 2.031, estimated: true })).toBe('950 tokens · ~$2.03');
    expect(usageLine({ inputTokens: 900, outputTokens: 50 })).toBe('950 tokens');
    expect(usageReport({ inputTokens: 1200, outputTokens: 300, cachedTokens: 100, costUsd: 0.05, turns: 3 })).toBe('Used 1,200 tokens in (100 cached), 300 out, $0.05 in 3 turns.');
  });

  it("a day's total counts the tasks created since midnight UTC", () => {
    const now = Date.UTC(2026, 10, 29, 15);
    const task = (createdAt: number, costUsd?: number) => ({ createdAt, usage: { inputTokens: 1, outputTokens: 1, ...(costUsd === undefined ? {} : { costUsd }) } }) as TaskRecord;
    expect(spentToday([task(now - 60_000, 1.25), task(Date.UTC(2026, 10, 28, 23), 5), task(now, undefined), task(now, 0.5)], now)).toBe(1.75);
  });
});
