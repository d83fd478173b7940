import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { EventLog, StoredEvent } from '@selfheal/events';
import type { SelfhealEvent } from '@selfheal/schemas';
import { filter, type Observable, Subject } from 'rxjs';
import type { LoadedConfig } from '../config/loadConfig.js';
import { isFleetShared } from '../gateway/context.js';
import type { FleetOptions, Gateway } from '../gateway.js';
import { createNewestEvents, type DashboardEvents } from '../http/dashboard.js';

type NatsModule = typeof import('@selfheal/events/nats');
type NatsLink = Awaited<ReturnType<NatsModule['connectNats']>>;

/** The config's `event_emission.nats`, resolved. */
export interface ReplicaSettings {
  servers: string[];
  stream: string;
  subject: string;
  credentials?: string;
  replica: string;
  duplicateWindowMs: number;
  leaseTtlMs: number;
}

/**
 * Reads `event_emission.nats`; undefined when absent.
 * @throws Error naming the key when NATS is asked for without the JSONL log (its spool).
 */
export function replicaSettings(
  config: LoadedConfig,
  env: NodeJS.ProcessEnv = process.env,
): ReplicaSettings | undefined {
  const emission = config.document.event_emission;
  const nats = emission?.nats;
  if (nats === undefined) return undefined;
  if (emission?.enabled === false) {
    throw new Error(
      `${config.source}: event_emission.nats needs the JSONL log, which is its spool while NATS is unreachable: remove "enabled": false or the nats section`,
    );
  }
  const replica =
    nats.replica ?? env.SELFHEAL_REPLICA ?? `${hostname()}-${process.pid}`.replace(/[\s.*>]/g, '-');
  if (!/^[^\s.*>]+$/.test(replica)) {
    throw new Error(
      `SELFHEAL_REPLICA "${replica}" cannot name a replica: no spaces, ".", "*" or ">" (it is a NATS subject token)`,
    );
  }
  return {
    servers: nats.servers,
    stream: nats.stream ?? 'SELFHEAL_EVENTS',
    subject: nats.subject ?? 'selfheal.events',
    ...(nats.credentials === undefined
      ? {}
      : { credentials: resolve(config.baseDir, nats.credentials) }),
    replica,
    duplicateWindowMs: nats.duplicate_window_ms ?? 120_000,
    leaseTtlMs: nats.lease_ttl_ms ?? 15_000,
  };
}

/** One replica's side of the fleet: what the gateway takes, and what runs beside it. */
export interface ReplicaLink {
  readonly settings: ReplicaSettings;
  /** For `createGateway({ fleet })`. */
  readonly fleet: FleetOptions;
  /** The other replicas' events of the stream, in stream order, from its first. */
  readonly others$: Observable<SelfhealEvent>;
  /** Whether this replica holds the lease on remote servers now. */
  holdsLease(): boolean;
  /** Calls `listener` each time this replica gains (`true`) or loses the lease. */
  onLease(listener: (held: boolean) => void): () => void;
  /** Resolves once the events this replica's log has stored so far are in the stream. */
  streamed(): Promise<void>;
  /** Hands each event the log stores to the stream; call once the log is open. */
  forwardFrom(log: EventLog): (stored: StoredEvent) => void;
  /**
   * Waits (at most `waitMs`) for NATS and for the fleet's state so far to be folded; then
   * follows the stream and competes for the lease. Never throws: NATS that is not there yet is
   * waited for in the background, events meanwhile wait in the log.
   */
  start(gateway: Gateway, waitMs?: number): Promise<void>;
  /**
   * The events stored in the fleet's stream now, in stream order (the order every replica
   * folds them in), at most the newest `DASHBOARD_EVENTS_LIMIT`: the dashboard's history in a
   * fleet. Undefined while NATS is not reached.
   */
  streamEvents(): Promise<DashboardEvents | undefined>;
  /** Gives the lease up, sends what it can within `drainMs`, and closes. Idempotent. */
  close(drainMs?: number): Promise<void>;
}

/**
 * Wires a replica to NATS (RFC 0018): the log's events to the stream through the forwarder,
 * the stream's events into the gateway's fleet view, the lease on remote probes. The NATS
 * client is imported here, only when the config asks for NATS.
 */
export async function openReplicaLink(
  settings: ReplicaSettings,
  log: (line: string) => void,
): Promise<ReplicaLink> {
  const nats: NatsModule = await import('@selfheal/events/nats');
  const events$ = new Subject<SelfhealEvent>();
  let link: NatsLink | undefined;
  let closed = false;
  let lease: Awaited<ReturnType<NatsModule['createLease']>> | undefined;
  let follower: Awaited<ReturnType<NatsModule['followStream']>> | undefined;
  let forwarder: ReturnType<NatsModule['createNatsForwarder']> | undefined;
  const leaseListeners = new Set<(held: boolean) => void>();
  // Cut off from NATS for longer than a lease, a replica probes remote servers itself: nobody
  // can tell it the fleet's view, and routing needs one.
  let downSince: number | undefined = Date.now();
  const linkReady = nats
    .connectNats({
      servers: settings.servers,
      stream: settings.stream,
      subject: settings.subject,
      name: `selfheal-${settings.replica}`,
      duplicateWindowMs: settings.duplicateWindowMs,
      ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    })
    .then((connected) => {
      link = connected;
      downSince = undefined;
      connected.onStatus((up) => {
        downSince = up ? undefined : Date.now();
      });
      return connected;
    });
  linkReady.catch((error: unknown) =>
    log(`selfheal: NATS: ${(error as Error).message}; events stay in the log\n`),
  );

  /** Whether the stream was read up to where it stood when this replica joined. */
  let streamRead = false;
  const fleet: FleetOptions = {
    replica: settings.replica,
    events$: events$.asObservable(),
    probesRemote: () =>
      lease?.held === true ||
      (downSince !== undefined && Date.now() - downSince > settings.leaseTtlMs),
    caughtUp: () => streamRead,
  };

  return {
    settings,
    fleet,
    others$: events$.pipe(filter((event) => event.replica !== settings.replica)),
    holdsLease: () => lease?.held === true,
    onLease(listener) {
      leaseListeners.add(listener);
      return () => leaseListeners.delete(listener);
    },
    streamed: () => forwarder?.drained() ?? Promise.resolve(),
    forwardFrom(eventLog) {
      forwarder = nats.createNatsForwarder({
        link: linkReady,
        replica: settings.replica,
        logPath: eventLog.path,
        startAfterSeq: eventLog.lastSeq,
      });
      const f = forwarder;
      return (stored) => f.offer(stored);
    },
    async start(gateway, waitMs = 5000) {
      const started = (async () => {
        const connected = await linkReady;
        if (closed) return;
        follower = await nats.followStream(connected, {
          onEvent: (event) => events$.next(event),
        });
        await follower.caughtUp();
        streamRead = true;
        if (closed) return;
        lease = await nats.createLease({
          link: connected,
          holder: settings.replica,
          ttlMs: settings.leaseTtlMs,
          onChange: (held) => {
            // A turn later, so that the first grant (inside createLease) finds `lease` set.
            setImmediate(() => {
              for (const listener of leaseListeners) listener(held);
            });
            if (!held) return;
            // Probe at once rather than at the next interval: the old holder is gone. A turn
            // later, so that the first grant (inside createLease) finds `lease` set.
            setImmediate(() => {
              for (const upstream of gateway.upstreams) {
                if (isFleetShared(upstream.spec))
                  gateway.monitor.servers.get(upstream.spec.name)?.requestCheck();
              }
            });
          },
        });
      })();
      started.catch((error: unknown) =>
        log(`selfheal: NATS: cannot follow the stream: ${(error as Error).message}\n`),
      );
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        started.catch(() => {}),
        new Promise<void>((done) => {
          timer = setTimeout(done, waitMs);
        }),
      ]);
      clearTimeout(timer);
    },
    async streamEvents() {
      const connected = link;
      // NATS lost after start-up: the page's history comes from the log meanwhile.
      if (connected === undefined || !connected.up || closed) return undefined;
      const newest = createNewestEvents();
      try {
        for await (const batch of nats.readStream(connected)) {
          for (const m of batch) if ('event' in m) newest.push(m.event);
        }
      } catch {
        return undefined; // lost while reading: the log instead
      }
      return newest.result('stream');
    },
    async close(drainMs = 2000) {
      if (closed) return;
      closed = true;
      await lease?.stop();
      if (forwarder) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          forwarder.drained(),
          new Promise<void>((done) => {
            timer = setTimeout(done, drainMs);
          }),
        ]);
        clearTimeout(timer);
        await forwarder.close();
      }
      await follower?.stop();
      events$.complete();
      await link?.close();
    },
  };
}
