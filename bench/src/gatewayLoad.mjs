// tools/call of an echo tool, directly to server-everything (Streamable HTTP) and through the
// gateway (`selfheal start`, its own process), at 1, 8 and 32 concurrent clients. Prints p50,
// p99 and throughput side by side; nothing is asserted (shared, noisy machines).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
const CONCURRENCY = [1, 8, 32];
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 1000);
const children = [];

function start(args, env, pattern) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk) => {
      seen += chunk;
      const match = pattern.exec(seen);
      if (match) resolve(match[1]);
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

async function measure(url, tool, n) {
  const clients = await connectClients(url, n);
  await round(clients, tool, Math.max(200, n * 20)); // warm-up: JIT, sockets, upstream sessions
  const result = await round(clients, tool, CALLS_PER_ROUND);
  await Promise.all(clients.map((c) => c.close()));
  return result;
}

try {
  const port = await start(
    [`--import`, PRELOAD, EVERYTHING, 'streamableHttp'],
    { PORT: '0' },
    /TEST_LISTENING (\d+)/,
  );
  const upstream = `http://127.0.0.1:${port}/mcp`;
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-bench-'));
  const config = join(dir, 'bench.json');
  writeFileSync(config, JSON.stringify({ mcpServers: { ev: { url: upstream } } }));
  const gateway = await start(
    [SELFHEAL, 'start', '--config', config, '--port', '0'],
    {},
    /listening on (http:\/\/\S+)/,
  );

  const rows = [];
  for (const n of CONCURRENCY) {
    const direct = await measure(upstream, 'echo', n);
    const through = await measure(gateway, 'ev__echo', n);
    rows.push({ n, direct, through });
  }
  const f = (x) => x.toFixed(2).padStart(8);
  const r = (x) => x.toFixed(0).padStart(8);
  console.log(
    `\ntools/call echo, ${CALLS_PER_ROUND} calls per row, upstream: server-everything over Streamable HTTP`,
  );
  console.log(
    '| clients | direct p50 ms | direct p99 ms | direct calls/s | gateway p50 ms | gateway p99 ms | gateway calls/s | p50 ratio | throughput ratio |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { n, direct, through } of rows) {
    console.log(
      `| ${n} | ${f(direct.p50)} | ${f(direct.p99)} | ${r(direct.rate)} | ${f(through.p50)} | ${f(through.p99)} | ${r(through.rate)} | ${(through.p50 / direct.p50).toFixed(2)}x | ${(through.rate / direct.rate).toFixed(2)}x |`,
    );
  }
  const one = rows.find((x) => x.n === 1);
  const many = rows.find((x) => x.n === 32);
  console.log(
    `\ntargets: p50 overhead at 1 client <= 1.5x (measured ${(one.through.p50 / one.direct.p50).toFixed(2)}x); throughput at 32 clients >= 0.6x direct (measured ${(many.through.rate / many.direct.rate).toFixed(2)}x)`,
  );
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
