import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigFile } from '../../src/config/schema.js';
import { agentModels, decideDiscovery, detectClis } from '../../src/resolve/index.js';

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

/** Discovery as the dispatcher runs it: the CLIs on this PATH, what their `agent models` lists, the decision. */
async function discover(name: string, env: Record<string, string>, config = ConfigFile.parse({ models: { sonnet: {} } })) {
  const clis = await detectClis(env);
  const listed = clis.has('agent') ? await agentModels(env) : [];
  return decideDiscovery(name, config, { clis, listed });
}

describe('discovery from every source at once (the Dispatch models page flow)', () => {
  it('finds claude-4.7-sonnet via agent models and gives it the claude backend', async () => {
    const env = await pathWith('agent', 'claude');
    expect(await discover('claude-4.7-sonnet', env)).toEqual({ kind: 'found', id: 'claude-4.7-sonnet', backend: 'claude', via: 'agent models', trial: false });
    expect(await discover('opus-5.0', env)).toMatchObject({ kind: 'found', backend: 'claude', via: 'agent models' });
  });

  it('routes a listed model to cursor when its family CLI is absent, in the spelling agent models uses', async () => {
    expect(await discover('GPT-5.3-codex', await pathWith('agent'))).toEqual({ kind: 'found', id: 'gpt-5.3-codex', backend: 'cursor', via: 'agent models', trial: false });
  });

  it('finds a versioned Claude name agent models does not list through the claude CLI, on trial', async () => {
    const env = await pathWith('agent', 'claude');
    expect(await discover('sonnet-4.6', env)).toEqual({ kind: 'found', id: 'sonnet-4.6', backend: 'claude', via: 'the claude CLI', trial: true });
    expect(await discover('opus-4.5-thinking', env)).toMatchObject({ kind: 'found', via: 'the claude CLI', trial: true });
  });

  it('says what is available, configured models included, when no source knows the name', async () => {
    const env = await pathWith('agent', 'claude');
    expect(await discover('nova-3-pro', env)).toEqual({
      kind: 'unavailable',
      name: 'nova-3-pro',
      available: ['sonnet', 'auto', 'composer-1', 'claude-4.7-sonnet', 'opus-5.0', 'gpt-5.3-codex', 'gemini-3-pro'],
    });
  });

  it('uses the family rules when agent is absent or cannot list models', async () => {
    const claudeOnly = await pathWith('claude');
    expect(await discover('opus-5.0', claudeOnly)).toEqual({ kind: 'found', id: 'opus-5.0', backend: 'claude', via: 'the claude CLI', trial: true });
    const loggedOut = { ...(await pathWith('agent', 'claude')), STUB_AGENT_MODELS_FAIL: '1' };
    expect(await discover('opus-5.0', loggedOut)).toMatchObject({ kind: 'found', via: 'the claude CLI' });
    expect(await discover('gpt-5.4', claudeOnly)).toEqual({ kind: 'unavailable', name: 'gpt-5.4', available: ['sonnet'] });
  });

  it('asks "did you mean" for a near-typo of a listed name, and adds nothing', async () => {
    expect(await discover('claude-4.7-sonet', await pathWith('agent', 'claude'))).toEqual({ kind: 'typo', name: 'claude-4.7-sonet', suggestions: ['claude-4.7-sonnet'] });
  });

  it('finds nothing with no agent CLI on PATH', async () => {
    expect(await discover('opus-5.0', await pathWith())).toEqual({ kind: 'unavailable', name: 'opus-5.0', available: ['sonnet'] });
  });
});
