// tools/call of an echo tool, directly to server-everything (Streamable HTTP) and through the
// gateway (`selfheal start`, its own process), at 1, 8 and 32 concurrent clients, closed loop.
// Prints p50, p99 and throughput side by side, and CPU time per call (from /proc/PID/stat:
// steadier than latency when the load generator, the upstream and the gateway share two cores)
// of each row's process (and its kernel share), of the upstream behind it, of the load
// generator (its clients' cost differs by transport), and of all three: on a CPU-bound machine
// throughput follows that sum. BENCH_PEERS (default `gateway-stdio,mcp-hub,supergateway`; empty for none)
// adds rows for other programs in front of server-everything over stdio (peers.mjs), measured
// in the same runs; the gateway's throughput is set against the best of them. BENCH_RUNS runs
// (default 3), each measuring every row in turn, the order rotated from run to run; rows are
// medians; ratios are medians of each run's ratio. SELFHEAL_BASELINE_BIN=path/to/bin/selfheal.js
// adds a second gateway (e.g. an older build; `baseline-stdio` in BENCH_PEERS for the stdio row)
// and a table of each run's own ratio of this build to it. BENCH_CLIENTS=32 picks the concurrency levels;
// GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the gateway (and gateway-stdio).
// The `proxy` row is a pass-through Node HTTP proxy in front of the same upstream
// (passThroughProxy.mjs): two HTTP legs and no MCP, the floor under the gateway's p50 ratio;
// `proxy-json` also answers a lone request as plain JSON, as the gateway does (the client then
// parses no event stream): the floor of an MCP gateway. BENCH_FLOOR=0 leaves both out.
// Nothing is asserted.

import { fileURLToPath } from 'node:url';
import {
  closeClients,
  connectClients,
  cpuSeconds,
  cpuTimes,
  EVERYTHING,
  gatewayConfig,
  LOAD,
  median,
  PRELOAD,
  round,
  SELFHEAL,
  start,
  stopChildren,
} from './mcpLoad.mjs';
import { startPeer } from './peers.mjs';
import { descendants } from './procStats.mjs';

const CONCURRENCY = (process.env.BENCH_CLIENTS ?? '1,8,32').split(',').map(Number);
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BASELINE = process.env.SELFHEAL_BASELINE_BIN;
const PEERS = (process.env.BENCH_PEERS ?? 'gateway-stdio,mcp-hub,supergateway')
  .split(',')
  .filter(Boolean);
const NODE_ARGS = (process.env.GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** The `proxy` and `proxy-json` rows (passThroughProxy.mjs): the floor of a Node gateway's p50; BENCH_FLOOR=0 leaves them out. */
const FLOOR = process.env.BENCH_FLOOR !== '0';
/** Rows that are not this gateway: the gateway's throughput target is set against the best. */
const OTHERS = new Set(['mcp-hub', 'supergateway', 'supergateway-stateless']);

/** CPU seconds (user + system) of each process in `pids` now, by pid. */
const cpuOf = (pids) => new Map(pids.map((p) => [p, cpuSeconds(p)]));

async function measure({ url, tool, pid, transport, upstreams }, n) {
  const clients = await connectClients(url, n, { transport });
  await round(clients, tool, Math.max(200, n * 20)); // warm-up: JIT, sockets, upstream sessions
  const cpu0 = cpuTimes(pid);
  const up0 = cpuOf(upstreams());
  const load0 = process.cpuUsage();
  const result = await round(clients, tool, CALLS_PER_ROUND);
  const load = process.cpuUsage(load0);
  const cpu1 = cpuTimes(pid);
  let up = 0;
  for (const [p, seconds] of cpuOf([...up0.keys()])) up += seconds - up0.get(p);
  const cpu = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
  await closeClients(clients);
  const perCall = (seconds) => (seconds * 1000) / CALLS_PER_ROUND;
  return {
    ...result,
    cpuMsPerCall: perCall(cpu),
    systemShare: (cpu1.system - cpu0.system) / cpu,
    upstreamMsPerCall: up0.size === 0 ? Number.NaN : perCall(up),
    totalMsPerCall: perCall(cpu + up + (load.user + load.system) / 1e6),
    // The clients' side differs by transport (mcp-hub's HTTP+SSE answers on one open stream).
    loadMsPerCall: perCall((load.user + load.system) / 1e6),
  };
}

try {
  const upstreamPort = await start(
    [`--import`, PRELOAD, EVERYTHING, 'streamableHttp'],
    { PORT: '0' },
    /TEST_LISTENING (\d+)/,
  );
  const upstream = `http://127.0.0.1:${upstreamPort.value}/mcp`;
  // `upstreams`: the processes behind a row, whose CPU the row's calls cost too.
  const rows = [
    { name: 'direct', url: upstream, tool: 'echo', pid: upstreamPort.pid, upstreams: () => [] },
  ];
  if (FLOOR) {
    for (const [name, args] of [
      ['proxy', []],
      ['proxy-json', ['--json']],
    ]) {
      const proxy = await start(
        [fileURLToPath(new URL('./passThroughProxy.mjs', import.meta.url)), upstream, ...args],
        {},
        /listening on (http:\/\/\S+)/,
      );
      rows.push({
        name,
        url: proxy.value,
        tool: 'echo',
        pid: proxy.pid,
        upstreams: () => [upstreamPort.pid],
      });
    }
  }
  const gateways = [['gateway', SELFHEAL]];
  if (BASELINE) gateways.push(['baseline', BASELINE]);
  for (const [name, bin] of gateways) {
    const config = gatewayConfig(name, { mcpServers: { ev: { url: upstream } } });
    const { value, pid } = await start(
      [...NODE_ARGS, bin, 'start', '--config', config, '--port', '0'],
      {},
      /listening on (http:\/\/\S+)/,
    );
    rows.push({ name, url: value, tool: 'ev__echo', pid, upstreams: () => [upstreamPort.pid] });
  }
  for (const name of PEERS) {
    const peer = await startPeer(name, name.startsWith('gateway') ? NODE_ARGS : []);
    const upstreams = () =>
      descendants(peer.pid)
        .filter(({ command }) => command.includes(EVERYTHING))
        .map((p) => p.pid);
    rows.push({ ...peer, upstreams });
  }

  const samples = new Map(CONCURRENCY.map((n) => [n, []]));
  for (let run = 1; run <= RUNS; run++) {
    for (const n of CONCURRENCY) {
      const sample = {};
      // Each run starts one row later: no row is always measured first or right after another.
      for (let k = 0; k < rows.length; k++) {
        const row = rows[(run - 1 + k) % rows.length];
        sample[row.name] = await measure(row, n);
      }
      samples.get(n).push(sample);
      process.stdout.write(
        `run ${run} clients ${n}: ${rows
          .map(
            ({ name }) =>
              `${name} p50 ${sample[name].p50.toFixed(2)} ms ${sample[name].rate.toFixed(0)}/s`,
          )
          .join(', ')}\n`,
      );
    }
  }
  const f = (x) => (Number.isNaN(x) ? '-' : x.toFixed(2)).padStart(8);
  const r = (x) => x.toFixed(0).padStart(8);
  const x = (v) => (Number.isNaN(v) ? '-' : `${v.toFixed(2)}x`);
  const others = rows.filter(({ name }) => OTHERS.has(name)).map(({ name }) => name);
  const bestOther = (run) => Math.max(...others.map((name) => run[name].rate));
  console.log(
    `\ntools/call echo on server-everything, ${CALLS_PER_ROUND} calls per row, closed loop, ${LOAD === 'lean' ? 'lean clients (BENCH_LOAD=lean)' : 'SDK clients'}, medians of ${RUNS} runs; direct, ${FLOOR ? 'proxy, proxy-json, ' : ''}gateway${BASELINE ? ', baseline' : ''}: Streamable HTTP upstream; ${PEERS.join(', ') || 'no peers'}: stdio upstream`,
  );
  console.log(
    '| clients | row | p50 ms | p99 ms | calls/s | p50 vs direct | calls/s vs direct | calls/s vs best peer | CPU ms/call: its process | of which kernel | its upstream | load generator | all three |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const summary = {};
  for (const n of CONCURRENCY) {
    const runs = samples.get(n);
    for (const { name } of rows) {
      const m = (key) => median(runs.map((run) => run[name][key]));
      const p50Ratio = median(runs.map((run) => run[name].p50 / run.direct.p50));
      const rateRatio = median(runs.map((run) => run[name].rate / run.direct.rate));
      const peerRatio =
        others.length === 0
          ? Number.NaN
          : median(runs.map((run) => run[name].rate / bestOther(run)));
      summary[`${name}:${n}`] = { p50Ratio, rateRatio, peerRatio };
      console.log(
        `| ${n} | ${name} | ${f(m('p50'))} | ${f(m('p99'))} | ${r(m('rate'))} | ${x(p50Ratio)} | ${x(rateRatio)} | ${x(peerRatio)} | ${f(m('cpuMsPerCall'))} | ${(m('systemShare') * 100).toFixed(0)}% | ${f(m('upstreamMsPerCall'))} | ${f(m('loadMsPerCall'))} | ${f(m('totalMsPerCall'))} |`,
      );
    }
  }
  // A change measured side by side: each run's own ratio of this build to the baseline (the
  // two rows ran moments apart on the same machine), so the machine's drift between runs cancels.
  const pairs = [
    ['gateway', 'baseline'],
    ['gateway-stdio', 'baseline-stdio'],
  ].filter(([a, b]) => rows.some((row) => row.name === a) && rows.some((row) => row.name === b));
  if (pairs.length > 0) {
    console.log(
      '\n| clients | this build / baseline | CPU ms/call, per run | median | calls/s, per run | median |',
    );
    console.log('|---:|---|---|---:|---|---:|');
    for (const n of CONCURRENCY) {
      for (const [a, b] of pairs) {
        const runs = samples.get(n);
        const cpu = runs.map((run) => run[a].cpuMsPerCall / run[b].cpuMsPerCall);
        const rate = runs.map((run) => run[a].rate / run[b].rate);
        const list = (xs) => xs.map((v) => v.toFixed(2)).join(', ');
        console.log(
          `| ${n} | ${a} / ${b} | ${list(cpu)} | ${x(median(cpu))} | ${list(rate)} | ${x(median(rate))} |`,
        );
      }
    }
  }
  const at = (name, n, key) => x(summary[`${name}:${n}`]?.[key] ?? Number.NaN);
  console.log(
    `\ntargets: gateway p50 at 1 client <= 1.2x direct (measured ${at('gateway', 1, 'p50Ratio')}; a pass-through proxy ${at('proxy', 1, 'p50Ratio')}, one answering as JSON ${at('proxy-json', 1, 'p50Ratio')}); throughput at 32 clients >= 1.2x the best peer (measured gateway ${at('gateway', 32, 'peerRatio')}, gateway-stdio ${at('gateway-stdio', 32, 'peerRatio')})`,
  );
} finally {
  await stopChildren();
}
