import { describe, expect, it } from 'vitest';
import { AccessDenied, ConfigError, DispatchError, UnknownTaskError, UserError, WireError, asDispatchError, fromWire } from '../../src/errors/index.js';

describe('coded errors', () => {
  it('arrive across a process boundary as the same error: class, code, message and config key', () => {
    const sent = [new ConfigError('default: gpt-9 is not a model', 'default'), new AccessDenied('Only admins may change the config.'), new UnknownTaskError('audit')];
    for (const error of sent) {
      const received = fromWire(WireError.parse(JSON.parse(JSON.stringify(error.toWire()))));
      expect(received).toBeInstanceOf(UserError);
      expect(received).toMatchObject({ code: error.code, message: error.message });
    }
    expect(fromWire(new ConfigError('bad', 'limits.concurrency').toWire())).toMatchObject({ key: 'limits.concurrency' });
  });

  it('tell what a user can fix from what is a bug', () => {
    expect(new UserError('Name a model.').userFixable).toBe(true);
    expect(asDispatchError(new TypeError('x is undefined'))).toMatchObject({ code: 'internal', userFixable: false, message: 'x is undefined' });
    expect(asDispatchError('a string was thrown')).toMatchObject({ code: 'internal', message: 'a string was thrown' });
    expect(fromWire({ code: 'runner_gone', message: 'gone' })).toBeInstanceOf(DispatchError);
    expect(fromWire({ code: 'runner_gone', message: 'gone' }).userFixable).toBe(false);
  });
});
