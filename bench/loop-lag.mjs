// Preloaded (`node --import`) into a process a benchmark watches: writes the process's
// event-loop delay (p99 and max since start, and p99 and max of each second, in ms) and its
// memory as Node counts it (rss, JS heap, external, array buffers, in MB), each with the time it
// was taken, to LOOP_LAG_FILE once a second, so the benchmark reads it without asking the
// process under test to cooperate, and can leave out the seconds of start-up.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.LOOP_LAG_FILE;
if (file) {
  const whole = monitorEventLoopDelay({ resolution: 10 });
  const window = monitorEventLoopDelay({ resolution: 10 });
  whole.enable();
  window.enable();
  const windows = [];
  setInterval(() => {
    const m = process.memoryUsage();
    const mb = (bytes) => Math.round(bytes / 1e5) / 10;
    const mem = { rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) };
    windows.push({ p99: window.percentile(99) / 1e6, max: window.max / 1e6, mem, at: Date.now() });
    window.reset();
    const figures = { p99: whole.percentile(99) / 1e6, max: whole.max / 1e6, windows };
    writeFileSync(file, JSON.stringify(figures));
  }, 1000).unref();
}
