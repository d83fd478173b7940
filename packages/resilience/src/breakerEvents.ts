import type { BreakerSettings } from './breakerSettings.js';
import type { ResilienceEventBody } from './events.js';
import type { Opening } from './openSchedule.js';
import type { WindowCounts } from './outcomeWindow.js';

// The bodies of a breaker's events, apart from the transitions that emit them: one place says
// which fields each of the six carries, in the order the log has always had them.

/** Why a breaker opened, as `circuit_opened` and `circuit_threshold_exceeded` say. */
export type TripReason = 'consecutive_failures' | 'failure_rate' | 'slow_call_rate';

/** The fields every event of this breaker starts with. */
export function circuitFields(settings: BreakerSettings) {
  return settings.tool === undefined
    ? { server_name: settings.serverName, circuit: settings.circuit }
    : { server_name: settings.serverName, circuit: settings.circuit, tool: settings.tool };
}

/** The window's figures as events carry them: no rates of an empty window. */
export function windowRates(counts: WindowCounts) {
  return counts.calls === 0
    ? { calls: 0 }
    : {
        calls: counts.calls,
        failure_rate: counts.failures / counts.calls,
        slow_call_rate: counts.slow / counts.calls,
      };
}

/** `circuit_opened`: the counts are those that tripped it (none for a failed probe). */
export function openedEvent(
  settings: BreakerSettings,
  reason: TripReason | 'probe_failed',
  opening: Opening,
  consecutiveFailures: number,
  counts: WindowCounts | undefined,
): ResilienceEventBody {
  return {
    event_type: 'circuit_opened',
    ...circuitFields(settings),
    reason,
    ejections: opening.ejections,
    open_ms: opening.openMs,
    open_until: new Date(opening.openUntil).toISOString(),
    consecutive_failures: consecutiveFailures,
    ...(counts ? windowRates(counts) : {}),
  };
}

/** `circuit_half_opened`, admitting the breaker's probes. */
export function halfOpenedEvent(settings: BreakerSettings): ResilienceEventBody {
  return {
    event_type: 'circuit_half_opened',
    ...circuitFields(settings),
    probes: settings.probeLimit,
  };
}

/** `circuit_closed`, keeping the ejections it remembers (they decay while closed). */
export function closedEvent(
  settings: BreakerSettings,
  reason: 'probes_succeeded' | 'operator' | 'server_recovered',
  ejections: number,
): ResilienceEventBody {
  return { event_type: 'circuit_closed', ...circuitFields(settings), reason, ejections };
}

/** `circuit_threshold_exceeded`: a metrics-only breaker's report where it would have opened. */
export function thresholdExceededEvent(
  settings: BreakerSettings,
  reason: TripReason,
  consecutiveFailures: number,
  counts: WindowCounts,
): ResilienceEventBody {
  return {
    event_type: 'circuit_threshold_exceeded',
    ...circuitFields(settings),
    reason,
    consecutive_failures: consecutiveFailures,
    ...windowRates(counts),
  };
}

/** `circuit_isolated`: an operator's lock-out, until released. */
export function isolatedEvent(settings: BreakerSettings, reason: string): ResilienceEventBody {
  return { event_type: 'circuit_isolated', ...circuitFields(settings), reason };
}

/** `circuit_metrics_only`: a dry run from now on, with the operator's reason if given. */
export function metricsOnlyEvent(settings: BreakerSettings, reason?: string): ResilienceEventBody {
  return {
    event_type: 'circuit_metrics_only',
    ...circuitFields(settings),
    ...(reason ? { reason } : {}),
  };
}
