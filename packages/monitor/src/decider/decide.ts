import type { MonitoredServer } from '../config/registry.js';
import type { ProbeResult } from '../probes/probeResult.js';
import { createRecoverySchedule } from '../recoverySchedule.js';
import { describeExit, isPermanentExit } from '../supervisor/nodeSpawner.js';
import type { ExitInfo } from '../supervisor/spawner.js';
import type { ServerView } from './serverView.js';

/**
 * An event the decider wants emitted: its type and fields, without the envelope (timestamp,
 * ids and repo are added by the event factory; `trace_id` by the caller).
 */
export interface EventDraft {
  event_type: string;
  server_name: string;
  [field: string]: unknown;
}

/**
 * A probe finished: the `health_check_completed` to emit, or nothing when a failed check
 * falls inside the start-up grace (failures there do not count; a success still does).
 */
export function decideCheck(
  server: MonitoredServer,
  result: ProbeResult,
  inStartupGrace: boolean,
): EventDraft[] {
  if (inStartupGrace && result.status === 'down') return [];
  return [{ event_type: 'health_check_completed', server_name: server.name, ...result }];
}

/**
 * Why a process ended, for events and people: `process exited (exit code 3); stderr: FATAL:
 * GITHUB_TOKEN is not set`, the stderr tail (already bounded and masked) joined with ` | `.
 */
export function exitReason(info: ExitInfo): string {
  const stderr =
    info.stderr && info.stderr.length > 0 ? `; stderr: ${info.stderr.join(' | ')}` : '';
  return `process exited (${describeExit(info)})${stderr}`;
}

/**
 * A stdio process exited when nobody asked it to: known at once, not after the failure
 * threshold. A failed process check, and `server_down` unless it is down already. A permanent
 * cause (the command is missing or not executable: see `isPermanentExit`) is not retried: a
 * `recovery_exhausted` at once, with the reason, and the server waits for an operator, since
 * each restart would fail the same way until the config or the machine changes.
 */
export function decideExit(view: ServerView, info: ExitInfo): EventDraft[] {
  const reason = exitReason(info);
  const events: EventDraft[] = [
    {
      event_type: 'health_check_completed',
      server_name: view.server_name,
      probe: 'process',
      status: 'down',
      response_time_ms: 0,
      error: reason,
    },
  ];
  if (view.status !== 'down' && view.lifecycle !== 'disabled') {
    events.push({
      event_type: 'server_down',
      server_name: view.server_name,
      previous_status: view.status,
      reason,
    });
  }
  if (isPermanentExit(info) && !view.requires_manual && view.lifecycle !== 'disabled') {
    events.push({
      event_type: 'recovery_exhausted',
      server_name: view.server_name,
      requires_manual: true,
      attempts: view.recovery_attempts,
      permanent: true,
      reason: `${reason}; not retried, a restart would fail the same way: fix the command (or cwd) in the config, then reset the server`,
    });
  }
  return events;
}

/**
 * The status transitions the projected state calls for after a check was applied (`now` is
 * epoch ms); nothing for a disabled server.
 * - `failure_threshold` failed checks in a row → `server_down` (the only way to `down`).
 * - A `degraded` report on an `ok` (or not yet known) server → `server_degraded` at once: a
 *   warning the server itself makes, so no threshold (the threshold guards against a missed
 *   answer, not against what the server says); it never leads to recovery, which needs
 *   `down`.
 * - Back to `ok` takes `success_threshold` `ok` checks in a row from `degraded`, and
 *   `success_threshold` answered checks in a row from `down` (the status the last one
 *   reported: `server_recovered` for `ok`, `server_degraded` for `degraded`); an `unknown`
 *   server settles on its first `ok`. With `health_check.enabled: false` the only check is
 *   the process starting, reported once, so a threshold of one.
 */
export function decideTransitions(
  server: MonitoredServer,
  view: ServerView,
  now: number,
): EventDraft[] {
  if (view.lifecycle === 'disabled') return [];
  const base = { server_name: view.server_name, previous_status: view.status };
  const last = view.last_check_status;
  const threshold = server.health.enabled ? server.health.successThreshold : 1;
  if (last === 'down') {
    if (view.status === 'down' || view.consecutive_failures < server.health.failureThreshold) {
      return [];
    }
    return [
      {
        event_type: 'server_down',
        ...base,
        reason: view.error ?? 'failed health checks',
        consecutive_failures: view.consecutive_failures,
      },
    ];
  }
  const answeredBack = view.status === 'down' && view.consecutive_successes >= threshold;
  if (last === 'degraded') {
    if (view.status === 'ok' || view.status === 'unknown' || answeredBack) {
      return [{ event_type: 'server_degraded', ...base, reason: view.error ?? 'degraded' }];
    }
    return [];
  }
  if (last !== 'ok' || view.status === 'ok') return [];
  if (
    view.status === 'unknown' ||
    answeredBack ||
    (view.status === 'degraded' && view.consecutive_ok >= threshold)
  ) {
    const since = view.status_since ? Date.parse(view.status_since) : Number.NaN;
    return [
      {
        event_type: 'server_recovered',
        ...base,
        ...(view.status === 'down' &&
          Number.isFinite(since) && { downtime_seconds: Math.max(0, (now - since) / 1000) }),
      },
    ];
  }
  return [];
}

/** What recovery should do next for one server. */
export type RecoveryDecision =
  | { action: 'none' }
  | { action: 'exhausted'; event: EventDraft }
  | {
      action: 'attempt';
      attempt: number;
      delayMs: number;
      /** Set when the wait was skipped: how long the server had been up, seconds. */
      stableSeconds?: number;
    };

/**
 * Whether and when to try the next recovery: only for a `down` server whose last check failed
 * and that is neither disabled nor waiting for an operator. Attempt n waits `backoff(n)` (1, 2,
 * 4, 8, 16 s by default), except the first attempt after a stable run: `upForMs` (how long the
 * server had been up and answering when it went down, undefined when it never answered or
 * this is not the incident's first attempt) of at least `recovery.stable_after_seconds` skips
 * the wait (RFC 0020). Past `max_attempts` (or at once with strategy `manual`) it is
 * `recovery_exhausted` with `requires_manual: true`.
 */
export function decideRecovery(
  server: MonitoredServer,
  view: ServerView,
  upForMs?: number,
): RecoveryDecision {
  // The last check must have failed too: after a reset or a restart, a server whose status
  // is still `down` but that answers again only needs its good checks, not another restart.
  if (view.status !== 'down' || view.last_check_status !== 'down') return { action: 'none' };
  if (view.lifecycle === 'disabled' || view.lifecycle === 'failed' || view.requires_manual) {
    return { action: 'none' };
  }
  const attempt = view.recovery_attempts + 1;
  if (server.recovery.strategy === 'manual' || attempt > server.recovery.maxAttempts) {
    return {
      action: 'exhausted',
      event: {
        event_type: 'recovery_exhausted',
        server_name: view.server_name,
        requires_manual: true,
        attempts: view.recovery_attempts,
      },
    };
  }
  if (upForMs !== undefined && upForMs >= server.recovery.stableAfterMs)
    return { action: 'attempt', attempt, delayMs: 0, stableSeconds: upForMs / 1000 };
  const { initialMs, multiplier, maxMs } = server.recovery.backoff;
  return {
    action: 'attempt',
    attempt,
    delayMs: createRecoverySchedule({ initialMs, multiplier, maxMs })(attempt),
  };
}

/**
 * After `reset_after_seconds` of stable health following a recovery, the attempt counter
 * starts again from zero: a `recovery_attempts_reset` event.
 */
export function decideStable(server: MonitoredServer, view: ServerView, now: number): EventDraft[] {
  if (view.recovery_attempts === 0 || view.status !== 'ok' || view.lifecycle !== 'running')
    return [];
  const since = view.status_since ? Date.parse(view.status_since) : Number.NaN;
  if (!Number.isFinite(since) || now - since < server.recovery.resetAfterMs) return [];
  return [
    {
      event_type: 'recovery_attempts_reset',
      server_name: view.server_name,
      stable_seconds: (now - since) / 1000,
    },
  ];
}
