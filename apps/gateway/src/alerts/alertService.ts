import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { EventBus, EventFactory } from '@selfheal/events';
import { listLogFiles } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import type { AlertSettings } from './alertConfig.js';
import { type AlertDelivery, createAlertDelivery } from './alertDelivery.js';
import { type AlertEngine, createAlertEngine } from './alertEngine.js';
import { type AlertLedger, applyAlertEvent, initialLedger } from './alertLedger.js';
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
        bus.drain().then(() => {
          clock.clearTimeout(timer);
          resolve();
        }, resolve);
      }),
  });
  const engine = createAlertEngine({
    settings,
    clock,
    events: options.events,
    ledger,
    publish: (event) => bus.publish(event),
    owe: (owed) => delivery.enqueue(owed),
  });
  const restored = ledger.pending.size;
  for (const owed of ledger.pending.values()) delivery.enqueue(owed);
  const subscription = bus.events$.subscribe((event) => engine.observe(event));
  engine.resolveOrphans();
  return {
    engine,
    delivery,
    restored,
    stop() {
      subscription.unsubscribe();
      engine.stop();
      delivery.stop();
    },
  };
}
