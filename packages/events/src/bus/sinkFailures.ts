import type { Clock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import type { EventFactory } from '../model/createEvent.js';

/**
 * The failures of one sink, reported as `sink_failed` events: at most one per
 * `intervalMs`, counting every failure and drop since the last (with the last error and the
 * last failed event's id). A failure on a `sink_failed` event is counted into the next report,
 * never reported on its own, so a sink that fails on everything produces one report per
 * interval and cannot loop.
 */
export interface SinkFailures {
  /** Counts a failed event and reports, now or when the interval allows. */
  fail(event: SelfhealEvent, error: unknown): void;
  /** Counts an event dropped because the sink's buffer of `bufferSize` events was full. */
  drop(event: SelfhealEvent, bufferSize: number): void;
  /** Reports what is counted now, whatever the interval (the bus closes). */
  reportNow(): void;
  /** Cancels the report waiting for its interval (the sink is detached). */
  cancel(): void;
}

/** What a sink's failure report needs from its bus. */
export interface SinkFailuresOptions {
  /** Builds the `sink_failed` events. */
  events: EventFactory;
  clock: Clock;
  intervalMs: number;
  /** Publishes a report on the bus. */
  publish(event: SelfhealEvent): void;
}

/** Creates the {@link SinkFailures} of the sink named `sinkName`. */
export function createSinkFailures(sinkName: string, options: SinkFailuresOptions): SinkFailures {
  const { clock, intervalMs } = options;
  let failures = 0;
  let dropped = 0;
  let lastError = '';
  let lastFailedId: string | undefined;
  let lastReportAt = Number.NEGATIVE_INFINITY;
  let reportTimer: unknown;

  const report = (force = false) => {
    if (failures === 0) return;
    const now = clock.now();
    if (!force && now - lastReportAt < intervalMs) {
      reportTimer ??= clock.setTimeout(
        () => {
          reportTimer = undefined;
          report();
        },
        lastReportAt + intervalMs - now,
      );
      return;
    }
    lastReportAt = now;
    const event = options.events.sinkFailed({
      trace_id: `sink-${sinkName}`,
      sink: sinkName,
      error: lastError,
      failures,
      dropped,
      ...(lastFailedId === undefined ? {} : { failed_event_id: lastFailedId }),
    });
    failures = 0;
    dropped = 0;
    options.publish(event);
  };

  const fail = (event: SelfhealEvent, error: unknown) => {
    failures++;
    lastError = error instanceof Error ? error.message : String(error);
    if (typeof event.event_id === 'string') lastFailedId = event.event_id;
    if (event.event_type !== 'sink_failed') report();
  };

  return {
    fail,
    drop(event, bufferSize) {
      dropped++;
      fail(event, new Error(`buffer full (${bufferSize} events): events dropped`));
    },
    reportNow() {
      if (reportTimer !== undefined) clock.clearTimeout(reportTimer);
      reportTimer = undefined;
      report(true);
    },
    cancel() {
      // The handle is kept: a write still in flight that fails after this arms no new report.
      if (reportTimer !== undefined) clock.clearTimeout(reportTimer);
    },
  };
}
