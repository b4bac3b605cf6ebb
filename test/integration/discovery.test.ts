import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentModels, detectClis, discoverModel } from '../../src/resolve/index.js';

const STUBS = resolve(import.meta.dirname, '../fixtures/bin-stubs');
const dirs: string[] = [];

/** A temp dir holding copies of the named stub CLIs: the only thing on PATH. */
async function pathWith(...clis: string[]): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'discovery-'));
  dirs.push(dir);
  for (const cli of clis) await copyFile(join(STUBS, cli), join(dir, cli));
  return { PATH: dir, HOME: dir };
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('detectClis', () => {
  it('finds the CLIs on PATH with their versions and nothing else', async () => {
    const env = await pathWith('agent', 'claude');
    expect(await detectClis(env)).toEqual(
      new Map([
        ['claude', '2.1.332 (Claude Code)'],
        ['agent', '2026.11.20-abc1234'],
      ]),
    );
  });

  it('keeps a CLI whose --version fails, with an unknown version, and skips non-executables', async () => {
    const env = await pathWith('codex');
    await writeFile(join(env.PATH as string, 'gemini'), '#!/bin/sh\necho 0.61.0\n', { mode: 0o644 });
    expect(await detectClis(env)).toEqual(new Map([['codex', 'unknown']]));
  });

  it('finds nothing on an empty PATH', async () => {
    expect((await detectClis({ PATH: '' })).size).toBe(0);
  });
});

describe('agentModels', () => {
  it('lists ids and display names without the (current)/(default) markers', async () => {
    const env = await pathWith('agent');
    const models = await agentModels(env);
    expect(models).toContainEqual({ id: 'claude-4.7-sonnet', name: 'Claude 4.7 Sonnet' });
    expect(models).toContainEqual({ id: 'gpt-5.3-codex', name: 'GPT-5.3 Codex' });
    expect(models.map((m) => m.id)).toEqual(['auto', 'composer-1', 'claude-4.7-sonnet', 'opus-5.0', 'gpt-5.3-codex', 'gemini-3-pro']);
  });

  it('is empty when agent is missing or fails', async () => {
    expect(await agentModels(await pathWith('claude'))).toEqual([]);
    expect(await agentModels({ ...(await pathWith('agent')), STUB_AGENT_MODELS_FAIL: '1' })).toEqual([]);
  });
});

describe('discoverModel (the seed page flow)', () => {
  it('finds claude-4.7-sonnet via agent models and gives it the claude backend', async () => {
    const env = await pathWith('agent', 'claude');
    const clis = await detectClis(env);
    expect(await discoverModel('claude-4.7-sonnet', clis, env)).toEqual({ found: true, backend: 'claude', via: 'agent models', id: 'claude-4.7-sonnet' });
    expect(await discoverModel('opus-5.0', clis, env)).toMatchObject({ found: true, backend: 'claude', via: 'agent models' });
  });

  it('routes a listed model to cursor when its family CLI is absent', async () => {
    const env = await pathWith('agent');
    expect(await discoverModel('GPT-5.3-codex', await detectClis(env), env)).toEqual({ found: true, backend: 'cursor', via: 'agent models', id: 'gpt-5.3-codex' });
  });

  it('says what is available when agent models does not list it', async () => {
    const env = await pathWith('agent', 'claude');
    const result = await discoverModel('opus-9.9', await detectClis(env), env);
    expect(result).toEqual({ found: false, available: ['auto', 'composer-1', 'claude-4.7-sonnet', 'opus-5.0', 'gpt-5.3-codex', 'gemini-3-pro'] });
  });

  it('falls back to the family CLI when agent is absent or cannot list models', async () => {
    const claudeOnly = await pathWith('claude');
    expect(await discoverModel('opus-5.0', await detectClis(claudeOnly), claudeOnly)).toEqual({ found: true, backend: 'claude', via: 'the claude CLI', id: 'opus-5.0' });
    const loggedOut = { ...(await pathWith('agent', 'claude')), STUB_AGENT_MODELS_FAIL: '1' };
    expect(await discoverModel('opus-5.0', await detectClis(loggedOut), loggedOut)).toMatchObject({ found: true, via: 'the claude CLI' });
    expect(await discoverModel('gpt-5.4', await detectClis(claudeOnly), claudeOnly)).toEqual({ found: false, available: ['opus', 'sonnet', 'haiku'] });
  });

  it('finds nothing with no agent CLI on PATH', async () => {
    const env = await pathWith();
    expect(await discoverModel('opus-5.0', await detectClis(env), env)).toEqual({ found: false, available: [] });
  });
});
