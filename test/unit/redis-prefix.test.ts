import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/index.js';
import { redisOptions } from '../../src/util/redis-env.js';

describe('DISPATCH_REDIS_PREFIX', () => {
  it('refuses a prefix Redis cannot name a connection after (BullMQ names them after it), naming the setting', () => {
    for (const prefix of ['bot on Redis', 'tab\there', 'line\nbreak', 'ünïcode']) {
      const refused = (() => {
        try {
          redisOptions({ DISPATCH_REDIS_PREFIX: prefix });
          return undefined;
        } catch (err) {
          return err;
        }
      })();
      expect(refused, JSON.stringify(prefix)).toBeInstanceOf(ConfigError);
      expect((refused as ConfigError).key).toBe('DISPATCH_REDIS_PREFIX');
      expect((refused as ConfigError).message).toContain('DISPATCH_REDIS_PREFIX');
    }
  });

  it('takes the default and any printable prefix without spaces', () => {
    expect(redisOptions({}).prefix).toBe('dispatch');
    expect(redisOptions({ DISPATCH_REDIS_PREFIX: 'team:prod/dispatch{1}' }).prefix).toBe('team:prod/dispatch{1}');
  });
});
