// The gateway overhead table with every resilience policy on, and with them all off
// (`resilience.enabled: false`), side by side in one run: tools/call of server-everything's
// echo (Streamable HTTP) at 1, 8 and 32 clients, through two gateways (`selfheal start`, each
// its own process) that differ only in that switch. Rows alternate off/on and each is measured
// ROUNDS times; the table shows the median of the rounds and the on/off ratio, and the CPU time
// the gateway process itself spent per call (from /proc/<pid>/stat, user + system), which a
// busy machine disturbs far less than latency. Nothing is asserted (shared, noisy machines);
// the target is on within 10% of off.
import {
  connectClients,
  cpuSeconds,
  EVERYTHING,
  gatewayConfig,
  median,
  PRELOAD,
  round,
  SELFHEAL,
  start,
  stopChildren,
} from './mcpLoad.mjs';

const CONCURRENCY = [1, 8, 32];
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** Every policy on: timeouts, retry with its budget, breaker, bulkhead, hedging (read-only). */
const ALL_ON = {
  timeout_ms: 30000,
  attempt_timeout_ms: 10000,
  retry: { max_attempts: 3 },
  circuit_breaker: { enabled: true },
  bulkhead: { max_concurrent: 64, max_queue: 256 },
  hedge: { enabled: true, percentile: 0.95, min_samples: 20 },
};
const ALL_OFF = { enabled: false };

/** A round of echo calls with the CPU ms the gateway process `pid` spent per 1000 calls. */
async function measuredRound(clients, total, pid) {
  const before = cpuSeconds(pid);
  const result = await round(clients, 'ev__echo', total);
  return { ...result, cpu: ((cpuSeconds(pid) - before) / total) * 1e6 };
}

async function gateway(name, resilience, upstream) {
  const config = gatewayConfig(name, { mcpServers: { ev: { url: upstream } }, resilience });
  const { value: url, pid } = await start(
    [SELFHEAL, 'start', '--config', config, '--port', '0', '--call-log', 'off'],
    {},
    /listening on (http:\/\/\S+)/,
  );
  return { url, pid };
}

try {
  const { value: port } = await start(
    [`--import`, PRELOAD, EVERYTHING, 'streamableHttp'],
    { PORT: '0' },
    /TEST_LISTENING (\d+)/,
  );
  const upstream = `http://127.0.0.1:${port}/mcp`;
  const gateways = {
    off: await gateway('off', ALL_OFF, upstream),
    on: await gateway('on', ALL_ON, upstream),
  };

  const rows = [];
  for (const n of CONCURRENCY) {
    const clients = {
      off: await connectClients(gateways.off.url, n),
      on: await connectClients(gateways.on.url, n),
    };
    const samples = { off: [], on: [] };
    for (const mode of ['off', 'on']) await round(clients[mode], 'ev__echo', Math.max(200, n * 20)); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate the order so neither side always runs second on a warmer (or busier) machine.
      const order = r % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
      for (const mode of order)
        samples[mode].push(await measuredRound(clients[mode], CALLS_PER_ROUND, gateways[mode].pid));
    }
    for (const mode of ['off', 'on']) await Promise.all(clients[mode].map((c) => c.close()));
    const summary = (list) => ({
      p50: median(list.map((s) => s.p50)),
      p99: median(list.map((s) => s.p99)),
      rate: median(list.map((s) => s.rate)),
      cpu: median(list.map((s) => s.cpu)),
    });
    rows.push({ n, off: summary(samples.off), on: summary(samples.on) });
  }
  const f = (x) => x.toFixed(2).padStart(8);
  const r = (x) => x.toFixed(0).padStart(8);
  console.log(
    `\ntools/call echo through the gateway, policies off vs all on; ${CALLS_PER_ROUND} calls per round, median of ${ROUNDS} rounds; upstream: server-everything over Streamable HTTP`,
  );
  console.log(
    '| clients | off p50 ms | off p99 ms | off calls/s | off gateway CPU ms/1000 calls | on p50 ms | on p99 ms | on calls/s | on gateway CPU ms/1000 calls | p50 on/off | throughput on/off | CPU on/off |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { n, off, on } of rows) {
    console.log(
      `| ${n} | ${f(off.p50)} | ${f(off.p99)} | ${r(off.rate)} | ${r(off.cpu)} | ${f(on.p50)} | ${f(on.p99)} | ${r(on.rate)} | ${r(on.cpu)} | ${(on.p50 / off.p50).toFixed(3)}x | ${(on.rate / off.rate).toFixed(3)}x | ${(on.cpu / off.cpu).toFixed(3)}x |`,
    );
  }
  const worst = Math.max(...rows.map((x) => x.on.p50 / x.off.p50));
  const worstRate = Math.min(...rows.map((x) => x.on.rate / x.off.rate));
  const worstCpu = Math.max(...rows.map((x) => x.on.cpu / x.off.cpu));
  console.log(
    `\ntarget: all policies on within 10% of off (p50 ratio <= 1.10, throughput ratio >= 0.90); measured worst p50 ${worst.toFixed(3)}x, worst throughput ${worstRate.toFixed(3)}x, worst gateway CPU per call ${worstCpu.toFixed(3)}x`,
  );
} finally {
  await stopChildren();
}
