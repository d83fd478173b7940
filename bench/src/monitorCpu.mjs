// CPU cost of monitoring: each scenario runs in a fresh process (monitorCpuRun.mjs for the
// whole monitor, probeCpuRun.mjs for the /health transport alone), BENCH_ROUNDS times
// (default 2; the transport table BENCH_TRANSPORT_ROUNDS, default 1), the scenarios interleaved so that a noisy machine affects them alike; the
// table shows the median round of each. The target (the whole monitor, 100 servers at a 1 s
// interval, under 5% of one core) is reported, not asserted.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TRANSPORT_ROUNDS = Number(process.env.BENCH_TRANSPORT_ROUNDS ?? 1);
const run = (file, scenario) =>
  JSON.parse(
    execFileSync(process.execPath, [fileURLToPath(new URL(file, import.meta.url)), scenario], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function table(title, file, scenarios, rounds) {
  const results = Object.fromEntries(scenarios.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name] of scenarios) results[name].push(run(file, name));
  }
  console.log(`\n${title}`);
  console.table(
    scenarios.map(([name, label]) => {
      const rs = results[name];
      const share = rs.map((r) => ((r.userMs + r.systemMs) / r.wallMs) * 100);
      const perCheck = rs.map((r) => ((r.userMs + r.systemMs) * 1000) / r.checks);
      const m = rs[share.indexOf(median(share))] ?? rs[0];
      return {
        scenario: label,
        'checks/s': (m.checks / (m.wallMs / 1000)).toFixed(1),
        'user ms': m.userMs.toFixed(0),
        'sys ms': m.systemMs.toFixed(0),
        'cpu µs / check': median(perCheck).toFixed(0),
        '% of one core': median(share).toFixed(2),
        'rounds (%)': share.map((s) => s.toFixed(1)).join(' / '),
        'servers ok': `${m.ok}/${m.servers}`,
      };
    }),
  );
  return results;
}

console.log(
  `\nmonitor CPU: ${process.env.BENCH_SERVERS ?? 100} servers, /health every 1 s (jitter 0.1), ` +
    `${process.env.BENCH_SECONDS ?? 15} s per round after ${process.env.BENCH_WARMUP_SECONDS ?? 10} s of warm-up; node ${process.version}, ` +
    `${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at start`,
);
const monitor = table(
  'the whole monitor (events to a batched JSONL log)',
  './monitorCpuRun.mjs',
  [
    ['unslotted', 'no check slots, schema-checked events, one write per event'],
    ['current', 'as shipped'],
  ],
  ROUNDS,
);
table(
  'the /health transport alone (same slots, body parsed)',
  './probeCpuRun.mjs',
  [
    ['fetch', 'fetch (undici)'],
    ['node-http', 'node:http, keep-alive agent'],
    ['probe', 'createHttpProbe'],
  ],
  TRANSPORT_ROUNDS,
);
const shipped = median(monitor.current.map((r) => ((r.userMs + r.systemMs) / r.wallMs) * 100));
console.log(
  `\ntarget: the whole monitor under 5% of one core: ${shipped < 5 ? 'met' : 'NOT met'} (${shipped.toFixed(2)}%)`,
);
