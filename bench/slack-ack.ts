/**
 * Slack ack latency: time from sending a signed `/dispatch` to its HTTP answer, through our
 * adapter (ack, then dedupe + hand-off after) next to the floor: a bare Bolt app whose listener
 * only acks. Same fake Slack, same run, requests interleaved (adapter, floor, adapter…) so a
 * neighbour on the shared machine slows both alike. Slack's deadline is 3000 ms.
 *
 *   node bin/run-ts.js bench/slack-ack.ts [requests=200]
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { App, LogLevel } from '@slack/bolt';
import { startSlack } from '../adapters/slack/index.js';
import { memoryDedupe, SlackSender, startFakeSlack } from '../test/fakes/slack-server.js';

const SECRET = 'bench-signing-secret';
const WARMUP = 20;

export async function runSlackAckBench(requests = 200): Promise<void> {
  const fake = await startFakeSlack({ botUserId: 'UBOT' });
  let handed = 0;
  const adapter = await startSlack({
    botToken: 'xoxb-bench',
    signingSecret: SECRET,
    apiUrl: fake.apiUrl,
    port: 0,
    host: '127.0.0.1',
    onInbound: async () => {
      handed += 1;
    },
    accept: memoryDedupe().accept,
    log: () => {},
  });
  const bare = new App({
    token: 'xoxb-bench',
    signingSecret: SECRET,
    clientOptions: { slackApiUrl: fake.apiUrl },
    logLevel: LogLevel.ERROR,
    deferInitialization: true,
  });
  bare.command('/dispatch', async ({ ack }) => ack());
  await bare.init();
  const bareServer = await bare.start({ port: 0, host: '127.0.0.1' });
  const bareAddress = bareServer.address();
  const barePort = typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0;
  try {
    const ours = new SlackSender(`http://127.0.0.1:${adapter.port}/slack/events`, SECRET);
    const floor = new SlackSender(`http://127.0.0.1:${barePort}/slack/events`, SECRET);
    const oursMs: number[] = [];
    const floorMs: number[] = [];
    for (let i = 0; i < WARMUP + requests; i++) {
      const a = await timeCommand(ours, i);
      const b = await timeCommand(floor, i);
      if (i >= WARMUP) {
        oursMs.push(a);
        floorMs.push(b);
      }
    }
    print(requests, oursMs, floorMs, handed);
  } finally {
    await adapter.stop();
    await bare.stop();
    await fake.close();
  }
}

async function timeCommand(sender: SlackSender, i: number): Promise<number> {
  const started = performance.now();
  const res = await sender.command({ text: `use sonnet to fix bug ${i}`, user_id: 'U1', channel_id: 'C1' });
  const took = performance.now() - started;
  if (res.status !== 200) throw new Error(`request ${i} answered ${res.status}`);
  return took;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function print(requests: number, ours: number[], floor: number[], handed: number): void {
  const row = (name: string, ms: number[]): string => {
    const s = [...ms].sort((x, y) => x - y);
    return `${name.padEnd(28)} median ${quantile(s, 0.5).toFixed(2)} ms   p95 ${quantile(s, 0.95).toFixed(2)} ms   max ${(s.at(-1) ?? NaN).toFixed(2)} ms`;
  };
  console.log(`Slack ack latency, ${requests} signed /dispatch requests each (after ${WARMUP} warm-up), Node ${process.version}, ${cpus().length} cpus, load ${loadavg()[0]?.toFixed(2)}`);
  console.log(row('dispatch-bot adapter', ours));
  console.log(row('bare Bolt, ack only (floor)', floor));
  console.log(`handed to the dispatcher after their ack: ${handed} of ${requests + WARMUP} sent; Slack's deadline: 3000 ms`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const requests = Number(process.argv[2] ?? 200);
  await runSlackAckBench(Number.isInteger(requests) && requests > 0 ? requests : 200);
}
