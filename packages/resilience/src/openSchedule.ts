import { type CircuitState, ejectionsAt, openDuration } from './circuitState.js';

// When an opening breaker half-opens again, apart from the state machine: the pure arithmetic
// (ejection decay, doubling, jitter, the timer cap) is what the property tests pin down.

/** The figures of the next opening, as `circuit_opened` carries them. */
export interface Opening {
  /** Consecutive ejections, this one included (after the decay while closed). */
  ejections: number;
  /** How long it stays open, jitter applied. */
  openMs: number;
  /** Clock time (ms) it half-opens. */
  openUntil: number;
}

/**
 * The opening of a breaker in `state` that trips at `now`: one more ejection than it still
 * remembers ({@link ejectionsAt}), open for {@link openDuration} of that.
 */
export function nextOpening(
  state: CircuitState,
  now: number,
  schedule: { openMs: number; maxOpenMs: number; jitter: number; decayMs: number },
  random: () => number,
): Opening {
  const ejections = ejectionsAt(state, now, schedule.decayMs) + 1;
  const openMs = openDuration(ejections, schedule, random);
  return { ejections, openMs, openUntil: now + openMs };
}

/** The longest timer Node arms: 2^31-1 ms (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How long to arm the half-open timer for an open circuit at `now`, or undefined when nothing
 * is due (not open, or no open-until). A longer wait than a timer holds is capped; the timer
 * re-arms when it fires early.
 */
export function halfOpenDelay(state: CircuitState, now: number): number | undefined {
  if (state.mode !== 'open' || state.openUntil === undefined) return undefined;
  return Math.min(MAX_TIMER_MS, Math.max(0, state.openUntil - now));
}
