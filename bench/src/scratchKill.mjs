import { createRequire } from 'node:module';
import {
  createMonitor,
  createMonitorStore,
  createNodeSpawner,
  createRegistry,
  parseConfig,
} from '@selfheal/monitor';

const everything = createRequire(
  new URL('../../packages/monitor/package.json', import.meta.url),
).resolve('@modelcontextprotocol/server-everything/dist/index.js');
const config = parseConfig(
  {
    mcpServers: { everything: { command: process.execPath, args: [everything, 'stdio'] } },
    health_check: {
      interval_seconds: 0.1,
      unhealthy_interval_seconds: 0.05,
      timeout_seconds: 0.3,
      failure_threshold: 2,
      success_threshold: 1,
      startup_grace_seconds: 0,
    },
    recovery: {
      stop_grace_seconds: 0.3,
      backoff: { initial_seconds: Number(process.env.B ?? 0.05), multiplier: 2, max_seconds: 1 },
    },
  },
  't.json',
);
const times = {};
let t0 = 0;
const store = createMonitorStore({
  publish: (e) => {
    if (t0 && !times[e.event_type]) times[e.event_type] = Math.round(performance.now() - t0);
  },
});
const monitor = createMonitor({
  servers: createRegistry(config, { env: {} }),
  store,
  spawner: createNodeSpawner({ orphanGraceMs: 200 }),
});
await monitor.start();
const s = monitor.servers.get('everything');
while (store.view('everything').status !== 'ok') await new Promise((r) => setTimeout(r, 10));
await new Promise((r) => setTimeout(r, 500));
for (let round = 0; round < Number(process.env.N ?? 3); round++) {
  for (const k of Object.keys(times)) delete times[k];
  const before = s.pid;
  t0 = performance.now();
  process.kill(before, 'SIGKILL');
  let listedAt;
  for (;;) {
    const c = s.pid !== undefined && s.pid !== before ? s.client : undefined;
    if (c) {
      try {
        await c.listTools({}, { timeout: 500 });
        listedAt = Math.round(performance.now() - t0);
        break;
      } catch {}
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  console.log(JSON.stringify({ ...times, tools_listed: listedAt }));
  t0 = 0;
  while (store.view('everything').status !== 'ok') await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 300));
}
await monitor.stop();
