import { afterEach, describe, expect, it } from 'vitest';
import { startSlack, type SlackSurface } from '../../adapters/slack/index.js';
import { opsHandler } from '../../src/metrics/http.js';
import { PrometheusMetrics } from '../../src/metrics/prometheus.js';
import { gatewayOps, runnerOps, type Ops } from '../../src/ops.js';
import { createRunnerHost, type RunnerHost } from '../../src/runner/index.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server.js';
import { EventRecorder, TempDirs, backendFor, fakeCommandFor, fakeSpec, uniqueId } from '../fixtures/fake-agent-support.js';
import { eventually } from '../support/eventually.js';
import { Stack } from '../support/stack.js';

const LOCAL = { METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' };

async function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

/** The value of one series in Prometheus text (`name{a="x",b="y"} value`, labels in any order); undefined when absent. */
function figure(text: string, series: string): number | undefined {
  const key = (s: string): string => {
    const m = /^([^{\s]+)(?:\{(.*)\})?$/.exec(s);
    return `${m?.[1] ?? s}{${(m?.[2] ?? '').split(',').filter(Boolean).sort().join(',')}}`;
  };
  const wanted = key(series);
  const line = text.split('\n').find((l) => !l.startsWith('#') && key(l.slice(0, l.lastIndexOf(' '))) === wanted);
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/healthz and /metrics', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('the gateway: tasks by state, queue depth, runners up and durations move with real tasks', async () => {
    const stack = await Stack.start({ config: 'default: opus\nmodels:\n  opus: { backend: claude }\nlimits:\n  concurrency: 1\n' });
    closers.push(() => stack.close());
    const ops: Ops = await gatewayOps(stack.app, LOCAL, () => undefined);
    closers.push(() => ops.close());
    const port = ops.port as number;
    const scrape = async () => (await get(port, '/metrics')).body;

    const health = await get(port, '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ ok: true, role: 'gateway', runnersUp: 1 });
    const before = await get(port, '/metrics');
    expect(before.type).toContain('text/plain');
    expect(figure(before.body, 'dispatch_runners_up{role="gateway"}')).toBe(1);
    expect(figure(before.body, 'dispatch_tasks{state="running",role="gateway"}')).toBe(0);
    expect(figure(before.body, 'dispatch_tasks_finished{role="gateway"}')).toBe(0);

    await stack.say('use opus to pick a broker fake:items=2 fake:ask=NATS or Kafka?');
    const question = await stack.waitFor(/asks:\nNATS or Kafka\?/);
    await stack.say('use opus to write the changelog fake:items=1');
    await stack.waitFor(/Queued/);
    const busy = await scrape();
    expect(figure(busy, 'dispatch_queue_depth{role="gateway"}')).toBe(1);
    expect(figure(busy, 'dispatch_tasks_running{role="gateway"}')).toBe(1);
    expect(figure(busy, 'dispatch_tasks{state="waiting",role="gateway"}')).toBe(1);

    await stack.say('NATS', 'alice', { thread: question.target.thread as string });
    await stack.waitFor(/is done[\s\S]*/);
    const ids = stack.surface.posts.filter((p) => p.reply.title).map((p) => p.reply.title as string);
    for (const id of new Set(ids)) await stack.waitForStatus(id, /done/);
    // Observed once the final event is handled (its listener reads the task's creation from the store).
    await eventually('two durations observed', async () => figure(await scrape(), 'dispatch_task_duration_seconds_count{state="done",role="gateway"}') === 2);
    const after = await scrape();
    expect(figure(after, 'dispatch_tasks_finished{role="gateway"}')).toBe(2);
    expect(figure(after, 'dispatch_tasks{state="waiting",role="gateway"}')).toBe(0);
    expect(figure(after, 'dispatch_queue_depth{role="gateway"}')).toBe(0);
    expect(figure(after, 'dispatch_tasks_running{role="gateway"}')).toBe(0);
    expect(figure(after, 'dispatch_task_duration_seconds_sum{state="done",role="gateway"}')).toBeGreaterThan(0);
    expect((await get(port, '/nothing')).status).toBe(404);
  });

  it("Slack's HTTP port answers them too, and the Web API client's retries are counted", async () => {
    // One chat.postMessage per channel per second: the second post at once gets a 429 with Retry-After.
    const fake: FakeSlack = await startFakeSlack({ postPerChannel: { perSecond: 1, burst: 1 } });
    closers.push(() => fake.close());
    const metrics = new PrometheusMetrics('gateway', () => Promise.resolve({ tasksByState: {} }));
    const slack: SlackSurface = await startSlack({
      botToken: 'xoxb-test',
      signingSecret: 'signing',
      apiUrl: fake.apiUrl,
      port: 0,
      host: '127.0.0.1',
      onInbound: async () => undefined,
      accept: async () => true,
      log: () => undefined,
      onRetry: () => metrics.chatRetry('slack'),
      ops: opsHandler({ metrics, health: () => Promise.resolve({ ok: true, detail: {} }) }),
    });
    closers.push(() => slack.stop());
    const port = slack.port as number;
    expect(figure((await get(port, '/metrics')).body, 'dispatch_chat_api_retries_total{surface="slack",role="gateway"}')).toBeUndefined();
    await slack.post({ channel: 'C1' }, { text: 'first' });
    await slack.post({ channel: 'C1' }, { text: 'second' });
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage').map((c) => c.status)).toEqual([200, 429, 200]);
    expect(figure((await get(port, '/metrics')).body, 'dispatch_chat_api_retries_total{surface="slack",role="gateway"}')).toBe(1);
    expect((await get(port, '/healthz')).status).toBe(200);
  });

  it('a runner: its workers by state, up while serving, durations of its tasks', async () => {
    const temp = new TempDirs();
    closers.push(async () => temp.removeAll());
    const host: RunnerHost = createRunnerHost({ home: temp.make('home'), runnerId: 'r1', backendFor, commandFor: fakeCommandFor(), concurrency: 2, perBackend: {} });
    closers.push(() => host.close({ killWorkers: true }));
    let serving = true;
    const ops = await runnerOps(host, LOCAL, () => undefined, () => serving);
    closers.push(() => ops.close());
    const port = ops.port as number;
    const events = new EventRecorder();
    host.subscribe(events.listener);
    const task = fakeSpec({ id: uniqueId('ops'), goal: 'Wait fake:items=2 fake:ask=Go?', repo: temp.repo() });
    await host.submit(task);
    await events.next(task.id, 'question');
    const running = (await get(port, '/metrics')).body;
    expect(figure(running, 'dispatch_tasks{state="running",role="runner"}')).toBe(1);
    expect(figure(running, 'dispatch_runners_up{role="runner"}')).toBe(1);
    await host.answer(task.id, '001', 'go');
    await events.finished(task.id);
    await eventually('one duration observed', async () => figure((await get(port, '/metrics')).body, 'dispatch_task_duration_seconds_count{state="done",role="runner"}') === 1);
    expect(figure((await get(port, '/metrics')).body, 'dispatch_tasks{state="running",role="runner"}')).toBe(0);
    serving = false;
    expect((await get(port, '/healthz')).status).toBe(503);
  });
});
