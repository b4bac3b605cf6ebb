import { ConfigError } from '../../src/errors/index.js';
import { describe, expect, it } from 'vitest';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { configPath, dispatchHome } from '../../src/config/paths.js';
import { BUILTIN_BACKENDS, parseConfigText, validateConfigText } from '../../src/config/validate.js';

/** The problems a user would be shown for this file, as [key, message]. */
function problems(text: string): Array<[string | undefined, string]> {
  const { config, errors } = validateConfigText(text, 'config.yaml');
  if (errors.length === 0) expect(config).toBeDefined();
  return errors.map((e) => [e.key, e.message]);
}

describe('config paths', () => {
  it('defaults to ~/.dispatch/config.yaml like Dispatch itself', () => {
    expect(dispatchHome({})).toBe(join(homedir(), '.dispatch'));
    expect(configPath({})).toBe(join(homedir(), '.dispatch', 'config.yaml'));
  });

  it('DISPATCH_HOME moves the default config; DISPATCH_CONFIG overrides the file', () => {
    expect(configPath({ DISPATCH_HOME: '/srv/bot' })).toBe('/srv/bot/config.yaml');
    expect(configPath({ DISPATCH_HOME: '/srv/bot', DISPATCH_CONFIG: '/etc/dispatch.yaml' })).toBe('/etc/dispatch.yaml');
    expect(dispatchHome({ DISPATCH_HOME: '/srv/bot', DISPATCH_CONFIG: '/etc/dispatch.yaml' })).toBe('/srv/bot');
  });
});

describe('a valid config', () => {
  it('reads the Dispatch models page format with its aliases and folded prompts', () => {
    const config = parseConfigText(
      [
        'default: opus',
        'models:',
        '  opus:',
        '  sonnet: { backend: claude }',
        '  gpt-5.3: { backend: codex }',
        'aliases:',
        '  security-reviewer:',
        '    model: opus',
        '    prompt: >',
        '      You are a security-focused reviewer. Prioritize OWASP Top 10',
        '      vulnerabilities, auth flaws, and injection risks.',
        'limits:',
        '  task_timeout: 90s',
      ].join('\n'),
    );
    expect(config.default).toBe('opus');
    expect(config.models['gpt-5.3']).toEqual({ backend: 'codex' });
    expect(config.aliases['security-reviewer']?.prompt).toBe(
      'You are a security-focused reviewer. Prioritize OWASP Top 10 vulnerabilities, auth flaws, and injection risks.\n',
    );
    expect(config.limits.task_timeout).toBe(90_000);
  });

  it('an empty or comment-only file is an empty config with the built-in limits', () => {
    for (const text of ['', '\n\n', '# nothing yet\n']) {
      const config = parseConfigText(text);
      expect(config.models).toEqual({});
      expect(config.limits.task_timeout).toBe(30 * 60 * 1000);
      expect(config.limits.concurrency).toBe(4);
      // No access rules written: the old open meaning (warm-up and doctor warn about it).
      expect(config.access).toBeUndefined();
    }
  });

  it('allows alias → alias chains and models on every built-in backend', () => {
    const text = `models:\n${BUILTIN_BACKENDS.map((b) => `  m-${b}: { backend: ${b} }`).join('\n')}\naliases:\n  a: { model: b }\n  b: { model: m-claude }\ndefault: a\n`;
    expect(problems(text)).toEqual([]);
  });
});

describe('the legacy agents: format', () => {
  it('makes each agent a usable name, so default: and "use foo" keep working', () => {
    const config = parseConfigText('default: fast\nagents:\n  fast:\n    command: claude -p --dangerously-skip-permissions\n  slow:\n    command: "agent -p --force"\n');
    expect(config.default).toBe('fast');
    expect(config.backends.fast).toEqual({ command: 'claude -p --dangerously-skip-permissions' });
    expect(config.models.fast).toEqual({ backend: 'fast' });
    expect(config.models.slow).toEqual({ backend: 'slow' });
  });

  it('an agent with a prompt becomes an alias carrying that prompt', () => {
    const config = parseConfigText('agents:\n  reviewer:\n    command: claude -p\n    model: opus\n    prompt: Be strict.\n');
    expect(config.aliases.reviewer).toEqual({ model: 'opus', prompt: 'Be strict.' });
    expect(config.models.opus).toEqual({ backend: 'reviewer' });
  });

  it('never overrides names the config already defines', () => {
    const config = parseConfigText('backends:\n  fast:\n    command: gemini -p\nmodels:\n  fast: { backend: gemini }\nagents:\n  fast:\n    command: claude -p\n');
    expect(config.backends.fast?.command).toBe('gemini -p');
    expect(config.models.fast).toEqual({ backend: 'gemini' });
  });
});

describe('every problem names its key', () => {
  it('a bad duration', () => {
    expect(problems('limits:\n  task_timeout: soon\n')).toEqual([
      ['limits.task_timeout', expect.stringMatching(/^limits\.task_timeout: "soon" is not a duration/)],
    ]);
  });

  it('a duration of the wrong type', () => {
    expect(problems('limits:\n  confirm_timeout: true\n')).toEqual([
      ['limits.confirm_timeout', 'limits.confirm_timeout: expected a duration such as 90s, 30m or 2h, got true'],
    ]);
  });

  it('wrong types, all of them at once', () => {
    const found = problems('limits:\n  concurrency: four\naccess:\n  admin: U123\nmodels:\n  opus: 5\nrepos:\n  web: { path: 3 }\n');
    expect(found.map(([key]) => key).sort()).toEqual(['access.admin', 'limits.concurrency', 'models.opus', 'repos.web.path']);
    expect(found.find(([key]) => key === 'limits.concurrency')?.[1]).toBe('limits.concurrency: expected a number, got "four"');
    expect(found.find(([key]) => key === 'access.admin')?.[1]).toBe('access.admin: expected a list, got "U123"');
  });

  it('an unknown top-level key, with the keys that exist', () => {
    expect(problems('modles:\n  opus:\n')).toEqual([['modles', expect.stringContaining('unknown key (known keys: default, backends, models')]]);
  });

  it('an alias prompt of 150 kB, with the limit and what to do instead', () => {
    const [problem, ...rest] = problems(`models:\n  opus:\naliases:\n  reviewer:\n    model: opus\n    prompt: "${'x'.repeat(150_000)}"\n`);
    expect(rest).toEqual([]);
    expect(problem?.[0]).toBe('aliases.reviewer.prompt');
    expect(problem?.[1]).toMatch(/at most 16,000 characters; put longer instructions in a file/);
  });

  it('an unknown key at any depth, each named with the keys that exist there', () => {
    const text = [
      'limits:',
      '  concurency: 2',
      'aliases:',
      '  rev: { model: opus, promt: be thorough }',
      'models:',
      '  opus: { modle: claude }',
      'backends:',
      '  claude: { command: claude -p, model_falg: false }',
      'repos:',
      '  web: { path: /srv/web, worktrees: always }',
      'channels:',
      '  C1: { repo: web, defualt: opus }',
      'access:',
      '  admins: [U1]',
      'agents:',
      '  old: { command: claude -p, promt: hi }',
    ].join('\n');
    expect(problems(text).sort(([a], [b]) => String(a).localeCompare(String(b)))).toEqual([
      ['access.admins', 'access.admins: unknown key (known keys: dispatch, admin)'],
      ['agents.old.promt', 'agents.old.promt: unknown key (known keys: command, model, prompt)'],
      ['aliases.rev.promt', 'aliases.rev.promt: unknown key (known keys: model, prompt)'],
      ['backends.claude.model_falg', 'backends.claude.model_falg: unknown key (known keys: command, model_flag)'],
      ['channels.C1.defualt', 'channels.C1.defualt: unknown key (known keys: repo, default)'],
      ['limits.concurency', expect.stringMatching(/^limits\.concurency: unknown key \(known keys: task_timeout, confirm_timeout, concurrency, per_backend/)],
      ['models.opus.modle', 'models.opus.modle: unknown key (known keys: backend, price)'],
      ['repos.web.worktrees', 'repos.web.worktrees: unknown key (known keys: path, default, worktree, auto_pr, draft, branch_prefix)'],
    ]);
  });

  it('an alias missing its model', () => {
    expect(problems('aliases:\n  sec:\n    prompt: hi\n')).toEqual([['aliases.sec.model', 'aliases.sec.model: is required']]);
  });

  it('an unknown backend', () => {
    expect(problems('models:\n  opus: { backend: clade }\n')).toEqual([
      ['models.opus.backend', expect.stringMatching(/^models\.opus\.backend: "clade" is not a backend \(built-in: claude, cursor, codex, gemini/)],
    ]);
    expect(problems('backends:\n  mine:\n    command: my-cli --go\nmodels:\n  m: { backend: mine }\n')).toEqual([]);
  });

  it('an alias to a missing model, and a default nobody defines', () => {
    expect(problems('models:\n  opus:\naliases:\n  sec: { model: opsu }\ndefault: sonet\n')).toEqual([
      ['default', 'default: "sonet" is not a configured model or alias (configured: opus, sec)'],
      ['aliases.sec.model', 'aliases.sec.model: "opsu" is not a configured model or alias (configured: opus, sec)'],
    ]);
  });

  it('an alias cycle, named as the chain it makes', () => {
    const found = problems('models:\n  opus:\naliases:\n  a: { model: b }\n  b: { model: c }\n  c: { model: a }\n  d: { model: d }\n');
    expect(found).toEqual([
      ['aliases.a.model', 'aliases.a.model: aliases refer to each other in a cycle: a → b → c → a'],
      ['aliases.d.model', 'aliases.d.model: aliases refer to each other in a cycle: d → d'],
    ]);
  });

  it('shell syntax in a backend command, and in a legacy agent command', () => {
    const found = problems('backends:\n  x:\n    command: "claude -p | tee log"\nagents:\n  y:\n    command: "gemini -p; rm -rf /"\n');
    expect(found.map(([key]) => key)).toEqual(['backends.x.command', 'agents.y.command']);
    expect(found[0]?.[1]).toMatch(/^backends\.x\.command: "\|" is shell syntax/);
  });

  it('a channel bound to a repo that does not exist, and two default repos', () => {
    const found = problems('repos:\n  web: { path: /src/web, default: true }\n  api: { path: /src/api, default: true }\nchannels:\n  C042: { repo: mobile }\n');
    expect(found).toEqual([
      ['channels.C042.repo', 'channels.C042.repo: "mobile" is not in repos (web, api)'],
      ['repos.api.default', 'repos.api.default: only one repo can be the default (web, api all say default: true)'],
    ]);
  });

  it('malformed YAML: line, column and the key it sits under', () => {
    const found = problems('models:\n  opus:\naliases:\n  sec:\n    model: [opus\n    prompt: hi\n');
    expect(found).toHaveLength(1);
    expect(found[0]?.[0]).toBe('aliases.sec.model');
    expect(found[0]?.[1]).toMatch(/^aliases\.sec\.model: YAML syntax error at line 6, column 5: /);
  });

  it('a duplicated key', () => {
    expect(problems('models:\n  opus:\n  opus:\n')[0]?.[1]).toMatch(/^models\.opus: YAML syntax error at line \d+, column \d+: Map keys must be unique/);
  });

  it('a file that is not a mapping at all', () => {
    expect(problems('just some words')).toEqual([[undefined, 'the config must be a mapping (key: value lines) such as "default: opus", got "just some words"']]);
    expect(problems('- opus\n- sonnet\n')[0]?.[1]).toMatch(/got a list$/);
  });

  it('parseConfigText throws the first problem as a ConfigError listing them all', () => {
    let thrown: unknown;
    try {
      parseConfigText('default: nope\nlimits:\n  task_timeout: later\n', 'x.yaml');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.key).toBe('limits.task_timeout');
    expect(error.file).toBe('x.yaml');
    expect(error.message).toContain('limits.task_timeout: "later" is not a duration');
  });
});

describe('hostile input does not crash', () => {
  it('1 MB of random bytes is reported, briefly', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const garbage = Array.from({ length: 1 << 20 }, () => String.fromCharCode(Math.floor(random() * 256))).join('');
    const { config, errors } = validateConfigText(garbage);
    expect(config).toBeUndefined();
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(51);
    for (const error of errors) expect(error).toBeInstanceOf(ConfigError);
  });

  it('control characters and unicode in names are refused by key, in values kept', () => {
    expect(problems('models:\n  "op\\u0000us":\n')[0]?.[0]).toBe('models.op\u0000us');
    expect(problems('models:\n  模型:\n')[0]?.[1]).toMatch(/is not a valid name/);
    const config = parseConfigText('models:\n  opus:\naliases:\n  sec:\n    model: opus\n    prompt: "Sé estricto 🔒 \\u0007"\n');
    expect(config.aliases.sec?.prompt).toBe('Sé estricto 🔒 \u0007');
  });

  it('an alias bomb is refused instead of expanded', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i += 1) lines.push(`${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`);
    const found = problems(lines.join('\n'));
    expect(found).toHaveLength(1);
    expect(found[0]?.[1]).toMatch(/the YAML could not be read/);
  });
});
