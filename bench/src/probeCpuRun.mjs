// One measurement of the /health transport alone, run by monitorCpu.mjs in a process of its
// own: N endpoints (healthFarm.mjs, a child process), each fetched once a second (jitter 0.1,
// on the monitor's 100 ms check slots), the body parsed as JSON; after BENCH_WARMUP_SECONDS
// (default 10), process.cpuUsage() of this process over BENCH_SECONDS (default 15). Prints one JSON line. BENCH_CPU_PROFILE=FILE profiles the window. Usage: node probeCpuRun.mjs SCENARIO
//   fetch      globalThis.fetch (undici), as the first monitor did
//   node-http  node:http with a keep-alive agent
//   probe      the monitor's createHttpProbe (its own kept-alive HTTP/1.1 connection)

import { Agent, request } from 'node:http';
import {
  createHttpProbe,
  createSlottedClock,
  monitorClock,
  nextCheckDelay,
} from '@selfheal/monitor';
import { measureCpuWindow, startHealthFarm } from './cpuWindow.mjs';

const scenario = process.argv[2] ?? 'probe';
const SERVERS = Number(process.env.BENCH_SERVERS ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const farm = await startHealthFarm(SERVERS);
const { ports } = farm;

const agent = new Agent({ keepAlive: true });
const viaFetch = (url) => () =>
  fetch(url)
    .then((r) => r.text())
    .then((t) => JSON.parse(t));
const viaNodeHttp = (url) => () =>
  new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end();
  });
const viaProbe = (url) => {
  const probe = createHttpProbe({ url });
  return async () => {
    const r = await probe();
    if (r.status !== 'ok') throw new Error(r.error);
  };
};
const make = { fetch: viaFetch, 'node-http': viaNodeHttp, probe: viaProbe }[scenario];
if (!make) throw new Error(`unknown scenario ${scenario}`);

const timers = createSlottedClock(monitorClock, { slotMs: 100 });
const settings = { intervalMs: 1000, unhealthyIntervalMs: 1000, jitter: 0.1 };
let done = 0;
let failed = 0;
let running = true;
for (const port of ports) {
  const get = make(`http://127.0.0.1:${port}/health`);
  const loop = () => {
    if (!running) return;
    get()
      .then(
        () => done++,
        () => failed++,
      )
      .finally(() => timers.setTimeout(loop, nextCheckDelay(settings, false)));
  };
  timers.setTimeout(loop, 500 + Math.random() * 1000);
}
let before = 0;
const { cpu, wallMs } = await measureCpuWindow({
  warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 10),
  seconds: SECONDS,
  profileFile: process.env.BENCH_CPU_PROFILE,
  onStart: () => {
    before = done;
  },
});
running = false;
farm.stop();
process.stdout.write(
  `${JSON.stringify({ scenario, servers: SERVERS, ok: SERVERS, failed, wallMs, checks: done - before, userMs: cpu.user / 1000, systemMs: cpu.system / 1000 })}\n`,
);
process.exit(0);
