import { type BreakerCore, trip } from './breakerCore.js';
import { type TripReason, thresholdExceededEvent } from './breakerEvents.js';
import type { BreakerSettings } from './breakerSettings.js';
import type { WindowCounts } from './outcomeWindow.js';

// The closed (and metrics-only) mode's counting, apart from the half-open probes: failures in a
// row and the window's rates, judged against the thresholds after every counted call.

/**
 * Which threshold `consecutive` failures in a row and the window's `counts` reach, first match
 * wins; rates are judged only over at least `minimumCalls`.
 */
export function tripReason(
  settings: BreakerSettings,
  consecutive: number,
  counts: WindowCounts,
): TripReason | undefined {
  if (consecutive >= settings.consecutiveLimit) return 'consecutive_failures';
  if (counts.calls < settings.minimumCalls) return undefined;
  if (counts.failures / counts.calls >= settings.failureRateThreshold) return 'failure_rate';
  if (counts.slow / counts.calls >= settings.slowCallRateThreshold) return 'slow_call_rate';
  return undefined;
}

/**
 * Counts one settled call of a closed or metrics-only breaker. A threshold reached opens a
 * closed breaker; a metrics-only one reports it and starts over, so a dry run reports each
 * crossing once, as a real breaker would open once.
 */
export function countOutcome(
  core: BreakerCore,
  failure: boolean,
  slow: boolean,
  traceId: string | undefined,
): void {
  const now = core.runtime.clock.now();
  core.consecutive = failure ? core.consecutive + 1 : 0;
  core.window.record(now, failure, slow);
  const counts = core.window.counts(now);
  const reason = tripReason(core.settings, core.consecutive, counts);
  if (reason === undefined) return;
  if (core.state.mode === 'metrics_only') {
    core.runtime.emitter.emit(
      thresholdExceededEvent(core.settings, reason, core.consecutive, counts),
      traceId,
    );
    core.consecutive = 0;
    core.window.clear();
    return;
  }
  trip(core, reason, counts, traceId);
}
