import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { botEnv, botPaths } from '../support/bot-env.js';
import { Stack } from '../support/stack.js';

// The truth about the CLIs (logged in or not), and failures as text.
const BIN = fileURLToPath(new URL('../../bin/dispatch-bot.js', import.meta.url));

const CONFIG = `default: opus
models:
  opus: { backend: claude }
  sonnet: { backend: claude }
  gpt-5.3: { backend: codex }
  gemini-2.5-flash: { backend: gemini }
`;

const roots: string[] = [];
let stack: Stack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** `dispatch-bot doctor` with this config, its own home (no cached answers), fake CLIs on PATH. */
function doctor(config: string, extraEnv: Record<string, string> = {}): { code: number | null; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'dispatch-doctor-'));
  roots.push(root);
  writeFileSync(botPaths(root).configFile, config);
  const result = spawnSync(process.execPath, [BIN, 'doctor'], { cwd: root, env: botEnv(root, extraEnv), encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, out: result.stdout };
}

describe('doctor checks login, not just presence', () => {
  it('names each logged-out CLI with the command to log in, and exits 1 when no model can run', () => {
    const { code, out } = doctor(CONFIG, { FAKE_AGENT_LOGGED_OUT: 'claude,codex,gemini,agent' });
    expect(out).toMatch(/✗ claude \S+.*NOT logged in.*log in with `claude auth login`/);
    expect(out).toMatch(/✗ codex \S+.*NOT logged in.*log in with `codex login`/);
    expect(out).toMatch(/✗ gemini \S+.*NOT logged in.*GEMINI_API_KEY/);
    expect(out).toMatch(/✗ agent \S+.*NOT logged in.*`agent login`/);
    expect(out).toMatch(/opus → claude: .* \(cannot run: claude is not logged in\)/);
    expect(out).toContain('No configured model can run here');
    expect(code).toBe(1);
  });

  it('one logged-out CLI: marked, its models cannot run, the rest can (exit 0)', () => {
    const { code, out } = doctor(CONFIG, { FAKE_AGENT_LOGGED_OUT: 'codex' });
    expect(out).toMatch(/✓ claude \S+.* · logged in/);
    expect(out).toMatch(/✗ codex \S+.*NOT logged in/);
    expect(out).toMatch(/gpt-5\.3 → codex: .*\(cannot run: codex is not logged in\)/);
    expect(out).not.toMatch(/opus → .*cannot run/);
    expect(code).toBe(0);
  });

  it('prints each command as it really runs: the gemini prompt once, a legacy agent name never as a model', () => {
    const { out } = doctor(`default: codex\nmodels:\n  gemini-2.5-flash: { backend: gemini }\nagents:\n  codex:\n    command: codex exec --full-auto -C $(pwd)\n`);
    expect(out).toContain('gemini-2.5-flash → gemini: gemini -p <prompt> --yolo --skip-trust -m gemini-2.5-flash\n');
    const codex = out.split('\n').find((l) => l.startsWith('  codex → '));
    expect(codex).toBe('  codex → codex: codex exec -s workspace-write -C <dir> <prompt>');
  });
});

describe('a task for a logged-out CLI', () => {
  it('codex without login is refused at once with the login command (no worker left "running" until the timeout)', async () => {
    stack = await Stack.start({ config: CONFIG, env: { FAKE_AGENT_LOGGED_OUT: 'codex' } });
    await stack.say('use gpt-5.3 to fix the flaky test');
    const { reply } = await stack.waitForEphemeral(/The \*\*codex\*\* CLI is not logged in here/);
    expect(reply.text).toContain('`codex login`');
    expect(reply.text).toContain('Models that can run now: opus, sonnet, gemini-2.5-flash.');
    expect(stack.agentRuns()).toEqual([]);
    expect(await stack.app.store.listTasks()).toEqual([]);
  });

  it('a legacy agent named after its CLI runs its own command without its name as a model', async () => {
    stack = await Stack.start({ config: `default: codex\nagents:\n  codex:\n    command: codex exec --full-auto -C $(pwd)\n` });
    await stack.say('use codex to tidy the readme fake:items=1');
    await stack.surface.until(() => stack?.agentRuns().length === 1);
    const [run] = stack.agentRuns();
    expect(run?.argv).not.toContain('-m');
    expect(run?.argv.slice(0, 3)).toEqual(['exec', '-s', 'workspace-write']);
  });
});

describe('failures and logs read like text', () => {
  it('a claude auth failure is quoted as words, and only models of another CLI are offered', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('use opus to audit the payment flow fake:auth');
    const offer = await stack.waitFor(/The \*\*claude\*\* CLI is not logged in/);
    expect(offer.reply.text).toContain('Not logged in · Please run /login');
    expect(offer.reply.text).toContain('Log in with `claude auth login`');
    expect(offer.reply.text).not.toContain('{"type"');
    expect(offer.reply.buttons?.map((b) => b.label)).toEqual(['Retry with gpt-5.3', 'Retry with gemini-2.5-flash']);
    const finish = await stack.waitFor(/failed \(claude: auth\)/);
    expect(finish.reply.code ?? '').not.toContain('{"type"');
    expect(finish.reply.code).toContain('error: Not logged in · Please run /login');
  });

  it('`logs <id>` shows what claude said and did, not its stream-json', async () => {
    stack = await Stack.start({ config: CONFIG });
    await stack.say('use opus to sort the imports fake:items=2');
    const status = await stack.surface.until(() => stack?.surface.posts.find((p) => p.reply.title));
    const id = status.reply.title as string;
    await stack.waitForStatus(id, /done/);
    await stack.say(`logs ${id}`);
    const logs = await stack.waitFor(new RegExp(`lines of \\*\\*${id}\\*\\*'s log`));
    expect(logs.reply.code).toContain(`Done: Step 2 of ${id}`);
    expect(logs.reply.code).toMatch(/→ Edit: \S+plan\.md/);
    expect(logs.reply.code).not.toMatch(/^\{/m);
  });
});
