import { type Clock, systemClock } from '@selfheal/internal';
import { createEmitter, type Emitter, type EventSink } from './events.js';

/** The dependencies every policy takes; all optional. */
export interface RuntimeOptions {
  /** The upstream the policy protects; the `server_name` of its events. @default 'upstream' */
  serverName?: string;
  /** @default systemClock */
  clock?: Clock;
  /** Receives every event. @default drop them */
  sink?: EventSink;
  /** A number in [0, 1), for jitter. @default Math.random */
  random?: () => number;
  /** Trace ids for events of no call. @default crypto.randomUUID */
  newId?: () => string;
  /** An emitter to share instead of building one from `sink`. */
  emitter?: Emitter;
}

/** {@link RuntimeOptions} with every default applied. */
export interface Runtime {
  serverName: string;
  clock: Clock;
  random: () => number;
  emitter: Emitter;
}

/** Applies the defaults of {@link RuntimeOptions}. */
export function resolveRuntime(options: RuntimeOptions = {}): Runtime {
  const clock = options.clock ?? systemClock;
  return {
    serverName: options.serverName ?? 'upstream',
    clock,
    random: options.random ?? Math.random,
    emitter:
      options.emitter ??
      createEmitter({
        clock,
        ...(options.sink ? { sink: options.sink } : {}),
        ...(options.newId ? { newId: options.newId } : {}),
      }),
  };
}

/** The `method` and `tool` fields of an event about a call. */
export function callFields(meta: { method: string; tool?: string }): {
  method: string;
  tool?: string;
} {
  return meta.tool === undefined
    ? { method: meta.method }
    : { method: meta.method, tool: meta.tool };
}
