// CPU cost of the monitor: 100 servers with a W3 /health endpoint, checked every second, for
// BENCH_SECONDS (default 20) after a warm-up, measured with process.cpuUsage() of this process
// (the monitor, its event log included). The endpoints run in a child process of their own, so
// their CPU is not counted. Prints a table; the target (< 5% of one core) is reported, not asserted.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

const SERVERS = Number(process.env.BENCH_SERVERS ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP_SECONDS = 3;

const farm = spawn(
  process.execPath,
  [fileURLToPath(new URL('./healthFarm.mjs', import.meta.url)), String(SERVERS)],
  {
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
const ports = await new Promise((resolve) =>
  farm.stdout.once('data', (c) => resolve(JSON.parse(c.toString()))),
);

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
const factory = createEventFactory({ repo: 'selfheal', validate: false });
const bus = createEventBus({ events: factory });
const log = await createEventLog({ path: join(dir, 'events.jsonl'), durability: 'batched' });
bus.attach(createFileSink(log));
let checks = 0;
bus.events$.subscribe((e) => {
  if (e.event_type === 'health_check_completed') checks++;
});
const store = createMonitorStore({ publish: (e) => bus.publish(e), events: factory });
const monitor = createMonitor({
  servers: createRegistry(config, { env: {} }),
  store,
  spawner: createNodeSpawner(),
});
await monitor.start();
await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));

// BENCH_CPU_PROFILE=FILE writes a V8 CPU profile of the measured window only (not start-up).
const profileFile = process.env.BENCH_CPU_PROFILE;
const inspector = profileFile ? new Session() : undefined;
const post = (method, params) =>
  new Promise((resolve, reject) =>
    inspector.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
if (inspector) {
  inspector.connect();
  await post('Profiler.enable');
  await post('Profiler.start');
}
const checksBefore = checks;
const cpuBefore = process.cpuUsage();
const wallBefore = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, SECONDS * 1000));
const cpu = process.cpuUsage(cpuBefore);
const wallMs = Number(process.hrtime.bigint() - wallBefore) / 1e6;
const checksDone = checks - checksBefore;
if (inspector) {
  const { profile } = await post('Profiler.stop');
  writeFileSync(profileFile, JSON.stringify(profile));
  inspector.disconnect();
}

await monitor.stop();
await bus.close();
await log.close();
farm.stdin.end();
rmSync(dir, { recursive: true, force: true });

const cpuMs = (cpu.user + cpu.system) / 1000;
const share = (cpuMs / wallMs) * 100;
const ok = Object.values(store.state().servers).filter((s) => s.status === 'ok').length;
console.log(
  `\nmonitor CPU: ${SERVERS} servers, /health every 1 s (jitter 0.1), events to a JSONL log`,
);
console.table([
  {
    servers: SERVERS,
    'wall s': (wallMs / 1000).toFixed(1),
    checks: checksDone,
    'checks/s': (checksDone / (wallMs / 1000)).toFixed(1),
    'cpu ms (user+sys)': cpuMs.toFixed(0),
    'cpu µs / check': ((cpuMs * 1000) / checksDone).toFixed(0),
    '% of one core': share.toFixed(2),
    'target < 5%': share < 5 ? 'met' : 'NOT met',
    'servers ok': `${ok}/${SERVERS}`,
  },
]);
