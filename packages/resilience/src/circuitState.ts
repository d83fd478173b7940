import { exponentialDelay } from '@selfheal/internal';
import type { CircuitEvent } from './events.js';

/**
 * The modes of a breaker: `closed` admits and counts, `open` rejects until its timer,
 * `half_open` admits a bounded number of probes, `isolated` rejects until an operator releases
 * it, `metrics_only` admits everything and only reports.
 */
export type CircuitMode = 'closed' | 'open' | 'half_open' | 'isolated' | 'metrics_only';

/** What a breaker's events say about it: the fold of {@link evolveCircuit}. */
export interface CircuitState {
  mode: CircuitMode;
  /** Consecutive ejections as of `since` (they decay while closed, see {@link ejectionsAt}). */
  ejections: number;
  /** Clock time (ms) the current mode began; 0 before any event. */
  since: number;
  /** When an open circuit half-opens (ms). */
  openUntil?: number;
  /** The probe limit of a half-open circuit. */
  probes?: number;
}

/** The state before any event: closed, no ejections. */
export const initialCircuitState: CircuitState = Object.freeze({
  mode: 'closed',
  ejections: 0,
  since: 0,
}) as CircuitState;

/**
 * The next state after `event`: a pure function of its inputs (times come from the event's
 * timestamp), so folding a breaker's logged events restores it exactly.
 */
export function evolveCircuit(state: CircuitState, event: CircuitEvent): CircuitState {
  const at = Date.parse(event.timestamp);
  switch (event.event_type) {
    case 'circuit_opened':
      return { mode: 'open', ejections: event.ejections, since: at, openUntil: at + event.open_ms };
    case 'circuit_half_opened':
      return { mode: 'half_open', ejections: state.ejections, since: at, probes: event.probes };
    case 'circuit_closed':
      return { mode: 'closed', ejections: event.ejections ?? state.ejections, since: at };
    case 'circuit_isolated':
      return { mode: 'isolated', ejections: state.ejections, since: at };
    case 'circuit_metrics_only':
      return { mode: 'metrics_only', ejections: state.ejections, since: at };
    default:
      // circuit_threshold_exceeded (a dry run's report) changes nothing.
      return state;
  }
}

/**
 * Folds the events of one circuit (others in `events` are skipped, so a whole log can be
 * passed) from `initial`.
 */
export function foldCircuit(
  events: Iterable<{ event_type: string; circuit?: unknown }>,
  circuit: string,
  initial: CircuitState = initialCircuitState,
): CircuitState {
  let state = initial;
  for (const event of events) {
    if (event.circuit === circuit && isCircuitEvent(event)) state = evolveCircuit(state, event);
  }
  return state;
}

const CIRCUIT_EVENT_TYPES = new Set([
  'circuit_opened',
  'circuit_half_opened',
  'circuit_closed',
  'circuit_isolated',
  'circuit_metrics_only',
  'circuit_threshold_exceeded',
]);

/** True for an event a breaker's state is folded from. */
export function isCircuitEvent(event: { event_type: string }): event is CircuitEvent {
  return CIRCUIT_EVENT_TYPES.has(event.event_type);
}

/**
 * The ejections still remembered at `now`: while closed (or metrics-only) one is forgotten per
 * `decayMs`, so the open time shrinks again when the upstream stays healthy.
 */
export function ejectionsAt(state: CircuitState, now: number, decayMs: number): number {
  if (state.mode !== 'closed' && state.mode !== 'metrics_only') return state.ejections;
  if (!(decayMs > 0)) return state.ejections;
  return Math.max(0, state.ejections - Math.floor(Math.max(0, now - state.since) / decayMs));
}

/**
 * How long the `ejections`-th consecutive ejection stays open: `openMs` doubled per earlier
 * ejection, capped at `maxOpenMs`, shortened by up to `jitter` × itself at random. Floored to
 * whole ms; always in [0, maxOpenMs].
 */
export function openDuration(
  ejections: number,
  options: { openMs: number; maxOpenMs: number; jitter: number },
  random: () => number,
): number {
  const base = exponentialDelay(ejections, {
    initialMs: options.openMs,
    multiplier: 2,
    maxMs: options.maxOpenMs,
  });
  return Math.floor(base * (1 - Math.min(1, Math.max(0, options.jitter)) * random()));
}
