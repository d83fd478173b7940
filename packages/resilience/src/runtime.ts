import { type Clock, systemClock } from '@selfheal/internal';
import { createEmitter, type Emitter, type ResilienceEventHandler } from './events.js';

/** The dependencies every policy takes; all optional. */
export interface RuntimeOptions {
  /** The upstream the policy protects; the `server_name` of its events. @default 'upstream' */
  serverName?: string;
  /** @default systemClock */
  clock?: Clock;
  /**
   * Receives every event, with the minimal envelope of {@link createEmitter} (`timestamp`,
   * `trace_id`, `repo`): for use on its own. A host with an event factory passes `emitter`.
   * @default drop them
   */
  sink?: ResilienceEventHandler;
  /** A number in [0, 1), for jitter. @default Math.random */
  random?: () => number;
  /** Trace ids for events of no call. @default crypto.randomUUID */
  newId?: () => string;
  /**
   * Where the policies hand their event bodies (type and fields): a host that builds events
   * itself (the gateway: its one event factory, `envelop` in `@selfheal/events`) puts the
   * envelope on, publishes the event and returns it; a breaker folds what it gets back. Also how
   * policies share one emitter. @default createEmitter({ sink, clock, newId })
   */
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
