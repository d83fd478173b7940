import type { EventFactory, EventFieldsByType, EventInput } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import type { DeliverySettings, SinkSpec } from './alertConfig.js';
import type { PendingDelivery } from './alertLedger.js';
import { type AlertTransport, type DeliveryResult, noticeOf } from './notice.js';
import type { WakeableSleeps } from './wakeableSleeps.js';

/** The fields of a delivery event that come from its notice. */
type NoticeField = 'event_type' | 'server_name' | 'alert_id' | 'notice_id' | 'action' | 'sink';

/** What the sinks' queues share: made by `createAlertDelivery`, read by each queue's worker. */
export interface DeliveryContext {
  readonly clock: Clock;
  readonly events: EventFactory;
  readonly publish: (event: SelfhealEvent) => void;
  readonly delivery: DeliverySettings;
  readonly sinks: ReadonlyMap<string, SinkSpec>;
  readonly transports: ReadonlyMap<string, AlertTransport>;
  readonly beforeSend: (() => Promise<void>) | undefined;
  readonly mayDeliver: ((delivery: PendingDelivery) => boolean) | undefined;
  /** The wait before the attempt after failed attempt `attempt`, ms (jittered). */
  readonly retryDelay: (attempt: number) => number;
  /** Each sink's queue, in the order its deliveries were owed. */
  readonly queues: Map<string, PendingDelivery[]>;
  /** Sinks whose queue is being worked. */
  readonly running: Set<string>;
  /** Every delivery queued, over all sinks. */
  readonly queued: Set<PendingDelivery>;
  /** Per sink, the start times of its attempts within its rate limit's window. */
  readonly sent: Map<string, number[]>;
  readonly sleeps: WakeableSleeps;
  /** The attempts in flight, aborted on stop. */
  readonly controllers: Set<AbortController>;
  /** Told once every queue is empty. */
  idleWaiters: (() => void)[];
  stopped: boolean;
}

/**
 * Works `sinkName`'s queue, one notice at a time (so a resolve never overtakes its trigger),
 * until it is empty or delivery stops. Each delivery ends delivered, refused for good, given up
 * (its sink gone, or owed longer than `giveUpMs`), or dropped by `mayDeliver`; a failed attempt
 * is tried again after `retryDelay`. Does nothing while the queue is already being worked.
 */
export async function workSink(context: DeliveryContext, sinkName: string): Promise<void> {
  const { clock, delivery, running, queued } = context;
  if (running.has(sinkName)) return;
  running.add(sinkName);
  const queue = context.queues.get(sinkName)!;
  const spec = context.sinks.get(sinkName);
  const transport = context.transports.get(sinkName);
  try {
    while (queue.length > 0 && !context.stopped) {
      const p = queue[0]!;
      const done = () => {
        queue.shift();
        queued.delete(p);
      };
      if (!spec || !transport) {
        publishOutcome(context, 'alert_delivery_failed', p, {
          attempt: p.attempts + 1,
          error: `no sink "${sinkName}" in alerts.sinks any more`,
          final: true,
        });
        done();
        continue;
      }
      if (clock.now() - p.since > delivery.giveUpMs) {
        publishOutcome(context, 'alert_delivery_failed', p, {
          attempt: Math.max(1, p.attempts),
          error: `undelivered for longer than alerts.delivery.give_up_after_seconds (${delivery.giveUpMs / 1000} s)`,
          final: true,
        });
        done();
        continue;
      }
      const times = context.sent.get(sinkName) ?? [];
      context.sent.set(sinkName, times);
      const wait = rateLimitWait(times, clock.now(), spec.rateLimit);
      if (wait !== undefined) {
        await context.sleeps.sleep(wait);
        continue;
      }
      if (context.beforeSend) await context.beforeSend();
      if (context.stopped) break;
      if (context.mayDeliver && !context.mayDeliver(p)) {
        done();
        continue;
      }
      const outcome = await attempt(context, p, spec, transport, times);
      if (outcome === 'stopped') break;
      if (outcome === 'ended') done();
      else await context.sleeps.sleep(outcome.retryInMs);
    }
  } finally {
    running.delete(sinkName);
    if (queued.size === 0) {
      for (const resolve of context.idleWaiters.splice(0)) resolve();
    }
  }
}

/**
 * How long to wait before a sink's next attempt under its rate limit (at most `max` attempts
 * per `perMs`), or undefined when it may go now. Drops from `times` the starts that left the
 * window.
 */
export function rateLimitWait(
  times: number[],
  now: number,
  limit: SinkSpec['rateLimit'],
): number | undefined {
  while (times.length > 0 && times[0]! <= now - limit.perMs) times.shift();
  return times.length >= limit.max ? times[0]! + limit.perMs - now : undefined;
}

/**
 * One attempt of `p` under the sink's timeout, its start counted in `times`, its outcome
 * published: `ended` (delivered or refused for good), a retry after its delay, or `stopped`
 * (delivery stopped under a failed attempt: it stays owed, with no event).
 */
async function attempt(
  context: DeliveryContext,
  p: PendingDelivery,
  spec: SinkSpec,
  transport: AlertTransport,
  times: number[],
): Promise<'ended' | 'stopped' | { retryInMs: number }> {
  const { clock } = context;
  const attempt = p.attempts + 1;
  const controller = new AbortController();
  context.controllers.add(controller);
  const timer = clock.setTimeout(() => controller.abort(), spec.timeoutMs);
  const started = clock.now();
  times.push(started);
  const result: DeliveryResult = await transport.send(noticeOf(p), controller.signal);
  clock.clearTimeout(timer);
  context.controllers.delete(controller);
  if (context.stopped && !result.ok) return 'stopped';
  p.attempts = attempt;
  const status = result.status !== undefined ? { status: result.status } : {};
  if (result.ok) {
    publishOutcome(context, 'alert_delivered', p, {
      attempt,
      ...status,
      latency_ms: Math.max(0, clock.now() - started),
    });
    return 'ended';
  }
  if (result.permanent) {
    publishOutcome(context, 'alert_delivery_failed', p, {
      attempt,
      ...status,
      error: result.error ?? 'refused',
      final: true,
    });
    return 'ended';
  }
  const wait = context.retryDelay(attempt);
  publishOutcome(context, 'alert_delivery_failed', p, {
    attempt,
    ...status,
    error: result.error ?? 'failed',
    final: false,
    retry_in_ms: wait,
  });
  return { retryInMs: wait };
}

/** Publishes `alert_delivered` or `alert_delivery_failed` for `p`, with `fields`. */
function publishOutcome<T extends 'alert_delivered' | 'alert_delivery_failed'>(
  context: DeliveryContext,
  type: T,
  p: PendingDelivery,
  fields: Omit<EventFieldsByType[T], NoticeField>,
): void {
  try {
    context.publish(
      context.events.create(type, {
        trace_id: p.notice.trace_id,
        ...(typeof p.notice.server_name === 'string' ? { server_name: p.notice.server_name } : {}),
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
}
