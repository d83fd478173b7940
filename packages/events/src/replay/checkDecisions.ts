import type { SelfhealEvent } from '@selfheal/schemas';
import type { ServerHealth } from './serverHealth.js';

/** The W3 thresholds replay decides with where a log has checks but no decisions. */
export const W3_THRESHOLDS = Object.freeze({ failures: 3, successes: 3 });

/** Thresholds of {@link decideFromChecks}: failed checks in a row to `down`, answered ones back. */
export interface CheckThresholds {
  /** @default 3 */
  failures: number;
  /** @default 3 */
  successes: number;
}

/**
 * The status event a monitor would have logged after `check`, judged from `view` (the server's
 * state with that check applied), for logs that record checks but not decisions (a W3 monitor's):
 * `failures` failed checks in a row → `server_down`; a `degraded` report on an `ok` or unknown
 * server → `server_degraded`; `successes` answered checks in a row from `down` → back (the
 * status the last one reported), `successes` `ok` checks from `degraded` → `server_recovered`;
 * an unknown server settles on its first `ok`. The same rules as the monitor's
 * `decideTransitions`. Undefined when nothing changes. The event carries `derived: true`.
 */
export function decideFromChecks(
  view: ServerHealth,
  check: SelfhealEvent,
  thresholds: CheckThresholds = W3_THRESHOLDS,
): SelfhealEvent | undefined {
  const change = statusChange(view, thresholds);
  if (change === undefined) return undefined;
  // The event only when there is one: most checks change nothing, and a replay of a log without
  // decisions asks after every check.
  return {
    timestamp: check.timestamp,
    trace_id: check.trace_id,
    ...(check.repo === undefined ? {} : { repo: check.repo }),
    server_name: view.server_name,
    previous_status: view.status,
    derived: true,
    ...change,
  } as SelfhealEvent;
}

/** The type and own fields of the event {@link decideFromChecks} decides, or undefined. */
function statusChange(
  view: ServerHealth,
  thresholds: CheckThresholds,
): { event_type: string; [field: string]: unknown } | undefined {
  const last = view.last_check_status;
  if (last === 'down') {
    if (view.status === 'down' || view.consecutive_failures < thresholds.failures) return;
    return {
      event_type: 'server_down',
      reason: view.error ?? 'failed health checks',
      consecutive_failures: view.consecutive_failures,
    };
  }
  const answeredBack = view.status === 'down' && view.consecutive_successes >= thresholds.successes;
  if (last === 'degraded') {
    if (view.status === 'ok' || view.status === 'unknown' || answeredBack)
      return { event_type: 'server_degraded', reason: view.error ?? 'degraded' };
    return;
  }
  if (last !== 'ok' || view.status === 'ok') return;
  if (
    view.status === 'unknown' ||
    answeredBack ||
    (view.status === 'degraded' && view.consecutive_ok >= thresholds.successes)
  )
    return { event_type: 'server_recovered' };
}
