// Per-event cost of the event factory (RFC 0021, "One envelope factory"): the `call_completed`
// the gateway builds per call, with the gateway's options (no schema pass, a replica name); and
// a resilience policy's event, the way the gateway used to take it (the policy's own envelope,
// stripped and built again) and the way it takes it now (the factory's `envelop` on the body).
// Figures, not assertions. `node scripts/eventFactory.mjs [path/to/events/dist/index.js]`
// measures another build of the events package (e.g. the main branch's) for a before/after.
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { createEmitter } from '@selfheal/resilience';
import { median } from '../src/stats.mjs';

const from = process.argv[2];
const { createEventFactory } = await import(
  from === undefined ? '@selfheal/events' : pathToFileURL(from).href
);

const ROUNDS = 7;
const PER_ROUND = 200_000;

/** The fields `publishCallCompleted` gives for one call. */
const callFields = (i) => ({
  server_name: 'search',
  method: 'tools/call',
  tool: 'lookup',
  latency_ms: i % 250,
  attempts: 1,
  outcome: 'ok',
  session_id: 'b6d1c4b2-4a7e-4c5a-8a3e-1f0c9d2e7a61',
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
});
/** A retry's body, as a policy emits it. */
const retryBody = (i) => ({
  event_type: 'retry_attempted',
  server_name: 'search',
  method: 'tools/call',
  tool: 'lookup',
  attempt: 1 + (i % 3),
  delay_ms: 100,
  error: 'ECONNRESET',
});
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

const events = createEventFactory({ validate: false, replica: 'replica-1' });
let sunk;
const policyEmitter = createEmitter({ clock: { now: Date.now }, sink: (e) => (sunk = e) });

const cases = {
  // createOther is what the gateway called before the typed constructors; the same build.
  call_completed: events.callCompleted
    ? (i) => events.callCompleted(callFields(i))
    : (i) => events.createOther('call_completed', callFields(i)),
  'policy event, stripped and rebuilt (before)': (i) => {
    policyEmitter.emit(retryBody(i), TRACE);
    const { timestamp: _t, repo: _r, event_type, ...fields } = sunk;
    return events.createOther(event_type, fields);
  },
  ...(events.envelop && {
    'policy event, envelop (now)': (i) => events.envelop(retryBody(i), TRACE),
  }),
};

/** Wall and CPU (user + system) ns per event of one round; CPU is the steadier on a busy machine. */
function round(build) {
  let keep = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) keep += build(i).event_id.length;
  const wall = Number(process.hrtime.bigint() - start) / PER_ROUND;
  const used = process.cpuUsage(cpu);
  if (keep === 0) throw new Error('no events built');
  return { wall, cpu: ((used.user + used.system) * 1000) / PER_ROUND };
}

console.log(
  `\nEvent factory: ns per event (median), ${PER_ROUND.toLocaleString('en-US')} per round, ${ROUNDS} rounds` +
    ` (load average ${loadavg()[0].toFixed(1)})${from ? `, ${from}` : ''}\n`,
);
const rows = {};
for (const [name, build] of Object.entries(cases)) {
  round(build); // warm-up
  const rounds = Array.from({ length: ROUNDS }, () => round(build));
  rows[name] = {
    'wall ns': Math.round(median(rounds.map((r) => r.wall))),
    'CPU ns': Math.round(median(rounds.map((r) => r.cpu))),
  };
}
console.table(rows);
