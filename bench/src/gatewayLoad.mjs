// tools/call of an echo tool, directly to server-everything (Streamable HTTP) and through the
// gateway (`selfheal start`, its own process), at 1, 8 and 32 concurrent clients. Prints p50,
// p99 and throughput side by side, and the gateway process's CPU time per call (from
// /proc/PID/stat: steadier than latency when the load generator, the upstream and the gateway
// share two cores). BENCH_RUNS runs (default 3), rows are medians; ratios are medians of each
// run's ratio, measured back to back. SELFHEAL_BASELINE_BIN=path/to/bin/selfheal.js adds a
// second gateway (e.g. an older build) measured in the same runs. BENCH_CLIENTS=32 picks the
// concurrency levels; GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the gateway.
// Nothing is asserted.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const require = createRequire(import.meta.url);
const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const SELFHEAL = fileURLToPath(import.meta.resolve('@selfheal/gateway/package.json')).replace(
  /package\.json$/,
  'bin/selfheal.js',
);
const PRELOAD = fileURLToPath(new URL('./listenOnLoopback.mjs', import.meta.url));
const CONCURRENCY = (process.env.BENCH_CLIENTS ?? '1,8,32').split(',').map(Number);
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BASELINE = process.env.SELFHEAL_BASELINE_BIN;
const children = [];

/** CPU seconds (user + system) used so far by process `pid` (Linux /proc), or NaN. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return Number.NaN;
  }
}

function start(args, env, pattern) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let seen = '';
    let found = false;
    const onData = (chunk) => {
      if (found) return; // keep draining (the call log goes to stderr) without keeping it
      seen += chunk;
      const match = pattern.exec(seen);
      if (match) {
        found = true;
        resolve({ value: match[1], pid: child.pid });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${seen}`)));
  });
}

async function connectClients(url, n) {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const client = new Client({ name: `bench-${i}`, version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      return client;
    }),
  );
}

/** Each client calls in a closed loop until `total` calls are done; returns latencies and rate. */
async function round(clients, tool, total) {
  const latencies = [];
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (issued < total) {
        issued++;
        const t0 = performance.now();
        await client.callTool({ name: tool, arguments: { message: 'ping' } });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p99: at(0.99), rate: latencies.length / seconds };
}

async function measure(url, tool, n, pid) {
  const clients = await connectClients(url, n);
  await round(clients, tool, Math.max(200, n * 20)); // warm-up: JIT, sockets, upstream sessions
  const cpu0 = pid === undefined ? Number.NaN : cpuSeconds(pid);
  const result = await round(clients, tool, CALLS_PER_ROUND);
  const cpu = pid === undefined ? Number.NaN : cpuSeconds(pid) - cpu0;
  await Promise.all(clients.map((c) => c.close()));
  return { ...result, cpuMsPerCall: (cpu * 1000) / CALLS_PER_ROUND };
}

const median = (xs) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  const upstreamPort = await start(
    [`--import`, PRELOAD, EVERYTHING, 'streamableHttp'],
    { PORT: '0' },
    /TEST_LISTENING (\d+)/,
  );
  const upstream = `http://127.0.0.1:${upstreamPort.value}/mcp`;
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-bench-'));
  const config = join(dir, 'bench.json');
  writeFileSync(config, JSON.stringify({ mcpServers: { ev: { url: upstream } } }));
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
        config,
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
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
}
