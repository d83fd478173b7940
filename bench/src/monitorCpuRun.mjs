// One measurement of the monitor's CPU cost, run by monitorCpu.mjs in a process of its own:
// N servers with a W3 /health endpoint (served by healthFarm.mjs in a child process, so their
// CPU is not counted), checked every second with jitter 0.1, every check an event in a
// batched JSONL log; after a warm-up of BENCH_WARMUP_SECONDS (default 10: at 100 checks/s
// the JIT is still compiling after 3 s, which adds about a third), process.cpuUsage()
// (user + system) of this process over BENCH_SECONDS (default 15). Prints one JSON line. Usage: node monitorCpuRun.mjs SCENARIO
//   current   the monitor as shipped (check slots of 100 ms, events built without a second
//             schema check, the file sink writing what the bus buffered in one write)
//   unslotted the same with checkSlotMs 0, schema-checked events, one log write per event:
//             the three switches that still exist of the monitor as first merged
// BENCH_CPU_PROFILE=FILE writes a V8 CPU profile of the measured window.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEventBus,
  createEventFactory,
  createEventLog,
  createFileSink,
} from '@selfheal/events';
import {
  createMonitor,
  createMonitorStore,
  createNodeSpawner,
  createRegistry,
  parseConfig,
} from '@selfheal/monitor';
import { measureCpuWindow, startHealthFarm } from './cpuWindow.mjs';

const scenario = process.argv[2] ?? 'current';
if (!['current', 'unslotted'].includes(scenario)) throw new Error(`unknown scenario ${scenario}`);
const current = scenario === 'current';
const SERVERS = Number(process.env.BENCH_SERVERS ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 10);

const farm = await startHealthFarm(SERVERS);
const { ports } = farm;

const mcpServers = Object.fromEntries(
  ports.map((port, i) => [
    `s${i}`,
    { url: `http://127.0.0.1:${port}/mcp`, health_url: `http://127.0.0.1:${port}/health` },
  ]),
);
const config = parseConfig(
  { mcpServers, health_check: { interval_seconds: 1, jitter: 0.1, probes: ['http'] } },
  'bench.json',
);
const dir = mkdtempSync(join(tmpdir(), 'selfheal-bench-monitor-'));
const factory = createEventFactory({ repo: 'selfheal', validate: !current });
const bus = createEventBus({ events: factory });
const log = await createEventLog({ path: join(dir, 'events.jsonl'), durability: 'batched' });
const fileSink = createFileSink(log, { batchWindowMs: 50 });
// Without writeBatch the bus hands the file sink one event at a time: one write each.
bus.attach(current ? fileSink : { name: 'file', write: (e) => fileSink.write(e) });
let checks = 0;
bus.events$.subscribe((e) => {
  if (e.event_type === 'health_check_completed') checks++;
});
const store = createMonitorStore({ publish: (e) => bus.publish(e), events: factory });
const monitor = createMonitor({
  servers: createRegistry(config, { env: {} }),
  store,
  spawner: createNodeSpawner(),
  checkSlotMs: current ? 100 : 0,
});
await monitor.start();
let checksBefore = 0;
const { cpu, wallMs } = await measureCpuWindow({
  warmupSeconds: WARMUP_SECONDS,
  seconds: SECONDS,
  profileFile: process.env.BENCH_CPU_PROFILE,
  onStart: () => {
    checksBefore = checks;
  },
});
const checksDone = checks - checksBefore;

await monitor.stop();
await bus.close();
await log.close();
farm.stop();
rmSync(dir, { recursive: true, force: true });

const ok = Object.values(store.state().servers).filter((s) => s.status === 'ok').length;
process.stdout.write(
  `${JSON.stringify({
    scenario,
    servers: SERVERS,
    ok,
    wallMs,
    checks: checksDone,
    userMs: cpu.user / 1000,
    systemMs: cpu.system / 1000,
  })}\n`,
);
