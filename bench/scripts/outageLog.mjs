// Bytes of event log per minute of a full outage: 64 clients calling as fast as refusals come
// back, every call refused (circuit open) or failed (server unavailable), a few served by a
// fallback, through the gateway's call summary sink in front of the JSONL file. Simulated time
// (one minute, a manual clock), real serialisation. Figures, not assertions.
// Usage: node bench/scripts/outageLog.mjs [callsPerClientPerSecond=20] [clients=64]
import { randomUUID } from 'node:crypto';
import { createCallSummarySink } from '@selfheal/gateway';

const rate = Number(process.argv[2] ?? 20);
const clients = Number(process.argv[3] ?? 64);
const MINUTE = 60_000;

let now = Date.parse('2026-11-22T10:00:00.000Z');
let timers = [];
const clock = {
  now: () => now,
  setTimeout: (fn, ms) => {
    const t = { at: now + ms, fn };
    timers.push(t);
    return t;
  },
  clearTimeout: (t) => {
    timers = timers.filter((x) => x !== t);
  },
};
const advanceTo = (at) => {
  for (;;) {
    const due = timers.filter((t) => t.at <= at).sort((a, b) => a.at - b.at)[0];
    if (!due) break;
    timers = timers.filter((t) => t !== due);
    now = due.at;
    due.fn();
  }
  now = at;
};

const servers = ['search', 'files', 'memory'];
const tools = ['lookup', 'read', 'write', 'list'];
const kinds = [
  { outcome: 'rejected', error_code: 'CIRCUIT_OPEN', weight: 90 },
  { outcome: 'error', error_code: 'UPSTREAM_UNAVAILABLE', weight: 8 },
  { outcome: 'ok', fallback_server: 'mirror', weight: 2 },
];
const pick = (i) => {
  let r = i % 100;
  for (const k of kinds) {
    r -= k.weight;
    if (r < 0) return k;
  }
  return kinds[0];
};

function callEvent(i, seq) {
  const server = servers[i % servers.length];
  const { weight: _w, ...kind } = pick(i);
  return {
    event_type: 'call_completed',
    timestamp: new Date(now).toISOString(),
    trace_id: randomUUID().replaceAll('-', ''),
    repo: 'selfheal',
    event_id: `01J${String(seq).padStart(23, '0')}`,
    seq,
    server_name: server,
    method: 'tools/call',
    tool: `${server}__${tools[(i >> 2) % tools.length]}`,
    latency_ms: kind.outcome === 'rejected' ? 0.1 : 5000,
    attempts: kind.outcome === 'rejected' ? 1 : 3,
    session_id: randomUUID(),
    ...kind,
  };
}

const run = (summarise) => {
  let bytes = 0;
  let lines = 0;
  const inner = {
    name: 'file',
    write: (e) => {
      bytes += Buffer.byteLength(`${JSON.stringify(e)}\n`);
      lines++;
    },
  };
  now = Date.parse('2026-11-22T10:00:00.000Z');
  timers = [];
  const sink = summarise ? createCallSummarySink({ inner, clock }) : inner;
  const total = rate * clients * 60;
  const start = now;
  for (let i = 0; i < total; i++) {
    advanceTo(start + Math.floor((i * MINUTE) / total));
    sink.write(callEvent(i, i));
  }
  advanceTo(start + MINUTE);
  return { calls: total, lines, bytes };
};

const before = run(false);
const after = run(true);
const mb = (b) => (b / 1024 / 1024).toFixed(3);
console.log(`full outage, ${clients} clients x ${rate} calls/s, one minute:`);
console.log(`  every failed call logged: ${before.lines} lines, ${mb(before.bytes)} MB`);
console.log(
  `  summarised:               ${after.lines} lines, ${mb(after.bytes)} MB (${after.bytes} bytes)`,
);
