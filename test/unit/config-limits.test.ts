import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../src/config/validate.js';
import { parseIntent } from '../../src/intent/index.js';

/** The problems a user would be shown for this file, as [key, message]. */
function problems(text: string): Array<[string | undefined, string]> {
  return validateConfigText(text, 'config.yaml').errors.map((e) => [e.key, e.message]);
}

/** Node fires a timer at once when its delay is above 2^31-1 ms (about 24.8 days). */
const TIMER_MAX_MS = 2 ** 31 - 1;

describe('durations are validated and capped, naming the key and the maximum', () => {
  it('refuses a task timeout of 600h (it would fire at once) and says the maximum', () => {
    expect(problems('limits:\n  task_timeout: 600h\n')).toEqual([
      ['limits.task_timeout', 'limits.task_timeout: 600h is longer than the maximum, 7d'],
    ]);
  });

  it('refuses a confirm timeout of 30 days given in seconds', () => {
    expect(problems(`limits:\n  confirm_timeout: ${30 * 24 * 3600}\n`)).toEqual([
      ['limits.confirm_timeout', 'limits.confirm_timeout: 2592000 is longer than the maximum, 24h'],
    ]);
  });

  it('refuses zero and accepts days', () => {
    expect(problems('limits:\n  task_timeout: 0s\n')).toEqual([['limits.task_timeout', 'limits.task_timeout: 0s is too short (at least 1s)']]);
    const { config } = validateConfigText('limits:\n  task_timeout: 2d\n  confirm_timeout: 1d\n');
    expect(config?.limits.task_timeout).toBe(2 * 24 * 3600 * 1000);
    expect(config?.limits.confirm_timeout).toBe(24 * 3600 * 1000);
  });

  it('gives a stopped worker 3 s before SIGKILL unless kill_grace says otherwise (at most 10m)', () => {
    expect(validateConfigText('limits:\n  concurrency: 2\n').config?.limits.kill_grace).toBe(3000);
    expect(validateConfigText('limits:\n  kill_grace: 1s\n').config?.limits.kill_grace).toBe(1000);
    expect(problems('limits:\n  kill_grace: 1h\n')).toEqual([['limits.kill_grace', 'limits.kill_grace: 1h is longer than the maximum, 10m']]);
  });

  it('never yields a duration a timer cannot hold', () => {
    for (const value of ['7d', '168h', '10080m', 604800, '24h', 86400]) {
      const { config } = validateConfigText(`limits:\n  task_timeout: ${value}\n`);
      expect(config?.limits.task_timeout ?? 0).toBeLessThanOrEqual(TIMER_MAX_MS);
    }
  });
});

describe('limits.retention', () => {
  const DAY = 24 * 3600 * 1000;
  const retention = (text: string) => validateConfigText(`models:\n  opus:\n${text}`).config?.limits.retention;

  it('keeps finished tasks 30 days unless told, takes any duration up to ten years, and 0 or off for ever', () => {
    expect(retention('')).toBe(30 * DAY);
    expect(retention('limits:\n  retention: 7d\n')).toBe(7 * DAY);
    expect(retention('limits:\n  retention: off\n')).toBe(0);
    expect(retention('limits:\n  retention: 0\n')).toBe(0);
  });

  it('refuses what is not a duration, and more than its maximum, naming the key', () => {
    expect(problems('limits:\n  retention: 4000d\n')).toEqual([['limits.retention', 'limits.retention: 4000d is longer than the maximum, 3650d']]);
    expect(problems('limits:\n  retention: soon\n')).toEqual([['limits.retention', expect.stringContaining('"soon" is not a duration')]]);
  });
});

describe('names that are JavaScript object internals are refused', () => {
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
    it(`refuses a model named ${name}, naming the key`, () => {
      const found = problems(`models:\n  ${name}: { backend: claude }\n`);
      expect(found).toEqual([[`models.${name}`, expect.stringContaining(`"${name}" is reserved`)]]);
    });
  }

  it('refuses them as alias names, backends, repos and as the default too', () => {
    const found = problems(
      'default: toString\nmodels:\n  opus:\naliases:\n  valueOf: { model: opus }\nbackends:\n  constructor: { command: x }\nrepos:\n  __proto__: /srv\n',
    );
    expect(found.map(([key]) => key).sort()).toEqual(['aliases.valueOf', 'backends.constructor', 'default', 'repos.__proto__']);
  });

  it('keeps underscores in names, in the file and in chat', () => {
    const { config } = validateConfigText('default: my_model\nmodels:\n  my_model: { backend: claude }\naliases:\n  sec_review: { model: my_model }\n');
    expect(Object.keys(config?.models ?? {})).toEqual(['my_model']);
    const known = { models: ['my_model', 'opus'], aliases: ['sec_review'] };
    expect(parseIntent('switch default to my_model', known)).toEqual({ kind: 'config', requests: [{ op: 'set-default', model: 'my_model' }] });
    expect(parseIntent('add new_model to my config', known)).toEqual({ kind: 'config', requests: [{ op: 'add-model', model: 'new_model' }] });
    expect(parseIntent('use my_model to fix the login bug', known)).toMatchObject({ kind: 'tasks', tasks: [{ model: 'my_model' }] });
  });
});
