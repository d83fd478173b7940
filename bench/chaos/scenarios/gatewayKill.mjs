// Scenario 6: the gateway is SIGKILLed while it runs stdio servers that ignore the end of stdin
// and SIGTERM (servers/stubborn.mjs): one started directly, two through `sh -c` (one where the
// shell waits for the server, one with the server in the background). Two clients have called
// every server first, so each client session's own processes run too. Target: no process of
// the run is left (the /proc scan by marker, after up to 10 s).
import {
  closeAll,
  connectAll,
  failureKinds,
  finish,
  killAll,
  newMarker,
  nodeServer,
  processesWith,
  STUBBORN,
  sizeOf,
  startGateway,
  statusMb,
  successRate,
} from '../harness.mjs';

const CLIENTS = 2;

/** @param {{}} _sizes */
export async function gatewayKill(_sizes) {
  const marker = newMarker('gateway-kill');
  const node = `'${process.execPath}' '${STUBBORN}' '${marker}'`;
  const gateway = await startGateway('gateway-kill', {
    direct: nodeServer(STUBBORN, marker),
    shell: { command: 'sh', args: ['-c', `${node}; echo "server exited $?" >&2`] },
    // A non-interactive shell gives a background job /dev/null as stdin unless told otherwise.
    background: { command: 'sh', args: ['-c', `exec 3<&0; ${node} <&3 & wait`] },
  });
  const clients = await connectAll(gateway.url, CLIENTS);
  const calls = [];
  for (const client of clients)
    for (const server of ['direct', 'shell', 'background']) {
      const result = await client
        .callTool({ name: `${server}__echo`, arguments: { message: 'hi' } })
        .catch((error) => ({
          isError: true,
          content: [{ text: String(error?.message ?? error) }],
        }));
      calls.push({
        ok: !result.isError,
        error: result.isError
          ? `${server}: ${result.content?.map((c) => c.text).join(' ')}`
          : undefined,
      });
    }
  const before = processesWith([marker]).length;
  const bytes0 = sizeOf(gateway.events);
  const t0 = Date.now();
  const peakRssMb = statusMb(gateway.pid, 'VmHWM');
  killAll([gateway.pid]);
  await closeAll(clients);
  const end = await finish(gateway, marker, { t0, bytes0 });
  return {
    scenario: '6 SIGKILL of the gateway, stubborn stdio servers',
    successRate: successRate(calls),
    firstSuccessMs: undefined,
    ...end,
    peakRssMb,
    logBytesPerMin: undefined,
    target: '0 processes left',
    pass: end.orphans === 0,
    notes: [
      `${before} processes of the run before the kill (servers, shells, wrappers); success: the calls made before it`,
      failureKinds(calls, 3),
    ]
      .filter(Boolean)
      .join('; '),
  };
}
