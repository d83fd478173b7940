import { randomUUID } from 'node:crypto';
import type { Clock } from '@selfheal/internal';
import type {
  BulkheadRejected,
  CallTimedOut,
  CircuitClosed,
  CircuitHalfOpened,
  CircuitIsolated,
  CircuitMetricsOnly,
  CircuitOpened,
  CircuitThresholdExceeded,
  FallbackExhausted,
  FallbackUsed,
  HedgeFired,
  RetryAttempted,
  RetryBudgetExhausted,
} from '@selfheal/schemas';

/** The envelope fields every emitted event carries (see the event schema). */
export interface EventEnvelope {
  timestamp: string;
  trace_id: string;
  repo: string;
}

/** The events of a circuit breaker: its state is a fold of these ({@link evolveCircuit}). */
export type CircuitEvent = EventEnvelope &
  (
    | CircuitOpened
    | CircuitHalfOpened
    | CircuitClosed
    | CircuitIsolated
    | CircuitMetricsOnly
    | CircuitThresholdExceeded
  );

/** Every event this package emits; each type is in `schemas/json/event.schema.json`. */
export type ResilienceEvent =
  | CircuitEvent
  | (EventEnvelope &
      (
        | RetryAttempted
        | RetryBudgetExhausted
        | BulkheadRejected
        | CallTimedOut
        | HedgeFired
        | FallbackUsed
        | FallbackExhausted
      ));

/** Receives every event; append it to a log, a stream, or an array in a test. */
export type ResilienceEventHandler = (event: ResilienceEvent) => void;

/**
 * @deprecated Use {@link ResilienceEventHandler}: in `@selfheal/events` an `EventSink` is a
 * bus sink (an object with `write`), not a function; one name, one meaning.
 */
export type EventSink = ResilienceEventHandler;

/**
 * A resilience event without its envelope ({@link EventEnvelope}): the type and fields a policy
 * emits, before its {@link Emitter} adds `timestamp`, `trace_id` and `repo`.
 */
export type ResilienceEventBody = ResilienceEvent extends infer E
  ? E extends ResilienceEvent
    ? Omit<E, keyof EventEnvelope>
    : never
  : never;

/**
 * @deprecated Use {@link ResilienceEventBody}: in `@selfheal/events` an `EventBody` is the
 * body given to the event factory (any `event_type`); one name, one meaning.
 */
export type EventBody = ResilienceEventBody;

/**
 * Where the policies hand the events they emit: a body (type and fields) and its trace; the
 * emitter puts the envelope on and returns the whole event. {@link createEmitter} is the one for
 * use on its own; a host with an event factory gives its own (RuntimeOptions `emitter`).
 */
export interface Emitter {
  /** Emits `body` in trace `traceId` (a new one when omitted); returns the event as sent. */
  emit<B extends ResilienceEventBody>(body: B, traceId?: string): B & EventEnvelope;
  /** A fresh trace id for a causal chain that has none yet. */
  newTraceId(): string;
}

/** Options of {@link createEmitter}. */
export interface EmitterOptions {
  /** @default a sink that drops events */
  sink?: ResilienceEventHandler;
  clock: Clock;
  /** The `repo` field. @default 'selfheal' */
  repo?: string;
  /** @default crypto.randomUUID */
  newId?: () => string;
  /**
   * Called when the sink throws; a broken sink never fails a call.
   * @default ignore
   */
  onSinkError?: (error: unknown, event: ResilienceEvent) => void;
}

/**
 * An emitter for use without a host's event factory: stamps events with `clock`, a `repo` and a
 * trace id, and sends them to `sink`.
 */
export function createEmitter(options: EmitterOptions): Emitter {
  const { sink, clock, repo = 'selfheal', newId = randomUUID, onSinkError } = options;
  return {
    emit(body, traceId) {
      const event = {
        ...body,
        timestamp: new Date(clock.now()).toISOString(),
        trace_id: traceId ?? newId(),
        repo,
      };
      if (sink) {
        try {
          sink(event as ResilienceEvent);
        } catch (error) {
          onSinkError?.(error, event as ResilienceEvent);
        }
      }
      return event;
    },
    newTraceId: newId,
  };
}
