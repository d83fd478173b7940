import type { EventFactory } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import { exponentialDelay } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import type { DeliverySettings, SinkSpec } from './alertConfig.js';
import type { PendingDelivery } from './alertLedger.js';
import type { AlertTransport } from './notice.js';
import { type DeliveryContext, workSink } from './sinkQueue.js';
import { createWakeableSleeps } from './wakeableSleeps.js';

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
  const base = exponentialDelay(attempt, settings);
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
  const { clock, delivery } = options;
  const random = options.random ?? Math.random;
  const context: DeliveryContext = {
    clock,
    events: options.events,
    publish: (event) => options.publish(event),
    delivery,
    sinks: options.sinks,
    transports: options.transports,
    beforeSend: options.beforeSend,
    mayDeliver: options.mayDeliver,
    retryDelay: (attempt) => retryDelayMs(delivery, attempt, random()),
    queues: new Map(),
    running: new Set(),
    queued: new Set(),
    sent: new Map(),
    sleeps: createWakeableSleeps(clock),
    controllers: new Set(),
    idleWaiters: [],
    stopped: false,
  };
  const { queued } = context;

  return {
    enqueue(p) {
      if (context.stopped || queued.has(p)) return;
      for (const q of queued) if (q.noticeId === p.noticeId && q.sink === p.sink) return;
      queued.add(p);
      let queue = context.queues.get(p.sink);
      if (!queue) {
        queue = [];
        context.queues.set(p.sink, queue);
      }
      queue.push(p);
      void workSink(context, p.sink);
    },
    get waiting() {
      return queued.size;
    },
    idle() {
      if (queued.size === 0) return Promise.resolve();
      return new Promise((resolve) => context.idleWaiters.push(resolve));
    },
    stop() {
      context.stopped = true;
      for (const c of context.controllers) c.abort();
      context.sleeps.wakeAll();
      for (const resolve of context.idleWaiters.splice(0)) resolve();
      context.idleWaiters = [];
    },
  };
}
