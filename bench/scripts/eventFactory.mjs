// Per-event cost of the event factory: the `call_completed` the gateway builds per call, with
// the gateway's options (no schema pass, a replica name). Figures, not assertions.
// `node scripts/eventFactory.mjs [path/to/events/dist/index.js]` measures another build of the
// events package (e.g. the main branch's) for a before/after comparison.
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';

const from = process.argv[2];
const { createEventFactory } = await import(
  from === undefined ? '@selfheal/events' : pathToFileURL(from).href
);

const ROUNDS = 7;
const PER_ROUND = 200_000;

/** The fields `publishCallCompleted` gives for one call. */
const fields = (i) => ({
  server_name: 'search',
  method: 'tools/call',
  tool: 'lookup',
  latency_ms: i % 250,
  attempts: 1,
  outcome: 'ok',
  session_id: 'b6d1c4b2-4a7e-4c5a-8a3e-1f0c9d2e7a61',
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
});

function round(events) {
  let keep = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) {
    // createOther is what the gateway called before the typed constructors; same build.
    const event = events.callCompleted
      ? events.callCompleted(fields(i))
      : events.createOther('call_completed', fields(i));
    keep += event.event_id.length;
  }
  const ns = Number(process.hrtime.bigint() - start) / PER_ROUND;
  if (keep === 0) throw new Error('no events built');
  return ns;
}

const events = createEventFactory({ validate: false, replica: 'replica-1' });
round(events); // warm-up
const ns = Array.from({ length: ROUNDS }, () => round(events)).sort((a, b) => a - b);
console.log(
  `\nEvent factory: call_completed, ${PER_ROUND.toLocaleString('en-US')} per round, ${ROUNDS} rounds` +
    ` (load average ${loadavg()[0].toFixed(1)})${from === undefined ? '' : `, ${from}`}`,
);
console.log(
  `median ${ns[ROUNDS >> 1].toFixed(0)} ns/event, min ${ns[0].toFixed(0)}, max ${ns.at(-1).toFixed(0)}`,
);
