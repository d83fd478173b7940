// Many client sessions on one gateway (`selfheal start`, its own process) in front of three
// stdio servers (server-everything): BENCH_SESSIONS (default 1000) SDK clients over Streamable
// HTTP open their sessions in batches of BENCH_BATCH (default 50) and all stay open while
// BENCH_CALLS (default 5000) tools/call of `echo` run with BENCH_IN_FLIGHT (default 64) in
// flight, spread over every session and the three servers; then every session is ended
// (DELETE) and closed, and the gateway's idle sockets left to close. At each phase: its open
// sessions (`selfheal_sessions`), the gateway's upstream processes (its descendants in
// /proc running server-everything) and all its child processes, its open file descriptors,
// its RSS now and at peak (VmRSS, VmHWM), and the load generator's own RSS. The calls: p50,
// p99, throughput, the gateway's CPU ms per call and the load generator's CPU (a share of one
// core: past ~80% it, not the gateway, bounds the figures). BENCH_RUNS (default 1) fresh
// gateways in turn. BENCH_SESSION_MODE=per_client sets `"session": "per_client"` on the three
// servers (a session of its own per client, bounded by gateway.client_sessions). With
// GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" the gateway writes a CPU profile.
// Targets (nothing is asserted): at most 3 upstream processes and 300 MB gateway RSS at 1,000
// sessions.
import { readdirSync } from 'node:fs';
import {
  closeClients,
  connectClients,
  cpuSeconds,
  EVERYTHING,
  gatewayConfig,
  median,
  SELFHEAL,
  spreadRound,
  start,
  stopChildren,
} from './mcpLoad.mjs';
import { descendants, memory } from './procStats.mjs';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1000);
const BATCH = Number(process.env.BENCH_BATCH ?? 50);
const CALLS = Number(process.env.BENCH_CALLS ?? 5000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 64);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const MODE = process.env.BENCH_SESSION_MODE ?? 'shared';
const NODE_ARGS = (process.env.GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
const SERVERS = ['ev1', 'ev2', 'ev3'];
const TOOLS = SERVERS.map((name) => `${name}__echo`);

/** The gateway's own count of open client sessions (`selfheal_sessions` on /metrics). */
async function gatewaySessions(url) {
  const text = await (await fetch(new URL('/metrics', url))).text();
  return Number(/^selfheal_sessions(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

/**
 * After the sessions close, the sockets the clients kept alive close on the server's
 * keep-alive timeout: waits (1 s steps, at most 20 s) until the gateway's fd count holds for
 * 3 s, so the last phase shows what stays once the clients are gone. Resolves to the seconds.
 */
async function settle(pid) {
  const fds = () => readdirSync(`/proc/${pid}/fd`).length;
  let last = fds();
  let steady = 0;
  let waited = 0;
  while (steady < 3 && waited < 20) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    waited++;
    const now = fds();
    steady = now === last ? steady + 1 : 0;
    last = now;
  }
  return waited;
}

/** What /proc (and the gateway's /metrics) say about the gateway `pid` now. */
async function snapshot(phase, pid, url) {
  const sessions = await gatewaySessions(url);
  const below = descendants(pid);
  let fds = Number.NaN;
  try {
    fds = readdirSync(`/proc/${pid}/fd`).length;
  } catch {}
  return {
    phase,
    sessions,
    upstreams: below.filter(({ command }) => command.includes(EVERYTHING)).length,
    children: below.length,
    fds,
    ...memory(pid),
    loadRssMb: process.memoryUsage().rss / 2 ** 20,
  };
}

async function run() {
  const server = { command: process.execPath, args: [EVERYTHING, 'stdio'] };
  if (MODE === 'per_client') server.session = 'per_client';
  const config = gatewayConfig('sessions', {
    mcpServers: Object.fromEntries(SERVERS.map((name) => [name, server])),
  });
  const { value: url, pid } = await start(
    [...NODE_ARGS, SELFHEAL, 'start', '--config', config, '--port', '0'],
    {},
    /listening on (http:\/\/\S+)/,
  );
  const phases = [];
  // One client reaches every server once, so the upstream processes are up before counting.
  const [probe] = await connectClients(url, 1, { first: SESSIONS });
  await spreadRound([probe], TOOLS, TOOLS.length, 1);
  await closeClients([probe]);
  phases.push(await snapshot('started', pid, url));

  const clients = [];
  const openStarted = performance.now();
  while (clients.length < SESSIONS) {
    const n = Math.min(BATCH, SESSIONS - clients.length);
    clients.push(...(await connectClients(url, n, { first: clients.length })));
  }
  const openSeconds = (performance.now() - openStarted) / 1000;
  phases.push(await snapshot('sessions open', pid, url));

  await spreadRound(clients, TOOLS, Math.min(CALLS, 1000), IN_FLIGHT); // warm-up: JIT, sockets
  const cpu0 = cpuSeconds(pid);
  const load0 = process.cpuUsage();
  const wall0 = performance.now();
  const calls = await spreadRound(clients, TOOLS, CALLS, IN_FLIGHT);
  const load = process.cpuUsage(load0);
  const loadShare = (load.user + load.system) / 1000 / (performance.now() - wall0);
  const gatewayCpu = ((cpuSeconds(pid) - cpu0) * 1000) / CALLS;
  phases.push(await snapshot('after calls', pid, url));

  for (let i = 0; i < clients.length; i += BATCH) await closeClients(clients.slice(i, i + BATCH));
  phases.push(await snapshot('sessions closed', pid, url));
  const waited = await settle(pid);
  phases.push(await snapshot(`closed + ${waited} s`, pid, url));
  await stopChildren();
  return { phases, openSeconds, calls, gatewayCpu, loadShare };
}

const f = (x, d = 1) => (Number.isNaN(x) ? '-' : x.toFixed(d));
const results = [];
try {
  for (let i = 1; i <= RUNS; i++) {
    const result = await run();
    results.push(result);
    console.log(
      `\nrun ${i}: ${SESSIONS} sessions (${MODE}) over ${SERVERS.length} stdio servers (server-everything), opened in batches of ${BATCH} in ${f(result.openSeconds)} s`,
    );
    console.log(
      '| phase | gateway sessions open | upstream processes | gateway child processes | gateway fds | gateway RSS MB | gateway peak RSS MB (VmHWM) | load generator RSS MB |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const p of result.phases)
      console.log(
        `| ${p.phase} | ${p.sessions} | ${p.upstreams} | ${p.children} | ${p.fds} | ${f(p.rssMb)} | ${f(p.peakMb)} | ${f(p.loadRssMb)} |`,
      );
  }
  console.log(
    `\ntools/call echo, ${CALLS} calls, ${IN_FLIGHT} in flight spread over all ${SESSIONS} open sessions and the ${SERVERS.length} servers`,
  );
  console.log(
    '| run | p50 ms | p99 ms | calls/s | gateway CPU ms/call | load generator CPU (share of one core) | sessions opened/s |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  const line = (label, r) =>
    console.log(
      `| ${label} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.rate, 0)} | ${f(r.gatewayCpu, 2)} | ${f(r.loadShare * 100, 0)}% | ${f(r.opened, 0)} |`,
    );
  const rows = results.map((r) => ({
    ...r.calls,
    gatewayCpu: r.gatewayCpu,
    loadShare: r.loadShare,
    opened: SESSIONS / r.openSeconds,
  }));
  for (const [i, r] of rows.entries()) line(i + 1, r);
  if (rows.length > 1)
    line(
      'median',
      Object.fromEntries(Object.keys(rows[0]).map((k) => [k, median(rows.map((r) => r[k]))])),
    );
  const most = Math.max(...results.flatMap((r) => r.phases.map((p) => p.upstreams)));
  const peak = Math.max(...results.flatMap((r) => r.phases.map((p) => p.peakMb)));
  console.log(
    `\ntargets at ${SESSIONS} sessions: at most 3 upstream processes (measured at most ${most}); gateway RSS at most 300 MB (measured peak ${f(peak)} MB)`,
  );
} finally {
  await stopChildren();
}
