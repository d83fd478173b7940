import { type Clock, systemClock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import { type Observable, Subject, type Subscription } from 'rxjs';
import { EventsError, EventsErrorCode } from '../errors.js';
import type { EventFactory } from '../model/createEvent.js';
import { createSinkDelivery } from './sinkDelivery.js';
import { createSinkFailures, type SinkFailuresOptions } from './sinkFailures.js';

/** Somewhere events go: the JSONL file, a WebSocket, metrics, alerts, NATS. */
export interface EventSink {
  /** Names the sink in `sink_failed` events. */
  readonly name: string;
  /**
   * Takes one event. May be async; the bus waits for it before handing over the next one
   * (per sink, in order). A throw or a rejection is reported, never propagated.
   */
  write(event: SelfhealEvent): void | Promise<void>;
  /**
   * Optional: takes every event waiting in the sink's buffer at once, in order (at least
   * one), instead of one `write` each; the bus then calls it instead of `write`. For sinks
   * where one call costs much more than one event (a file: one write for many lines). A throw
   * or a rejection counts as a failure of each event in the error's `failedEvents` (an array,
   * when the sink can tell), else of every event of the batch.
   */
  writeBatch?(events: SelfhealEvent[]): void | Promise<void>;
  /**
   * With `writeBatch`: how long, in ms, the bus lets events gather before it hands a batch
   * over, so that a sink fed a few events at a time still makes few calls (at most one per
   * window). `drain()` and `close()` hand over what is waiting at once.
   * @default 0 (the events published in the same turn)
   */
  readonly batchWindowMs?: number;
  /** Called once by {@link EventBus.close} after the sink's buffer has drained. */
  close?(): void | Promise<void>;
}

/** Options of {@link createEventBus}. */
export interface EventBusOptions {
  /** Builds the `sink_failed` events (its clock and repo are used). */
  events: EventFactory;
  /**
   * Events buffered per sink while it is busy; when full, new events are dropped for that
   * sink only (and reported in `sink_failed.dropped`).
   * @default 10000
   */
  bufferSize?: number;
  /**
   * At most one `sink_failed` per sink per this many milliseconds; failures in between are
   * counted into the next one.
   * @default 1000
   */
  failureReportIntervalMs?: number;
  /** @default systemClock */
  clock?: Clock;
}

/** A per-sink handle returned by {@link EventBus.attach}. */
export interface SinkAttachment {
  /** Events waiting in this sink's buffer. */
  readonly buffered: number;
  /** Resolves when this sink's buffer is empty and no write of it is in flight. */
  drained(): Promise<void>;
  /** Stops delivering to the sink; events already buffered are dropped. */
  detach(): void;
}

/** A hot stream of events fanned out to sinks, each behind its own bounded buffer. */
export interface EventBus {
  /** The hot stream: subscribers see events published after they subscribe. */
  readonly events$: Observable<SelfhealEvent>;
  /** Emits `event` to every subscriber and sink. Never blocks on a sink and never throws for one. */
  publish(event: SelfhealEvent): void;
  /**
   * Adds a sink; it receives every event published from now on.
   * @throws EventsError BAD_OPTION for a sink without a name.
   */
  attach(sink: EventSink): SinkAttachment;
  /** Resolves when every sink's buffer is empty and no write is in flight. */
  drain(): Promise<void>;
  /** Stops accepting events, drains every sink, closes them and completes `events$`. */
  close(): Promise<void>;
}

/**
 * Creates an {@link EventBus}: an RxJS `Subject` as the hot stream; each sink subscribes
 * through its own bounded queue and writes one event at a time, so a slow sink only grows its
 * own queue and a failing one only loses its own events. A sink's failures become
 * `sink_failed` events on the bus (to every sink, the failing one included; failures while
 * writing a `sink_failed` are counted but do not emit another, so a broken sink cannot loop).
 * Per sink: its delivery (`sinkDelivery.ts`) and its failure report (`sinkFailures.ts`).
 */
export function createEventBus(options: EventBusOptions): EventBus {
  const subject = new Subject<SelfhealEvent>();
  const bus: BusParts = {
    subject,
    attachments: new Set(),
    bufferSize: options.bufferSize ?? 10_000,
    failures: {
      events: options.events,
      clock: options.clock ?? systemClock,
      intervalMs: options.failureReportIntervalMs ?? 1000,
      publish: (event) => subject.next(event),
    },
  };
  const { attachments } = bus;
  let closed = false;

  const drain = async () => {
    // Draining one sink may publish sink_failed to the others: repeat until all are idle.
    while (![...attachments].every((a) => a.idle)) {
      await Promise.all([...attachments].map((a) => a.drained()));
    }
  };

  return {
    events$: subject.asObservable(),
    publish(event) {
      if (closed) throw new EventsError(EventsErrorCode.BusClosed, 'the event bus is closed');
      subject.next(event);
    },
    attach(sink) {
      // The name goes into sink_failed events, whose schema needs a non-empty string.
      if (typeof sink.name !== 'string' || sink.name === '') {
        throw new EventsError(EventsErrorCode.BadOption, 'attach: a sink needs a non-empty name');
      }
      const attachment = attachSink(sink, bus);
      attachments.add(attachment);
      return attachment;
    },
    drain,
    async close() {
      if (closed) return;
      closed = true;
      await drain();
      for (const a of attachments) a.reportFailures();
      await drain();
      subject.complete();
      for (const a of [...attachments]) {
        try {
          await a.sink.close?.();
        } catch {
          // Closing is best effort; the sink's own errors were reported while it ran.
        }
        a.detach();
      }
    },
  };
}

/** A sink's attachment as its bus keeps it. */
interface BusAttachment extends SinkAttachment {
  readonly sink: EventSink;
  /** Nothing buffered and no write in flight. */
  readonly idle: boolean;
  /** Reports the sink's counted failures now (the bus closes). */
  reportFailures(): void;
}

/** What a sink's attachment shares with its bus. */
interface BusParts {
  subject: Subject<SelfhealEvent>;
  attachments: Set<BusAttachment>;
  bufferSize: number;
  failures: SinkFailuresOptions;
}

/** Subscribes `sink` to the bus through its delivery; a full buffer drops for this sink only. */
function attachSink(sink: EventSink, bus: BusParts): BusAttachment {
  const failures = createSinkFailures(sink.name, bus.failures);
  const delivery = createSinkDelivery(sink, bus.bufferSize, bus.failures.clock, failures.fail);
  const subscription: Subscription = bus.subject.subscribe((event) => {
    if (!delivery.offer(event)) failures.drop(event, bus.bufferSize);
  });
  const attachment: BusAttachment = {
    sink,
    get buffered() {
      return delivery.buffered;
    },
    get idle() {
      return delivery.idle;
    },
    detach() {
      subscription.unsubscribe();
      delivery.clear();
      failures.cancel();
      bus.attachments.delete(attachment);
    },
    drained: delivery.drained,
    reportFailures: failures.reportNow,
  };
  return attachment;
}
