import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { EventBus, EventFactory } from '@selfheal/events';
import { listLogFiles } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import type { Observable } from 'rxjs';
import type { AlertSettings } from './alertConfig.js';
import { type AlertDelivery, createAlertDelivery } from './alertDelivery.js';
import {
  type AlertEngine,
  type AlertFleet,
  createAlertEngine,
  ownsAlertsOf,
} from './alertEngine.js';
import { type AlertLedger, applyAlertEvent, deliveryKey, initialLedger } from './alertLedger.js';
import { type CommandSpawn, createCommandTransport } from './commandTransport.js';
import { createHttpTransport } from './httpTransport.js';
import type { AlertTransport } from './notice.js';

/** Options of {@link startAlerts}. */
export interface AlertServiceOptions {
  settings: AlertSettings;
  bus: EventBus;
  events: EventFactory;
  clock: Clock;
  /**
   * The active JSONL log: its rotated segments and itself are read for the alerts still open
   * and the deliveries still owed. @default none (nothing restored)
   */
  logPath?: string;
  /** Where command sinks run. @default process.cwd() */
  cwd?: string;
  /** @default transports made from `settings.sinks` */
  transports?: ReadonlyMap<string, AlertTransport>;
  spawn?: CommandSpawn;
  /** @default 2000: at most this long an attempt waits for its notice to reach the log. */
  logWaitMs?: number;
  /** A replica in a fleet (RFC 0018): see {@link FleetAlerts}. @default one gateway alone */
  fleet?: FleetAlerts;
}

/** What alerts need of a fleet (RFC 0018): the other replicas' events and the lease. */
export interface FleetAlerts extends AlertFleet {
  /** The other replicas' events, in stream order, from the stream's first. */
  others$: Observable<SelfhealEvent>;
  /** Calls `listener` when this replica gains (`true`) or loses the lease; returns an unsubscribe. */
  onLease(listener: (held: boolean) => void): () => void;
  /**
   * Resolves once this replica's events so far are in the stream (awaited with the log before
   * each attempt, so the next lease holder knows of a notice any receiver heard of).
   */
  streamed(): Promise<void>;
}

/**
 * Which events of the fleet the rules and the ledger take (RFC 0018). A shared server's alerts
 * are the fleet's, so the others' events of it count, except a replica's `server_registered`
 * (its own connection, not news of the server) and calls: successes reach the stream only as
 * `call_summary`, so the call rules count this replica's calls alone. A replica's own
 * registration of a shared server does not reset the fleet's view of it either. The others'
 * stdio servers are theirs: nothing of them is taken.
 */
function fleetFilter(fleet: FleetAlerts) {
  return {
    own: (event: SelfhealEvent) =>
      !(
        event.event_type === 'server_registered' &&
        typeof event.server_name === 'string' &&
        fleet.isShared(event.server_name)
      ),
    other: (event: SelfhealEvent) =>
      event.event_type !== 'server_registered' &&
      event.event_type !== 'call_completed' &&
      typeof event.server_name === 'string' &&
      fleet.isShared(event.server_name),
  };
}

/** Alerts at work on a gateway's bus. */
export interface AlertService {
  readonly engine: AlertEngine;
  readonly delivery: AlertDelivery;
  /** Deliveries owed from the log when it started. */
  readonly restored: number;
  /** Stops the rules and the deliveries; what is owed stays owed in the log. */
  stop(): void;
}

/** The transport of each configured sink. */
export function createTransports(
  settings: AlertSettings,
  options: { now: () => number; cwd?: string; spawn?: CommandSpawn },
): Map<string, AlertTransport> {
  const transports = new Map<string, AlertTransport>();
  for (const [name, spec] of settings.sinks) {
    transports.set(
      name,
      spec.type === 'command'
        ? createCommandTransport(spec, { spawn: options.spawn, cwd: options.cwd })
        : createHttpTransport(spec, { now: options.now }),
    );
  }
  return transports;
}

/**
 * Reads the `alert_*` events of a log (its rotated segments, then the active file) into a
 * ledger: which alerts are open, which deliveries are owed. Only lines that mention `"alert_`
 * are parsed; a torn or bad line is skipped (the log's own recovery reports it).
 */
export async function readAlertLedger(logPath: string): Promise<AlertLedger> {
  const ledger = initialLedger();
  let files: string[];
  try {
    files = await listLogFiles(logPath);
  } catch {
    return ledger;
  }
  for (const file of files) {
    let stream: ReturnType<typeof createReadStream>;
    try {
      stream = createReadStream(file, { encoding: 'utf8' });
      const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      for await (const line of lines) {
        if (!line.includes('"alert_')) continue;
        let event: unknown;
        try {
          event = JSON.parse(line);
        } catch {
          continue;
        }
        if (
          event !== null &&
          typeof event === 'object' &&
          typeof (event as { event_type?: unknown }).event_type === 'string' &&
          typeof (event as { timestamp?: unknown }).timestamp === 'string'
        ) {
          applyAlertEvent(ledger, event as Parameters<typeof applyAlertEvent>[1]);
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return ledger;
}

/**
 * Starts alerts on `bus`: reads the log for open alerts and owed deliveries (sent first, in
 * their order, none twice: a delivery the log records as done is not owed), then follows the
 * bus. Attach it before the gateway starts, so it sees every event.
 */
export async function startAlerts(options: AlertServiceOptions): Promise<AlertService> {
  const { settings, bus, clock } = options;
  const ledger = options.logPath ? await readAlertLedger(options.logPath) : initialLedger();
  const transports =
    options.transports ??
    createTransports(settings, { now: clock.now, cwd: options.cwd, spawn: options.spawn });
  const logWaitMs = options.logWaitMs ?? 2000;
  const { fleet } = options;
  const serverOf = (event: SelfhealEvent) =>
    typeof event.server_name === 'string' ? event.server_name : '';
  let engine: AlertEngine | undefined;
  const delivery = createAlertDelivery({
    sinks: settings.sinks,
    transports,
    delivery: settings.delivery,
    clock,
    events: options.events,
    publish: (event) => bus.publish(event),
    beforeSend: () =>
      new Promise<void>((resolve) => {
        const timer = clock.setTimeout(resolve, logWaitMs);
        const stored = bus.drain().then(() => fleet?.streamed());
        stored.then(() => {
          clock.clearTimeout(timer);
          resolve();
        }, resolve);
      }),
    // In a fleet: only while this replica owns the alert, and while the fleet still owes it.
    ...(fleet && {
      mayDeliver: (p) =>
        ownsAlertsOf(fleet, serverOf(p.notice)) &&
        engine?.ledger.pending.has(deliveryKey(p.noticeId, p.sink)) === true,
    }),
  });
  engine = createAlertEngine({
    settings,
    clock,
    events: options.events,
    ledger,
    publish: (event) => bus.publish(event),
    owe: (owed) => delivery.enqueue(owed),
    ...(fleet && { fleet }),
  });
  const restored = ledger.pending.size;
  for (const owed of ledger.pending.values()) {
    if (ownsAlertsOf(fleet, serverOf(owed.notice))) delivery.enqueue(owed);
  }
  const running = engine;
  const filter = fleet && fleetFilter(fleet);
  const subscription = bus.events$.subscribe((event) => {
    if (!filter || filter.own(event)) running.observe(event);
  });
  // The others' alert events of shared servers fold into the ledger: what the fleet still owes.
  const fromOthers = fleet?.others$.subscribe((event) => {
    if (filter!.other(event)) running.observe(event);
  });
  const leaseChanges = fleet?.onLease((held) => {
    if (held) running.takeOver();
  });
  running.resolveOrphans();
  return {
    engine: running,
    delivery,
    restored,
    stop() {
      leaseChanges?.();
      fromOthers?.unsubscribe();
      subscription.unsubscribe();
      running.stop();
      delivery.stop();
    },
  };
}
