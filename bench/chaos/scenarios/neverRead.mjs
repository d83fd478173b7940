// Scenario 1: a client opens the GET event stream of /mcp and never reads it (its socket is
// paused), then asks its upstream (servers/upstream.mjs `notify`) for notifications of
// CHAOS_NOTIFY_BYTES every CHAOS_NOTIFY_MS, which the gateway forwards to that stream; four
// other clients call echo meanwhile, for CHAOS_SECONDS. Target: the gateway does not crash
// and its peak RSS (VmHWM) stays under 300 MB.
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
  statusMb,
  successRate,
  UPSTREAM,
  until,
} from '../harness.mjs';
import { openRawSession } from '../rawSession.mjs';

const LIMIT_MB = 300;
const READERS = 4;

/** @param {{seconds: number, notifyBytes: number, notifyMs: number}} sizes */
export async function neverRead({ seconds, notifyBytes, notifyMs }) {
  const marker = newMarker('never-read');
  const gateway = await startGateway('never-read', { chaos: nodeServer(UPSTREAM, marker) });
  const rss0 = statusMb(gateway.pid, 'VmRSS');
  const session = await openRawSession(gateway.url);
  const status = await session.openStalledStream();
  const clients = await connectAll(gateway.url, READERS);
  const bytes0 = sizeOf(gateway.events);
  const faultAt = Date.now();
  await session.call('chaos__notify', { bytes: notifyBytes, everyMs: notifyMs });
  const loops = callLoops(clients, (i) => ({
    name: 'chaos__echo',
    arguments: { message: `c${i}` },
  }));
  let peakRss = rss0;
  const died = await until(
    () => {
      peakRss = Math.max(peakRss, statusMb(gateway.pid, 'VmRSS') || 0);
      return !isAlive(gateway.pid);
    },
    seconds * 1000,
    250,
  );
  await loops.stop();
  const rssEnd = statusMb(gateway.pid, 'VmRSS');
  session.close();
  await closeAll(clients);
  const end = await finish(gateway, marker, { t0: faultAt, bytes0 });
  const peak = Number.isNaN(end.peakRssMb) ? peakRss : end.peakRssMb;
  return {
    scenario: `1 never-read stream, ${seconds} s`,
    successRate: successRate(loops.calls),
    firstSuccessMs: firstSuccessAfter(loops.calls, faultAt),
    ...end,
    peakRssMb: peak,
    target: `no crash, RSS < ${LIMIT_MB} MB`,
    pass: !died && peak < LIMIT_MB,
    notes: [
      died && 'the gateway died',
      `GET stream ${status}`,
      `RSS ${rss0.toFixed(0)} MB at start, ${Number.isNaN(rssEnd) ? '-' : rssEnd.toFixed(0)} MB at the end`,
      `${loops.calls.length} echo calls from ${READERS} other clients`,
      failureKinds(loops.calls),
    ]
      .filter(Boolean)
      .join('; '),
  };
}
