// Scenarios 2 and 3: CHAOS_CLIENTS clients call the echo tool of a stdio server in closed loops
// when every process of that server (the monitor's and each client session's own) is
// SIGKILLed. The window ends when every client has had a success served by that server again
// (30 s at most after the kill).
// 2, no fallback: target the first success within 2 s of the server's return (its
//    `server_started` after the kill in the event log).
// 3, with a fallback server: target 100% of calls succeed and the first within 3 s of the kill.
import {
  callLoops,
  closeAll,
  connectAll,
  eventAfter,
  failureKinds,
  finish,
  firstSuccessAfter,
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

const WINDOW_MS = 30_000;

/** When the primary's first `server_recovered` at or after `since` happened (ms), if it did. */
function recoveryOf(file, since) {
  const e = readEvents(file).find(
    (x) =>
      x.event_type === 'server_recovered' &&
      x.server_name === 'primary' &&
      Date.parse(x.timestamp) >= since,
  );
  return e === undefined ? undefined : Date.parse(e.timestamp);
}

/** @param {{clients: number, fallback: boolean}} sizes */
export async function killServer({ clients: n, fallback }) {
  const name = fallback ? 'kill-fallback' : 'kill-no-fallback';
  const marker = newMarker(name);
  const servers = {
    primary: {
      ...nodeServer(UPSTREAM, marker, '--role=primary'),
      ...(fallback && { fallback: ['backup'] }),
    },
    ...(fallback && { backup: nodeServer(UPSTREAM, marker, '--role=backup') }),
  };
  const gateway = await startGateway(name, servers);
  const clients = await connectAll(gateway.url, n);
  // Each client's first call opens its session's link to the primary: every process is up
  // before the kill.
  await Promise.all(clients.map((c) => c.callTool({ name: 'primary__pid', arguments: {} })));

  let faultAt = Number.POSITIVE_INFINITY;
  const loops = callLoops(clients, (i) => ({
    name: 'primary__echo',
    arguments: { message: `c${i}` },
  }));
  // Every client in its loop before the fault.
  await until(() => new Set(loops.calls.map((c) => c.client)).size === n, 30_000);
  const victims = processesWith([marker, '--role=primary'], { servers: true });
  const bytes0 = sizeOf(gateway.events);
  faultAt = Date.now();
  killAll(victims);
  // The window ends once the monitor has the primary back (server_recovered) and every client
  // has had an answer from it since.
  let recoveredAt;
  const back = new Set();
  const allBack = await until(
    () => {
      recoveredAt ??= recoveryOf(gateway.events, faultAt);
      if (recoveredAt === undefined) return false;
      for (const c of loops.calls)
        if (c.ok && c.at >= recoveredAt && (c.servedBy ?? 'primary') === 'primary')
          back.add(c.client);
      return back.size === n;
    },
    WINDOW_MS,
    250,
  );
  const windowEnd = Date.now();
  await loops.stop();
  await closeAll(clients);

  const after = loops.calls.filter((c) => c.at >= faultAt && c.at <= windowEnd);
  const firstMs = firstSuccessAfter(after, faultAt);
  const started = await eventAfter(gateway.events, 'server_started', 'primary', faultAt);
  const returnMs = started ? Date.parse(started.timestamp) - faultAt : undefined;
  const end = await finish(gateway, marker, { t0: faultAt, bytes0 });
  const rate = successRate(after);
  // A success before the return (a client session's own process started again on its own)
  // does not show the server is usable again: count from the return.
  const returnAt = started === undefined ? undefined : Date.parse(started.timestamp);
  const sinceReturn = returnAt === undefined ? undefined : firstSuccessAfter(after, returnAt);
  const servedBy = new Map();
  for (const c of after)
    if (c.ok) servedBy.set(c.servedBy ?? '-', (servedBy.get(c.servedBy ?? '-') ?? 0) + 1);
  const prompt = new Set(
    after
      .filter((c) => c.ok && returnAt !== undefined && c.at >= returnAt && c.at <= returnAt + 2000)
      .map((c) => c.client),
  );
  const pass = fallback
    ? rate === 1 && firstMs !== undefined && firstMs <= 3000
    : sinceReturn !== undefined && sinceReturn <= 2000;
  return {
    scenario: `${fallback ? 3 : 2} SIGKILL of a stdio server, ${n} clients, ${fallback ? 'fallback' : 'no fallback'}`,
    successRate: rate,
    firstSuccessMs: firstMs,
    ...end,
    target: fallback
      ? 'success 100%, first success <= 3000 ms'
      : 'first success after the return <= 2000 ms',
    pass,
    notes: [
      `killed ${victims.length} processes`,
      `server_started at ${returnMs ?? '-'} ms`,
      returnAt !== undefined && `clients answered within 2 s of it: ${prompt.size}/${n}`,
      `answers by server: ${[...servedBy].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
      `first success after it: ${sinceReturn === undefined ? 'none' : `${sinceReturn} ms`}`,
      `${after.length} calls in ${windowEnd - faultAt} ms`,
      `server_recovered at ${recoveredAt === undefined ? '-' : recoveredAt - faultAt} ms`,
      allBack
        ? 'all clients served by primary since'
        : `${back.size}/${n} clients served by primary after server_recovered within ${WINDOW_MS} ms`,
      failureKinds(after),
    ]
      .filter(Boolean)
      .join('; '),
  };
}
