import { ConfigError } from '../../src/errors/index.js';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { applyChange } from '../../src/config/edit.js';
import { CODEX_COMMAND, migrateDoc, modernCodexCommand } from '../../src/config/migrate.js';
import { type ConfigChange } from '../../src/config/port.js';
import { parseConfigText } from '../../src/config/validate.js';
import { renderKeepingLayout } from '../../src/config/yaml-splice.js';
import { splitCommand } from '../../src/config/command.js';

/** A hand-written file with the habits yaml's own stringify would undo. */
const HAND_WRITTEN = `# Team dispatch config — ask #infra before changing backends
default: opus   # the expensive one, on purpose

backends:
  claude:
    command: claude -p --dangerously-skip-permissions --output-format stream-json --verbose --add-dir /srv/shared
  codex:
    command: "codex exec --json -s workspace-write -C $(pwd) --skip-git-repo-check"

models:
  opus:
  sonnet: { backend: claude }   # inline map, kept inline
  gpt-5.2:
    backend: codex   # old, going away

aliases:
  perf-reviewer:
    model: sonnet
    prompt: >
      You are a performance optimization expert. Focus on
      algorithmic complexity, database queries, and bundle size.

access:
  admin:
  - U123   # alice
  - U456
`;

function edit(text: string, changes: Array<Exclude<ConfigChange, { op: 'migrate' }>>): { text: string; lines: string[] } {
  const doc = parseDocument(text);
  const lines = changes.map((change) => applyChange(doc, change));
  return { text: renderKeepingLayout(text, doc), lines };
}

describe('edits keep the user’s comments and layout', () => {
  it('adding a model inserts exactly its lines and nothing else moves', () => {
    const { text, lines } = edit(HAND_WRITTEN, [{ op: 'add-model', model: 'gpt-5.3', backend: 'codex' }]);
    expect(lines).toEqual(['Added gpt-5.3 to models (codex backend).']);
    expect(text).toBe(HAND_WRITTEN.replace('    backend: codex   # old, going away\n', '    backend: codex   # old, going away\n  gpt-5.3:\n    backend: codex\n'));
  });

  it('switching the default keeps the comment on that line', () => {
    const { text, lines } = edit(HAND_WRITTEN, [{ op: 'set-default', model: 'sonnet' }]);
    expect(lines).toEqual(['Set default to sonnet (was opus).']);
    expect(text).toBe(HAND_WRITTEN.replace('default: opus   #', 'default: sonnet   #'));
  });

  it('removing a model removes its lines only', () => {
    const { text, lines } = edit(HAND_WRITTEN, [{ op: 'remove-model', model: 'gpt-5.2' }]);
    expect(lines).toEqual(['Removed gpt-5.2 from models.']);
    expect(text).toBe(HAND_WRITTEN.replace('  gpt-5.2:\n    backend: codex   # old, going away\n', ''));
  });

  it('a new alias gets its prompt as a folded block, like the Dispatch models page', () => {
    const prompt = 'You are a security-focused reviewer. Prioritize OWASP Top 10 vulnerabilities, auth flaws, and injection risks.';
    const { text, lines } = edit(HAND_WRITTEN, [{ op: 'set-alias', alias: 'security-reviewer', model: 'opus', prompt }]);
    expect(lines).toEqual([`Created alias security-reviewer → opus with the prompt "You are a security-focused reviewer. Prioritize OWASP Top 10 vulnerab…".`]);
    const added = [
      '  security-reviewer:',
      '    model: opus',
      '    prompt: >',
      '      You are a security-focused reviewer. Prioritize OWASP Top 10',
      '      vulnerabilities, auth flaws, and injection risks.',
      '',
    ].join('\n');
    expect(text).toBe(HAND_WRITTEN.replace('bundle size.\n', `bundle size.\n${added}`));
    expect(parseConfigText(text).aliases['security-reviewer']?.prompt).toBe(`${prompt}\n`);
  });

  it('a new prompt for an existing alias is written as a folded block', () => {
    const { text, lines } = edit('models:\n  opus:\naliases:\n  sec:\n    model: opus\n    prompt: Be brief.   # old\n', [
      { op: 'set-alias', alias: 'sec', model: 'opus', prompt: 'Be thorough.' },
    ]);
    expect(lines).toEqual(['Updated alias sec: prompt now "Be thorough.".']);
    expect(text).toBe('models:\n  opus:\naliases:\n  sec:\n    model: opus\n    prompt: >\n      Be thorough.\n');
  });

  it('several changes at once, a quoted command stays quoted', () => {
    const { text } = edit(HAND_WRITTEN, [
      { op: 'set-backend', backend: 'codex', command: 'codex exec --json -s read-only -C $(pwd)' },
      { op: 'remove-alias', alias: 'perf-reviewer' },
    ]);
    expect(text).toContain('    command: "codex exec --json -s read-only -C $(pwd)"\n');
    expect(text).not.toContain('perf-reviewer');
    expect(text).toContain('# Team dispatch config — ask #infra before changing backends\n');
    expect(text).toContain('  - U123   # alice\n');
  });

  it('a config without the section gets it, default goes first', () => {
    const { text } = edit('# mine\nmodels:\n  opus:\n', [
      { op: 'set-alias', alias: 'quick', model: 'opus' },
      { op: 'set-default', model: 'quick' },
    ]);
    expect(text).toBe('# mine\ndefault: quick\nmodels:\n  opus:\naliases:\n  quick:\n    model: opus\n');
  });

  it('follows the file’s own indent step and line endings', () => {
    const fourSpaces = edit('models:\n    opus:\n        backend: claude\n', [{ op: 'add-model', model: 'sonnet', backend: 'claude' }]);
    expect(fourSpaces.text).toBe('models:\n    opus:\n        backend: claude\n    sonnet:\n        backend: claude\n');
    const windows = edit('models:\r\n  opus:\r\n', [{ op: 'add-model', model: 'sonnet', backend: 'claude' }]);
    expect(windows.text).toBe('models:\r\n  opus:\r\n  sonnet:\r\n    backend: claude\r\n');
  });

  it('an empty `{}` section or file grows into block style', () => {
    expect(edit('models: {}\n', [{ op: 'add-model', model: 'opus', backend: 'claude' }]).text).toBe('models:\n  opus:\n    backend: claude\n');
    expect(edit('{}\n', [{ op: 'add-model', model: 'opus', backend: 'claude' }]).text).toBe('models:\n  opus:\n    backend: claude\n');
  });

  it('a file without a final newline still gets well-formed additions', () => {
    const { text } = edit('models:\n  opus:', [{ op: 'add-model', model: 'sonnet', backend: 'claude' }]);
    expect(parseConfigText(text).models).toEqual({ opus: {}, sonnet: { backend: 'claude' } });
  });
});

describe('changes that must be refused', () => {
  it('removing a model that the default or an alias uses says which', () => {
    const doc = parseDocument(HAND_WRITTEN);
    expect(() => applyChange(doc, { op: 'remove-model', model: 'sonnet' })).toThrow(
      new ConfigError("Can't remove sonnet: alias perf-reviewer uses it. Change that first.", 'models.sonnet'),
    );
    expect(() => applyChange(doc, { op: 'remove-model', model: 'opus' })).toThrow(/Can't remove opus: it is the default/);
  });

  it('removing what is not there says nothing changed', () => {
    const doc = parseDocument(HAND_WRITTEN);
    expect(applyChange(doc, { op: 'remove-model', model: 'gpt-4' })).toBe('gpt-4 is not in models; nothing removed.');
    expect(applyChange(doc, { op: 'set-default', model: 'opus' })).toBe('Default is already opus.');
  });
});

describe('migrate', () => {
  const LEGACY = `# from the Dispatch days
default: fast
agents:
  fast:
    command: claude -p --dangerously-skip-permissions
  reviewer:
    command: claude -p
    model: opus
    prompt: Review for security issues first.
  gpt:
    command: codex exec --full-auto -C $(pwd)
`;

  it('rewrites agents: as backends, models and aliases, meaning the same thing', () => {
    const doc = parseDocument(LEGACY);
    const lines = migrateDoc(doc);
    const text = renderKeepingLayout(LEGACY, doc);
    expect(lines).toEqual([
      'Moved agents.fast to backends.fast + models.fast.',
      'Moved agents.reviewer to backends.reviewer + models.opus + aliases.reviewer (→ opus, with its prompt).',
      'Moved agents.gpt to backends.gpt + models.gpt.',
      `Rewrote backends.gpt.command for today's codex (--full-auto is gone): "codex exec --full-auto -C $(pwd)" → "${CODEX_COMMAND}".`,
    ]);
    expect(text).not.toContain('agents:');
    expect(text).toContain('# from the Dispatch days\ndefault: fast\n');
    expect(text).toContain('prompt: >\n');
    const before = parseConfigText(LEGACY);
    const after = parseConfigText(text);
    expect(after.default).toBe('fast');
    expect(after.models).toEqual(before.models);
    expect(after.aliases).toEqual(before.aliases.reviewer ? { reviewer: { ...before.aliases.reviewer, prompt: 'Review for security issues first.\n' } } : {});
    expect(after.backends.gpt?.command).toBe(CODEX_COMMAND);
    expect(after.agents).toBeUndefined();
  });

  it('a current config has nothing to migrate', () => {
    const doc = parseDocument(HAND_WRITTEN);
    expect(migrateDoc(doc)).toEqual([]);
  });
});

describe('the --full-auto codex rewrite', () => {
  it('uses the form today’s codex accepts and keeps the user’s other arguments', () => {
    expect(modernCodexCommand('codex exec --full-auto -C $(pwd)')).toBe(CODEX_COMMAND);
    expect(modernCodexCommand('/opt/bin/codex exec --full-auto -C "$(pwd)" -m o3 -c \'model_reasoning_effort="high"\'')).toBe(
      `/opt/bin/codex exec --json -s workspace-write -C $(pwd) --skip-git-repo-check -m o3 -c 'model_reasoning_effort="high"'`,
    );
    const argv = splitCommand(modernCodexCommand('codex exec --full-auto -c "a b"') ?? '');
    expect(argv).toEqual(['codex', 'exec', '--json', '-s', 'workspace-write', '-C', '{dir}', '--skip-git-repo-check', '-c', 'a b']);
  });

  it('leaves other commands alone', () => {
    expect(modernCodexCommand(CODEX_COMMAND)).toBeUndefined();
    expect(modernCodexCommand('claude -p --full-auto')).toBeUndefined();
    expect(modernCodexCommand('codex exec "unclosed')).toBeUndefined();
  });
});
