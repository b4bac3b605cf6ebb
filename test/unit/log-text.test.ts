import { describe, expect, it } from 'vitest';
import { logText } from '../../src/resolve/index.js';

// The CLIs' JSON streams read as text in failure messages and `logs <id>`.
describe('logText', () => {
  it('claude stream-json: what it said and did, its result or error; no tool output, no JSON', () => {
    const log = [
      '{"type":"system","subtype":"init","cwd":"/r","model":"claude-opus-4-6","apiKeySource":"none","session_id":"s"}',
      '{"type":"assistant","message":{"content":[{"type":"text","text":"Reading the module."},{"type":"tool_use","id":"t","name":"Read","input":{"file_path":"/r/auth.ts"}}]}}',
      '{"type":"user","message":{"content":[{"type":"tool_result","content":"…4,000 lines of file…"}]}}',
      '{"type":"result","subtype":"success","is_error":true,"result":"Not logged in · Please run /login","session_id":"s"}',
    ].join('\n');
    expect(logText(log)).toBe('(claude-opus-4-6)\nReading the module.\n→ Read: /r/auth.ts\nerror: Not logged in · Please run /login');
  });

  it('codex --json: commands and messages; errors; bookkeeping left out', () => {
    const log = [
      '{"type":"thread.started","thread_id":"x"}',
      '{"type":"turn.started"}',
      '{"type":"item.completed","item":{"id":"1","type":"command_execution","command":"npm test","exit_code":0}}',
      '{"type":"item.completed","item":{"id":"2","type":"agent_message","text":"Tests pass."}}',
      '{"type":"error","message":"stream disconnected before completion"}',
    ].join('\n');
    expect(logText(log)).toBe('$ npm test\nTests pass.\nerror: stream disconnected before completion');
  });

  it("gemini's JSON error, plain lines and the bot's own notes stay readable", () => {
    const log = [
      '[dispatch] 2026-11-29T10:00:00.000Z continuing after an answer (successor worker)',
      '{"error":{"type":"Error","message":"Please set an Auth method in your settings.json","code":41}}',
      'plain text from a CLI',
      '{"some":"json we do not know"}',
    ].join('\n');
    expect(logText(log)).toBe(
      '[dispatch] 2026-11-29T10:00:00.000Z continuing after an answer (successor worker)\nerror: Please set an Auth method in your settings.json\nplain text from a CLI\n{"some":"json we do not know"}',
    );
  });
});
