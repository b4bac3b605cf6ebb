import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/index.js';
import { DEFAULT_RUNNER_ID, runnerDirName, runnerIdOf } from '../../src/runner/index.js';

describe('runner id', () => {
  it('is DISPATCH_RUNNER_ID, else the fallback given, else the single-process default', () => {
    expect(runnerIdOf({ DISPATCH_RUNNER_ID: 'r1' })).toBe('r1');
    expect(runnerIdOf({ DISPATCH_RUNNER_ID: 'team:runner 1' })).toBe('team:runner 1');
    expect(runnerIdOf({}, 'host-123')).toBe('host-123');
    expect(runnerIdOf({ DISPATCH_RUNNER_ID: '' })).toBe(DEFAULT_RUNNER_ID);
    expect(() => runnerIdOf({ DISPATCH_RUNNER_ID: 'r1\nforged log line' })).toThrow(ConfigError);
    expect(runnerIdOf({ DISPATCH_RUNNER_ID: 'runner-{hostname}' }, 'x', () => '3f2a9c1d')).toBe('runner-3f2a9c1d');
  });

  it('names one directory of its own: a tame id as it is, any other never outside workers/ and never shared', () => {
    expect(runnerDirName('r1')).toBe('r1');
    const odd = ['../r1', 'r1/x', '..', '.hidden', 'a b', 'a:b', 'a;b', 'x'.repeat(65), '-r1'];
    const dirs = odd.map(runnerDirName);
    for (const dir of dirs) expect(dir).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]*$/);
    expect(new Set(dirs).size).toBe(odd.length);
    expect(runnerDirName('a:b')).not.toBe(runnerDirName('a;b'));
  });
});
