import { describe, expect, it } from 'vitest';
import { LEGACY_TASKS_QUEUE, backendQueue, isBackendQueue, pinnedQueue } from '../../src/queue/bullmq-wire.js';

describe('the queue of a backend', () => {
  const names = ['claude', 'a:b', 'a_b', 'a.b', 'a/b', 'a_003ab', 'A-b', 'a-b', 'ünï', 'tasks', 'runner-x'];

  it('is a name BullMQ takes (no `:`), one per backend: names that differ only in punctuation never share a queue', () => {
    const queues = names.map(backendQueue);
    expect(new Set(queues).size).toBe(names.length);
    for (const q of queues) expect(q).toMatch(/^tasks-[A-Za-z0-9_-]+$/);
    expect(backendQueue('claude')).toBe('tasks-claude');
    expect(backendQueue('a:b')).toBe('tasks-a_003ab');
  });

  it('never meets the legacy queue or a runner\'s own queue', () => {
    for (const name of names) {
      expect(backendQueue(name)).not.toBe(LEGACY_TASKS_QUEUE);
      expect(isBackendQueue(backendQueue(name))).toBe(true);
    }
    expect(isBackendQueue(LEGACY_TASKS_QUEUE)).toBe(false);
    expect(isBackendQueue(pinnedQueue('tasks-claude'))).toBe(false);
  });
});
