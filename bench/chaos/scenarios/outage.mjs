// Scenario 7: full outage. Two stdio servers run healthy; then a flag file makes every new
// process of theirs exit at start-up, and every running one is SIGKILLed, so each server is
// down and each restart fails. CHAOS_CLIENTS clients call both servers in closed loops for
// CHAOS_SECONDS. Target: the event log (events.jsonl) grows by less than 1 MB per minute
// (its growth over the window, extrapolated to a minute).
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  callLoops,
  closeAll,
  connectAll,
  failureKinds,
  finish,
  isAlive,
  killAll,
  newMarker,
  nodeServer,
  processesWith,
  readEvents,
  sizeOf,
  startGateway,
  successRate,
  UPSTREAM,
  until,
} from '../harness.mjs';

const LIMIT = 1_000_000;

/** @param {{clients: number, seconds: number}} sizes */
export async function outage({ clients: n, seconds }) {
  const marker = newMarker('outage');
  const downFile = join(tmpdir(), `selfheal-chaos-down-${marker.slice(12)}`);
  const down = `--down-file=${downFile}`;
  const gateway = await startGateway('outage', {
    a: nodeServer(UPSTREAM, marker, down),
    b: nodeServer(UPSTREAM, marker, down),
  });
  const clients = await connectAll(gateway.url, n);
  await Promise.all(clients.map((c) => c.callTool({ name: 'a__pid', arguments: {} })));
  await Promise.all(clients.map((c) => c.callTool({ name: 'b__pid', arguments: {} })));
  writeFileSync(downFile, '');
  const bytes0 = sizeOf(gateway.events);
  const faultAt = Date.now();
  killAll(processesWith([marker], { servers: true }));
  const loops = callLoops(clients, (i) => ({
    name: i % 2 === 0 ? 'a__echo' : 'b__echo',
    arguments: { message: `c${i}` },
  }));
  const died = await until(() => !isAlive(gateway.pid), seconds * 1000, 250);
  await loops.stop();
  await closeAll(clients);
  const end = await finish(gateway, marker, { t0: faultAt, bytes0 });
  rmSync(downFile, { force: true });
  const counts = new Map();
  for (const e of readEvents(gateway.events).filter((e) => Date.parse(e.timestamp) >= faultAt))
    counts.set(e.event_type, (counts.get(e.event_type) ?? 0) + 1);
  const top = [...counts].sort((x, y) => y[1] - x[1]).slice(0, 4);
  return {
    scenario: `7 full outage, ${n} clients, ${seconds} s`,
    successRate: successRate(loops.calls),
    firstSuccessMs: undefined,
    ...end,
    target: 'log < 1,000,000 B/min',
    pass: !died && end.logBytesPerMin < LIMIT,
    notes: [
      died && 'the gateway died',
      `${loops.calls.length} calls`,
      failureKinds(loops.calls, 1),
      `events: ${top.map(([t, c]) => `${t} ${c}`).join(', ')}`,
    ]
      .filter(Boolean)
      .join('; '),
  };
}
