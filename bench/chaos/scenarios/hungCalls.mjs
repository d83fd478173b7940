// Scenario 5: six calls to the `hang` tool (it never answers) are in flight on one stdio server,
// each from its own client, while CHAOS_CLIENTS other clients call that server's echo and pid
// tools in closed loops for CHAOS_SECONDS. Target: 100% of the other tools' calls succeed.
import {
  callLoops,
  closeAll,
  connectAll,
  failureKinds,
  finish,
  firstSuccessAfter,
  isAlive,
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
    connectAll(gateway.url, HUNG),
    connectAll(gateway.url, n),
  ]);
  const bytes0 = sizeOf(gateway.events);
  // The hung calls count from when each has reached the server (its progress notification),
  // or has ended without reaching it.
  const reached = new Set();
  const settled = new Set();
  const hung = hangers.map((client, i) =>
    client
      .callTool({ name: 'chaos__hang', arguments: {} }, undefined, {
        timeout: (seconds + 60) * 1000,
        onprogress: () => {
          reached.add(i);
          settled.add(i);
        },
      })
      .then(
        (result) => (result.isError ? result.content?.map((c) => c.text).join(' ') : 'answered'),
        (error) => String(error?.message ?? error),
      )
      .finally(() => {
        settled.add(i);
      }),
  );
  await until(() => settled.size === HUNG, 30_000);
  const reachedAtFault = reached.size;
  const faultAt = Date.now();
  const loops = callLoops(others, (i) => ({
    name: i % 2 === 0 ? 'chaos__echo' : 'chaos__pid',
    arguments: { message: `c${i}` },
  }));
  // The window; only the gateway's death ends it early.
  const died = await until(() => !isAlive(gateway.pid), seconds * 1000, 250);
  await loops.stop();
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
    pass: !died && rate === 1,
    notes: [
      died && 'the gateway died',
      `${reachedAtFault}/${HUNG} hung calls had reached the server when the others started`,
      `${loops.calls.length} other calls`,
      `hung calls ended: ${failureKinds(
        hungOutcomes.map((error) => ({ ok: false, error })),
        1,
      ).slice(10)}`,
      failureKinds(loops.calls),
    ]
      .filter(Boolean)
      .join('; '),
  };
}
