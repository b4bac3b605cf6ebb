import { InProcessQueue } from '../../src/queue/in-process.js';
import { createRunnerHost } from '../../src/runner/index.js';
import { runQueueContract } from '../contract/queue.contract.js';
import { runQueueStatsContract } from '../contract/queue-stats.contract.js';
import { backendFor, fakeCommandFor } from '../fixtures/fake-agent-support.js';

runQueueContract('InProcessQueue', async (home) =>
  new InProcessQueue(createRunnerHost({ home, backendFor, commandFor: fakeCommandFor(), concurrency: 4, perBackend: {}, killGraceMs: 500 })),
);

runQueueStatsContract('InProcessQueue', async (home) =>
  new InProcessQueue(createRunnerHost({ home, backendFor, commandFor: fakeCommandFor(), concurrency: 1, perBackend: {}, killGraceMs: 500 })),
);
