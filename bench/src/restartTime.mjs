// Time to recovery after a SIGKILL (issue: a stdio server is back within 2 s): a real monitor
// supervises @modelcontextprotocol/server-everything over stdio with short check intervals;
// each round SIGKILLs its process and times until the new process's session answers
// tools/list, with the monitor's own events placed on the same time line. Prints a table.
// BENCH_ROUNDS (default 10).
import { createRequire } from 'node:module';
import {
  createMonitor,
  createMonitorStore,
  createNodeSpawner,
  createRegistry,
} from '@selfheal/monitor';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const everything = createRequire(import.meta.url).resolve(
  '@modelcontextprotocol/server-everything/dist/index.js',
);
const config = {
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
    max_attempts: 1000,
    stop_grace_seconds: 0.3,
    backoff: { initial_seconds: 0.05, multiplier: 2, max_seconds: 1 },
  },
};

const log = [];
const store = createMonitorStore({ publish: (e) => log.push(e) });
const monitor = createMonitor({
  servers: createRegistry(config, { env: {} }),
  store,
  spawner: createNodeSpawner({ orphanGraceMs: 200 }),
});
await monitor.start();
const server = monitor.servers.get('everything');

async function until(probe, deadlineMs = 20_000) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error('not back before the deadline');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const rows = [];
for (let round = 0; round < ROUNDS; round++) {
  await until(() => store.view('everything').status === 'ok' && server.client !== undefined);
  const before = server.pid;
  const since = log.length;
  const killedAt = Date.now();
  process.kill(before, 'SIGKILL');
  await until(async () => {
    const client = server.pid !== undefined && server.pid !== before ? server.client : undefined;
    if (!client) return false;
    try {
      return (await client.listTools({}, { timeout: 500 })).tools.length > 0;
    } catch {
      return false;
    }
  });
  const total = Date.now() - killedAt;
  const at = (type) => {
    const e = log.slice(since).find((x) => x.event_type === type);
    return e ? Date.parse(e.timestamp) - killedAt : undefined;
  };
  rows.push({
    total,
    down: at('server_down'),
    started: at('server_started'),
    successful: at('recovery_successful'),
  });
}
await monitor.stop();
console.log(`\nSIGKILL to tools/list again: server-everything over stdio, ${ROUNDS} rounds`);

function printTable(head, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  console.log([line(head), line(head.map(() => '---:')), ...rows.map(line)].join('\n'));
}

const median = (values) => {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  return sorted.length === 0 ? '-' : sorted[Math.floor(sorted.length / 2)];
};
const column = (key) => rows.map((r) => r[key]);
printTable(
  [
    'rounds',
    'SIGKILL -> tools/list p50 ms',
    'min ms',
    'max ms',
    'server_down ms',
    'server_started ms',
    'recovery_successful ms',
    'target',
  ],
  [
    [
      ROUNDS,
      median(column('total')),
      Math.min(...column('total')),
      Math.max(...column('total')),
      median(column('down')),
      median(column('started')),
      median(column('successful')),
      '< 2000 ms',
    ],
  ],
);
