import type { EventFactory, EventFieldsByType, EventInput } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import type { DeliverySettings, SinkSpec } from './alertConfig.js';
import type { PendingDelivery } from './alertLedger.js';
import { type AlertTransport, noticeOf } from './notice.js';

/** The fields of a delivery event that come from its notice. */
type NoticeField = 'event_type' | 'server_name' | 'alert_id' | 'notice_id' | 'action' | 'sink';

/** Options of {@link createAlertDelivery}. */
export interface AlertDeliveryOptions {
  sinks: ReadonlyMap<string, SinkSpec>;
  transports: ReadonlyMap<string, AlertTransport>;
  delivery: DeliverySettings;
  clock: Clock;
  /** Builds `alert_delivered` and `alert_delivery_failed`. */
  events: EventFactory;
  publish(event: SelfhealEvent): void;
  /**
   * Awaited before each attempt, so that the notice's event is in the log before a sink is
   * told (a crash after telling must not lose the record of the notice). @default nothing
   */
  beforeSend?: () => Promise<void>;
  /**
   * Asked before each attempt: false drops the delivery from its queue, owed still (in a fleet,
   * RFC 0018: this replica lost the lease, or another replica delivered it). @default always
   */
  mayDeliver?: (delivery: PendingDelivery) => boolean;
  /** In [0, 1): the jitter of each backoff. @default Math.random */
  random?: () => number;
}

/** The deliveries owed, one queue per sink. */
export interface AlertDelivery {
  /** Adds one owed delivery at the end of its sink's queue (a second add is ignored). */
  enqueue(delivery: PendingDelivery): void;
  /** Resolves when every queue is empty. */
  idle(): Promise<void>;
  /** Deliveries waiting, over every sink. */
  readonly waiting: number;
  /** Stops: an attempt in flight is aborted; what is owed stays owed in the log. */
  stop(): void;
}

/**
 * The backoff before attempt `attempt + 1` after `attempt` failed: initial × multiplier^(n-1),
 * capped at max, less up to 20% jitter.
 */
export function retryDelayMs(settings: DeliverySettings, attempt: number, random: number): number {
  const base = Math.min(settings.maxMs, settings.initialMs * settings.multiplier ** (attempt - 1));
  return Math.round(base * (1 - 0.2 * random));
}

/**
 * Creates an {@link AlertDelivery}: each sink has a FIFO queue worked one notice at a time (so
 * a resolve never overtakes its trigger), each attempt under the sink's timeout, each outcome
 * an event. A failed attempt is tried again after {@link retryDelayMs} until delivered, refused
 * for good (an HTTP 4xx but 408/429), or owed longer than `giveUpMs`. The rate limit delays
 * attempts past `max` per `perMs` per sink; nothing is dropped.
 */
export function createAlertDelivery(options: AlertDeliveryOptions): AlertDelivery {
  const { clock, events, delivery } = options;
  const random = options.random ?? Math.random;
  const queues = new Map<string, PendingDelivery[]>();
  const running = new Set<string>();
  const queued = new Set<PendingDelivery>();
  const sent = new Map<string, number[]>();
  const sleeping = new Set<{ timer: unknown; wake: () => void }>();
  const controllers = new Set<AbortController>();
  let idleWaiters: (() => void)[] = [];
  let stopped = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        timer: undefined as unknown,
        wake: () => {
          sleeping.delete(entry);
          resolve();
        },
      };
      entry.timer = clock.setTimeout(entry.wake, ms);
      sleeping.add(entry);
    });

  const publish = <T extends 'alert_delivered' | 'alert_delivery_failed'>(
    type: T,
    p: PendingDelivery,
    fields: Omit<EventFieldsByType[T], NoticeField>,
  ) => {
    try {
      options.publish(
        events.create(type, {
          trace_id: p.notice.trace_id,
          ...(typeof p.notice.server_name === 'string'
            ? { server_name: p.notice.server_name }
            : {}),
          alert_id: p.alertId,
          notice_id: p.noticeId,
          action: p.action,
          sink: p.sink,
          ...fields,
        } as EventInput<T>),
      );
    } catch {
      // The bus is closed (the gateway is stopping): the delivery stays owed in the log.
    }
  };

  const work = async (sinkName: string) => {
    if (running.has(sinkName)) return;
    running.add(sinkName);
    const queue = queues.get(sinkName)!;
    const spec = options.sinks.get(sinkName);
    const transport = options.transports.get(sinkName);
    try {
      while (queue.length > 0 && !stopped) {
        const p = queue[0]!;
        const done = () => {
          queue.shift();
          queued.delete(p);
        };
        if (!spec || !transport) {
          publish('alert_delivery_failed', p, {
            attempt: p.attempts + 1,
            error: `no sink "${sinkName}" in alerts.sinks any more`,
            final: true,
          });
          done();
          continue;
        }
        if (clock.now() - p.since > delivery.giveUpMs) {
          publish('alert_delivery_failed', p, {
            attempt: Math.max(1, p.attempts),
            error: `undelivered for longer than alerts.delivery.give_up_after_seconds (${delivery.giveUpMs / 1000} s)`,
            final: true,
          });
          done();
          continue;
        }
        const times = sent.get(sinkName) ?? [];
        sent.set(sinkName, times);
        const now = clock.now();
        while (times.length > 0 && times[0]! <= now - spec.rateLimit.perMs) times.shift();
        if (times.length >= spec.rateLimit.max) {
          await sleep(times[0]! + spec.rateLimit.perMs - now);
          continue;
        }
        if (options.beforeSend) await options.beforeSend();
        if (stopped) break;
        if (options.mayDeliver && !options.mayDeliver(p)) {
          done();
          continue;
        }
        const attempt = p.attempts + 1;
        const controller = new AbortController();
        controllers.add(controller);
        const timer = clock.setTimeout(() => controller.abort(), spec.timeoutMs);
        const started = clock.now();
        times.push(started);
        const result = await transport.send(noticeOf(p), controller.signal);
        clock.clearTimeout(timer);
        controllers.delete(controller);
        if (stopped && !result.ok) break;
        p.attempts = attempt;
        const status = result.status !== undefined ? { status: result.status } : {};
        if (result.ok) {
          publish('alert_delivered', p, {
            attempt,
            ...status,
            latency_ms: Math.max(0, clock.now() - started),
          });
          done();
        } else if (result.permanent) {
          publish('alert_delivery_failed', p, {
            attempt,
            ...status,
            error: result.error ?? 'refused',
            final: true,
          });
          done();
        } else {
          const wait = retryDelayMs(delivery, attempt, random());
          publish('alert_delivery_failed', p, {
            attempt,
            ...status,
            error: result.error ?? 'failed',
            final: false,
            retry_in_ms: wait,
          });
          await sleep(wait);
        }
      }
    } finally {
      running.delete(sinkName);
      if (queued.size === 0) {
        for (const resolve of idleWaiters.splice(0)) resolve();
      }
    }
  };

  return {
    enqueue(p) {
      if (stopped || queued.has(p)) return;
      for (const q of queued) if (q.noticeId === p.noticeId && q.sink === p.sink) return;
      queued.add(p);
      let queue = queues.get(p.sink);
      if (!queue) {
        queue = [];
        queues.set(p.sink, queue);
      }
      queue.push(p);
      void work(p.sink);
    },
    get waiting() {
      return queued.size;
    },
    idle() {
      if (queued.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    stop() {
      stopped = true;
      for (const c of controllers) c.abort();
      for (const s of [...sleeping]) {
        clock.clearTimeout(s.timer);
        s.wake();
      }
      for (const resolve of idleWaiters.splice(0)) resolve();
      idleWaiters = [];
    },
  };
}
