// tools/call of an echo tool, directly to server-everything (Streamable HTTP) and through the
// gateway (`selfheal start`, its own process), at 1, 8 and 32 concurrent clients. Prints p50,
// p99 and throughput side by side, and the gateway process's CPU time per call (from
// /proc/PID/stat: steadier than latency when the load generator, the upstream and the gateway
// share two cores). BENCH_RUNS runs (default 3), rows are medians; ratios are medians of each
// run's ratio, measured back to back. SELFHEAL_BASELINE_BIN=path/to/bin/selfheal.js adds a
// second gateway (e.g. an older build) measured in the same runs. BENCH_CLIENTS=32 picks the
// concurrency levels; GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the gateway.
// Nothing is asserted.
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

const CONCURRENCY = (process.env.BENCH_CLIENTS ?? '1,8,32').split(',').map(Number);
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BASELINE = process.env.SELFHEAL_BASELINE_BIN;

async function measure(url, tool, n, pid) {
  const clients = await connectClients(url, n);
  await round(clients, tool, Math.max(200, n * 20)); // warm-up: JIT, sockets, upstream sessions
  const cpu0 = pid === undefined ? Number.NaN : cpuSeconds(pid);
  const result = await round(clients, tool, CALLS_PER_ROUND);
  const cpu = pid === undefined ? Number.NaN : cpuSeconds(pid) - cpu0;
  await Promise.all(clients.map((c) => c.close()));
  return { ...result, cpuMsPerCall: (cpu * 1000) / CALLS_PER_ROUND };
}

try {
  const upstreamPort = await start(
    [`--import`, PRELOAD, EVERYTHING, 'streamableHttp'],
    { PORT: '0' },
    /TEST_LISTENING (\d+)/,
  );
  const upstream = `http://127.0.0.1:${upstreamPort.value}/mcp`;
  const gateways = [['gateway', SELFHEAL]];
  if (BASELINE) gateways.push(['baseline', BASELINE]);
  const started = {};
  for (const [name, bin] of gateways)
    started[name] = await start(
      [
        ...(process.env.GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean),
        bin,
        'start',
        '--config',
        gatewayConfig(name, { mcpServers: { ev: { url: upstream } } }),
        '--port',
        '0',
      ],
      {},
      /listening on (http:\/\/\S+)/,
    );

  const samples = new Map(CONCURRENCY.map((n) => [n, []]));
  for (let run = 1; run <= RUNS; run++) {
    for (const n of CONCURRENCY) {
      const sample = { direct: await measure(upstream, 'echo', n, upstreamPort.pid) };
      for (const [name] of gateways)
        sample[name] = await measure(started[name].value, 'ev__echo', n, started[name].pid);
      samples.get(n).push(sample);
      process.stdout.write(
        `run ${run} clients ${n}: ${Object.entries(sample)
          .map(([k, v]) => `${k} p50 ${v.p50.toFixed(2)} ms ${v.rate.toFixed(0)}/s`)
          .join(', ')}\n`,
      );
    }
  }
  const f = (x) => x.toFixed(2).padStart(8);
  const r = (x) => x.toFixed(0).padStart(8);
  const summary = {};
  for (const [name] of gateways) {
    console.log(
      `\n${name}: tools/call echo, ${CALLS_PER_ROUND} calls per row, medians of ${RUNS} runs; upstream: server-everything over Streamable HTTP`,
    );
    console.log(
      '| clients | direct p50 ms | direct p99 ms | direct calls/s | gateway p50 ms | gateway p99 ms | gateway calls/s | p50 ratio | throughput ratio | gateway CPU ms/call | upstream CPU ms/call |',
    );
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const n of CONCURRENCY) {
      const rows = samples.get(n);
      const m = (side, key) => median(rows.map((row) => row[side][key]));
      const p50Ratio = median(rows.map((row) => row[name].p50 / row.direct.p50));
      const rateRatio = median(rows.map((row) => row[name].rate / row.direct.rate));
      summary[`${name}:${n}`] = { p50Ratio, rateRatio };
      console.log(
        `| ${n} | ${f(m('direct', 'p50'))} | ${f(m('direct', 'p99'))} | ${r(m('direct', 'rate'))} | ${f(m(name, 'p50'))} | ${f(m(name, 'p99'))} | ${r(m(name, 'rate'))} | ${p50Ratio.toFixed(2)}x | ${rateRatio.toFixed(2)}x | ${f(m(name, 'cpuMsPerCall'))} | ${f(m('direct', 'cpuMsPerCall'))} |`,
      );
    }
    const one = summary[`${name}:1`]?.p50Ratio.toFixed(2) ?? '-';
    const many = summary[`${name}:32`]?.rateRatio.toFixed(2) ?? '-';
    console.log(
      `targets (${name}): p50 overhead at 1 client <= 1.5x (measured ${one}x); throughput at 32 clients >= 0.6x direct (measured ${many}x)`,
    );
  }
} finally {
  await stopChildren();
}
