import { ConfigError } from '../../src/errors/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConfig, type FileConfigSource } from '../../src/config/file-source.js';
import { CODEX_COMMAND } from '../../src/config/migrate.js';
import type { Config } from '../../src/config/schema.js';

const GOOD = `# our config
default: opus   # keep it
models:
  opus:
  sonnet: { backend: claude }
`;

let dir: string;
let file: string;
const sources: FileConfigSource[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dispatch-config-'));
  file = join(dir, 'home', 'config.yaml');
});

afterEach(() => {
  for (const source of sources.splice(0)) source.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(text?: string, path = file): Promise<FileConfigSource> {
  if (text !== undefined) {
    rmSync(join(path, '..'), { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(join(path, '..'), { recursive: true }));
    writeFileSync(path, text);
  }
  const source = await openConfig({ path, pollMs: 100 });
  sources.push(source);
  return source;
}

/** Resolves on the first change notification that matches: no sleeping, no guessing at timing. */
function nextChange(source: FileConfigSource, match: (config: Config, error?: ConfigError) => boolean) {
  return new Promise<{ config: Config; error?: ConfigError }>((resolve) => {
    const off = source.onChange((config, error) => {
      if (!match(config, error)) return;
      off();
      resolve({ config, error });
    });
  });
}

const leftovers = () => readdirSync(join(file, '..')).filter((name) => name !== 'config.yaml');

describe('opening the config', () => {
  it('no file yet: an empty valid config with the built-in limits', async () => {
    const source = await open();
    expect(source.exists()).toBe(false);
    expect(source.lastError()).toBeUndefined();
    expect(source.current().models).toEqual({});
    expect(source.current().limits.task_timeout).toBe(30 * 60 * 1000);
  });

  it('a broken file still opens, says what is wrong and runs on the built-in config', async () => {
    const source = await open('default: opus\nlimits:\n  task_timeout: soon\n');
    expect(source.exists()).toBe(true);
    expect(source.lastError()).toBeInstanceOf(ConfigError);
    expect(source.lastError()?.message).toContain('limits.task_timeout: "soon" is not a duration');
    expect(source.current().default).toBeUndefined();
    await expect(source.reload()).rejects.toThrow(/task_timeout/);
  });
});

describe('apply', () => {
  it('creates the file and its directory, atomically, leaving no temp files', async () => {
    const source = await open();
    const lines = await source.apply([
      { op: 'add-model', model: 'opus', backend: 'claude' },
      { op: 'add-model', model: 'gpt-5.3', backend: 'codex' },
      { op: 'set-default', model: 'opus' },
    ]);
    expect(lines).toEqual(['Added opus to models (claude backend).', 'Added gpt-5.3 to models (codex backend).', 'Set default to opus.']);
    expect(source.exists()).toBe(true);
    expect(source.current().default).toBe('opus');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# dispatch-bot config/);
    expect(text).toContain('default: opus\n');
    expect(leftovers()).toEqual([]);
  });

  it('keeps comments and layout of the file on disk', async () => {
    const source = await open(GOOD);
    expect(await source.apply([{ op: 'set-default', model: 'sonnet' }, { op: 'add-model', model: 'gemini-2.5-flash', backend: 'gemini' }])).toEqual([
      'Set default to sonnet (was opus).',
      'Added gemini-2.5-flash to models (gemini backend).',
    ]);
    expect(readFileSync(file, 'utf8')).toBe(GOOD.replace('opus   #', 'sonnet   #') + '  gemini-2.5-flash:\n    backend: gemini\n');
  });

  it('refuses a change that would make the config invalid, file untouched', async () => {
    const source = await open(GOOD);
    await expect(source.apply([{ op: 'set-default', model: 'gpt-9' }])).rejects.toMatchObject({ key: 'default', name: 'ConfigError' });
    await expect(source.apply([{ op: 'set-backend', backend: 'mine', command: 'my-cli && rm -rf /' }])).rejects.toMatchObject({
      key: 'backends.mine.command',
    });
    await expect(source.apply([{ op: 'remove-model', model: 'opus' }])).rejects.toThrow("Can't remove opus: it is the default");
    expect(readFileSync(file, 'utf8')).toBe(GOOD);
    expect(leftovers()).toEqual([]);
    expect(source.current().default).toBe('opus');
  });

  it('a path that cannot be read is a ConfigError at open and on apply, never a crash', async () => {
    const source = await open(undefined, dir); // a directory where the file should be
    expect(source.lastError()?.message).toMatch(/cannot be read \(EISDIR\)/);
    await expect(source.apply([{ op: 'add-model', model: 'haiku', backend: 'claude' }])).rejects.toBeInstanceOf(ConfigError);
    expect(source.current().models).toEqual({});
  });

  it('two changes at the same time both land', async () => {
    const source = await open(GOOD);
    await Promise.all([
      source.apply([{ op: 'add-model', model: 'haiku', backend: 'claude' }]),
      source.apply([{ op: 'set-alias', alias: 'quick', model: 'haiku' }]),
    ]);
    expect(source.current().models.haiku).toEqual({ backend: 'claude' });
    expect(source.current().aliases.quick).toEqual({ model: 'haiku' });
  });

  it('writes through a symlinked config and keeps the link', async () => {
    const real = join(dir, 'dotfiles.yaml');
    writeFileSync(real, GOOD);
    await import('node:fs/promises').then((fs) => fs.mkdir(join(file, '..'), { recursive: true }));
    symlinkSync(real, file);
    const source = await open();
    await source.apply([{ op: 'set-default', model: 'sonnet' }]);
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toContain('default: sonnet');
  });
});

describe('the legacy format', () => {
  const LEGACY = 'default: fast\nagents:\n  fast:\n    command: claude -p --dangerously-skip-permissions\n  gpt:\n    command: codex exec --full-auto -C $(pwd)\n';

  it('works as it is, and migrate rewrites it once', async () => {
    const source = await open(LEGACY);
    expect(source.lastError()).toBeUndefined();
    expect(source.current().models.fast).toEqual({ backend: 'fast' });
    const lines = await source.apply([{ op: 'migrate' }]);
    expect(lines).toEqual([
      'Moved agents.fast to backends.fast + models.fast.',
      'Moved agents.gpt to backends.gpt + models.gpt.',
      `Rewrote backends.gpt.command for today's codex (--full-auto is gone): "codex exec --full-auto -C $(pwd)" → "${CODEX_COMMAND}".`,
    ]);
    const migrated = readFileSync(file, 'utf8');
    expect(migrated).not.toContain('agents:');
    expect(migrated).not.toContain('--full-auto');
    expect(source.current().default).toBe('fast');
    expect(await source.apply([{ op: 'migrate' }])).toEqual(['Nothing to migrate.']);
    expect(readFileSync(file, 'utf8')).toBe(migrated);
  });
});

describe('edits made on disk', () => {
  it('are picked up without a restart', async () => {
    const source = await open(GOOD);
    const changed = nextChange(source, (config) => config.default === 'sonnet');
    writeFileSync(file, GOOD.replace('default: opus', 'default: sonnet'));
    const { error } = await changed;
    expect(error).toBeUndefined();
    expect(source.current().default).toBe('sonnet');
  });

  it('an editor saving by rename is seen', async () => {
    const source = await open(GOOD);
    const changed = nextChange(source, (config) => 'haiku' in config.models);
    const temp = join(file, '..', '.config.yaml.swp');
    writeFileSync(temp, `${GOOD}  haiku:\n`);
    renameSync(temp, file);
    await changed;
    expect(source.current().models.haiku).toEqual({});
  });

  it('a broken edit is reported with its key and the last good config stays', async () => {
    const source = await open(GOOD);
    const refused = nextChange(source, (_config, error) => error !== undefined);
    writeFileSync(file, `${GOOD}aliases:\n  sec: { model: opsu }\n`);
    const { config, error } = await refused;
    expect(error?.key).toBe('aliases.sec.model');
    expect(error?.message).toContain('"opsu" is not a configured model or alias');
    expect(config.default).toBe('opus');
    expect(source.current().models).toEqual({ opus: {}, sonnet: { backend: 'claude' } });
    expect(source.lastError()?.key).toBe('aliases.sec.model');

    const fixed = nextChange(source, (_config, e) => e === undefined);
    writeFileSync(file, `${GOOD}aliases:\n  sec: { model: opus }\n`);
    await fixed;
    expect(source.lastError()).toBeUndefined();
    expect(source.current().aliases.sec).toEqual({ model: 'opus' });
  });

  it('malformed YAML on disk is reported with line, column and key', async () => {
    const source = await open(GOOD);
    const refused = nextChange(source, (_config, error) => error !== undefined);
    writeFileSync(file, 'models:\n  opus: [\n');
    const { error } = await refused;
    expect(error?.message).toMatch(/YAML syntax error at line \d+, column \d+/);
    expect(source.current().default).toBe('opus');
  });

  it('our own writes are not reported back as outside edits', async () => {
    const source = await open(GOOD);
    const seen: Array<{ config: Config; error?: ConfigError }> = [];
    source.onChange((config, error) => seen.push({ config, error }));
    await source.apply([{ op: 'add-model', model: 'haiku', backend: 'claude' }]);
    // What the watcher does when it sees our write: nothing new, nothing reported.
    expect(await source.checkDisk()).toBe(false);
    const outside = nextChange(source, (config) => config.default === 'haiku');
    writeFileSync(file, readFileSync(file, 'utf8').replace('default: opus', 'default: haiku'));
    await outside;
    expect(seen.map((s) => s.error)).toEqual([undefined, undefined]);
    expect(seen.map((s) => s.config.default)).toEqual(['opus', 'haiku']);
  });

  it('a first config written by hand while the bot runs is picked up', async () => {
    const source = await open();
    const created = nextChange(source, () => source.exists());
    await import('node:fs/promises').then((fs) => fs.mkdir(join(file, '..'), { recursive: true }));
    writeFileSync(file, GOOD);
    const { config } = await created;
    expect(config.default).toBe('opus');
  });

  it('after the bot creates the file, hand edits to it are picked up', async () => {
    const source = await open();
    await source.apply([{ op: 'add-model', model: 'opus', backend: 'claude' }]);
    const changed = nextChange(source, (config) => config.default === 'opus');
    writeFileSync(file, `${readFileSync(file, 'utf8')}default: opus\n`);
    await changed;
    expect(source.current().models.opus).toEqual({ backend: 'claude' });
  });

  it('a deleted file keeps the last good config in force', async () => {
    const source = await open(GOOD);
    const gone = nextChange(source, () => !source.exists());
    unlinkSync(file);
    await gone;
    expect(source.current().default).toBe('opus');
    expect(source.lastError()).toBeUndefined();
  });
});

describe('hostile files do not crash the source', () => {
  it('1 MB of garbage, control characters and unicode: opens, reports, keeps running', async () => {
    const bytes = Buffer.alloc(1 << 20);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7919 + (i >> 3)) % 256;
    writeFileSync(join(dir, 'garbage.yaml'), bytes);
    const garbage = await open(undefined, join(dir, 'garbage.yaml'));
    expect(garbage.lastError()).toBeInstanceOf(ConfigError);
    expect(garbage.current().models).toEqual({});

    const weird = await open('default: "\u0000\u0007"\nmodels:\n  ✨: {}\n', join(dir, 'weird', 'config.yaml'));
    expect(weird.lastError()?.key).toBeDefined();
    await expect(weird.apply([{ op: 'add-model', model: 'opus', backend: 'claude' }])).rejects.toBeInstanceOf(ConfigError);
  });
});
