import { type Clock, systemClock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import { type Observable, Subject, type Subscription } from 'rxjs';
import { EventsError, EventsErrorCode } from '../errors.js';
import type { EventFactory } from '../model/createEvent.js';

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
 */
export function createEventBus(options: EventBusOptions): EventBus {
  const bufferSize = options.bufferSize ?? 10_000;
  const interval = options.failureReportIntervalMs ?? 1000;
  const clock = options.clock ?? systemClock;
  const subject = new Subject<SelfhealEvent>();
  const attachments = new Set<ReturnType<typeof attachSink>>();
  let closed = false;

  function attachSink(sink: EventSink) {
    const queue: SelfhealEvent[] = [];
    let head = 0;
    let failures = 0;
    let dropped = 0;
    let lastError = '';
    let lastFailedId: string | undefined;
    let lastReportAt = Number.NEGATIVE_INFINITY;
    let reportTimer: unknown;
    const waiters: (() => void)[] = [];

    const report = (force = false) => {
      if (failures === 0) return;
      const now = clock.now();
      if (!force && now - lastReportAt < interval) {
        reportTimer ??= clock.setTimeout(
          () => {
            reportTimer = undefined;
            report();
          },
          lastReportAt + interval - now,
        );
        return;
      }
      lastReportAt = now;
      const event = options.events.sinkFailed({
        trace_id: `sink-${sink.name}`,
        sink: sink.name,
        error: lastError,
        failures,
        dropped,
        ...(lastFailedId === undefined ? {} : { failed_event_id: lastFailedId }),
      });
      failures = 0;
      dropped = 0;
      publish(event);
    };

    const fail = (event: SelfhealEvent, error: unknown) => {
      failures++;
      lastError = error instanceof Error ? error.message : String(error);
      if (typeof event.event_id === 'string') lastFailedId = event.event_id;
      // A failure on a sink_failed event is counted into the next report, never reported on
      // its own, so a sink that fails on everything produces one report per interval.
      if (event.event_type !== 'sink_failed') report();
    };

    const windowMs = sink.batchWindowMs ?? 0;
    let hurry: (() => void) | undefined;
    // Set by drained() before a batch starts gathering: hand it over at once.
    let rush = false;
    // Set and cleared synchronously, so a synchronous sink is served in the publishing turn.
    let running = false;
    const settle = () => {
      running = false;
      rush = false;
      queue.length = 0;
      head = 0;
      for (const done of waiters.splice(0)) done();
    };

    const run = async () => {
      running = true;
      try {
        while (head < queue.length) {
          const event = queue[head]!;
          queue[head++] = undefined as unknown as SelfhealEvent;
          try {
            const pending = sink.write(event);
            // Only a promise is awaited.
            if (pending !== undefined) await pending;
          } catch (error) {
            fail(event, error);
          }
          if (head > 1024 && head * 2 > queue.length) {
            queue.splice(0, head);
            head = 0;
          }
        }
      } finally {
        settle();
      }
    };

    const gather = () => {
      if (rush) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = clock.setTimeout(() => {
          hurry = undefined;
          resolve();
        }, windowMs);
        hurry = () => {
          hurry = undefined;
          clock.clearTimeout(timer);
          resolve();
        };
      });
    };

    const runBatches = async () => {
      try {
        while (head < queue.length) {
          if (windowMs > 0) await gather();
          const batch = queue.slice(head);
          queue.length = 0;
          head = 0;
          try {
            const pending = sink.writeBatch!(batch);
            if (pending !== undefined) await pending;
          } catch (error) {
            const failed = (error as { failedEvents?: unknown } | undefined)?.failedEvents;
            for (const event of Array.isArray(failed) ? failed : batch) fail(event, error);
          }
        }
      } finally {
        settle();
      }
    };

    const kick = () => {
      if (running) return;
      if (sink.writeBatch) {
        // A batch sink starts a microtask later (or after its window), so that everything
        // published meanwhile is one batch.
        running = true;
        queueMicrotask(() => void runBatches());
      } else void run();
    };

    const subscription: Subscription = subject.subscribe((event) => {
      if (queue.length - head >= bufferSize) {
        dropped++;
        fail(event, new Error(`buffer full (${bufferSize} events): events dropped`));
        return;
      }
      queue.push(event);
      kick();
    });

    return {
      sink,
      get buffered() {
        return queue.length - head;
      },
      get idle() {
        return !running && head >= queue.length;
      },
      detach() {
        subscription.unsubscribe();
        hurry?.();
        queue.length = 0;
        head = 0;
        if (reportTimer !== undefined) clock.clearTimeout(reportTimer);
        attachments.delete(this);
      },
      drained(): Promise<void> {
        if (this.idle) return Promise.resolve();
        if (hurry) hurry();
        else rush = true;
        return new Promise((resolve) => waiters.push(resolve));
      },
      stopTimer() {
        if (reportTimer !== undefined) clock.clearTimeout(reportTimer);
        reportTimer = undefined;
        report(true);
      },
    };
  }

  function publish(event: SelfhealEvent) {
    subject.next(event);
  }

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
      publish(event);
    },
    attach(sink) {
      // The name goes into sink_failed events, whose schema needs a non-empty string.
      if (typeof sink.name !== 'string' || sink.name === '') {
        throw new EventsError(EventsErrorCode.BadOption, 'attach: a sink needs a non-empty name');
      }
      const attachment = attachSink(sink);
      attachments.add(attachment);
      return attachment;
    },
    drain,
    async close() {
      if (closed) return;
      closed = true;
      await drain();
      for (const a of attachments) a.stopTimer();
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
