// Scenario 5: six calls to the `hang` tool (it never answers) are in flight on one stdio server,
// each from its own client, while CHAOS_CLIENTS other clients call that server's echo and pid
// tools in closed loops for CHAOS_SECONDS. Target: 100% of the other tools' calls succeed.
import { connectClients } from '../../src/mcpLoad.mjs';
import {
  callLoops,
  closeAll,
  failureKinds,
  finish,
  isAlive,
  firstSuccessAfter,
  newMarker,
  nodeServer,
  sizeOf,
  startGateway,
  successRate,
  UPSTREAM,
  until,
} from '../harness.mjs';

const HUNG = 6;

/** @param {{clients: number, seconds: number}} sizes */
export async function hungCalls({ clients: n, seconds }) {
  const marker = newMarker('hung-calls');
  const gateway = await startGateway('hung-calls', { chaos: nodeServer(UPSTREAM, marker) });
  const [hangers, others] = await Promise.all([
    connectClients(gateway.url, HUNG),
    connectClients(gateway.url, n),
  ]);
  const bytes0 = sizeOf(gateway.events);
  // The hung calls count from when each has reached the server (its progress notification).
  let reached = 0;
  const hung = hangers.map((client) =>
    client
      .callTool({ name: 'chaos__hang', arguments: {} }, undefined, {
        timeout: (seconds + 60) * 1000,
        onprogress: () => {
          reached++;
        },
      })
      .then(
        () => 'answered',
        (error) => String(error?.message ?? error),
      ),
  );
  const allHung = await until(() => reached === HUNG, 30_000);
  const faultAt = Date.now();
  const loops = callLoops(others, (i) => ({
    name: i % 2 === 0 ? 'chaos__echo' : 'chaos__pid',
    arguments: { message: `c${i}` },
  }));
  // The window; only the gateway's death ends it early.
  const died = await until(() => !isAlive(gateway.pid), seconds * 1000, 250);
  await loops.stop();
  const peakDuring = reached;
  await closeAll([...others, ...hangers]);
  const hungOutcomes = await Promise.all(hung);
  const end = await finish(gateway, marker, { t0: faultAt, bytes0 });
  const rate = successRate(loops.calls);
  return {
    scenario: `5 ${HUNG} hung calls + ${n} clients on other tools, ${seconds} s`,
    successRate: rate,
    firstSuccessMs: firstSuccessAfter(loops.calls, faultAt),
    ...end,
    target: 'other tools 100%',
    pass: allHung !== undefined && !died && rate === 1,
    notes: [
      died && 'the gateway died',
      `${peakDuring}/${HUNG} hung calls reached the server`,
      `${loops.calls.length} other calls`,
      `hung calls ended: ${[...new Set(hungOutcomes)].join(', ').slice(0, 120)}`,
      failureKinds(loops.calls),
    ]
      .filter(Boolean)
      .join('; '),
  };
}
