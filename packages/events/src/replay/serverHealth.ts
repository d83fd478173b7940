import type { SelfhealEvent } from '@selfheal/schemas';

/** A server's settled health, changed only by explicit transition events. */
export type ServerStatus = 'ok' | 'degraded' | 'down' | 'unknown';

/**
 * Where a server is in its life. `starting`: registered or enabled, not yet running; `running`;
 * `recovering`: the supervisor is acting on it; `failed`: recovery exhausted, waits for an
 * operator (`requires_manual`); `disabled`: taken out of service by an operator.
 */
export type ServerLifecycle = 'starting' | 'running' | 'recovering' | 'failed' | 'disabled';

/**
 * Per-server state: the fold of that server's events. Plain data; optional fields are
 * `undefined` until known (JSON.stringify leaves them out).
 */
export interface ServerHealth {
  server_name: string;
  status: ServerStatus;
  lifecycle: ServerLifecycle;
  /** Completed checks in a row that saw `down`. */
  consecutive_failures: number;
  /** Completed checks in a row that saw `ok` or `degraded` (the server answered). */
  consecutive_successes: number;
  /** Completed checks in a row that saw `ok` (a `degraded` one ends the run). */
  consecutive_ok: number;
  /** Timestamp of the last completed check. */
  last_check: string | undefined;
  /** What the last completed check saw. */
  last_check_status: 'ok' | 'degraded' | 'down' | undefined;
  /** Response time of the last completed check, in milliseconds. */
  response_time_ms: number | undefined;
  /** The last error reported by a check, `server_down` or a recovery; cleared by a good check. */
  error: string | undefined;
  /**
   * Recovery attempts since the counter last reset (after a stable period,
   * `recovery_attempts_reset`, or an operator's `server_reset`); success does not reset it.
   */
  recovery_attempts: number;
  /** Recovery gave up: an operator must act (`server_reset`). */
  requires_manual: boolean;
  /** Transport from `server_registered`. */
  transport: string | undefined;
  /** Timestamp of the last change of `status`. */
  status_since: string | undefined;
  /** Timestamp of the last event applied. */
  updated_at: string;
}

/**
 * The state of a server before its first event. A server first seen through a check or a
 * status event (a log without `server_registered`) is taken to be `running`.
 */
export function initialServerHealth(server_name: string, timestamp: string): ServerHealth {
  return {
    server_name,
    status: 'unknown',
    lifecycle: 'running',
    consecutive_failures: 0,
    consecutive_successes: 0,
    consecutive_ok: 0,
    last_check: undefined,
    last_check_status: undefined,
    response_time_ms: undefined,
    error: undefined,
    recovery_attempts: 0,
    requires_manual: false,
    transport: undefined,
    status_since: undefined,
    updated_at: timestamp,
  };
}

// One object shape for every state (no spread, no delete) keeps the fold monomorphic: a
// replay applies it a million times.
function copy(s: ServerHealth, at: string): ServerHealth {
  return {
    server_name: s.server_name,
    status: s.status,
    lifecycle: s.lifecycle,
    consecutive_failures: s.consecutive_failures,
    consecutive_successes: s.consecutive_successes,
    consecutive_ok: s.consecutive_ok,
    last_check: s.last_check,
    last_check_status: s.last_check_status,
    response_time_ms: s.response_time_ms,
    error: s.error,
    recovery_attempts: s.recovery_attempts,
    requires_manual: s.requires_manual,
    transport: s.transport,
    status_since: s.status_since,
    updated_at: at,
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const countOf = (v: unknown): number | undefined =>
  Number.isInteger(v) && (v as number) >= 0 ? (v as number) : undefined;

/**
 * Applies one event to one server's state. Pure: never mutates `server`; returns `server`
 * itself when the event is of a type the projection does not apply. It records facts and takes
 * no decisions: `status` changes only on `server_degraded`, `server_down` and
 * `server_recovered`; `health_check_completed` moves the counters, last check, response time
 * and error. Fields of the wrong type are ignored (replay's fast path checks only envelopes).
 */
export function projectServer(server: ServerHealth, event: SelfhealEvent): ServerHealth {
  const e = event as Record<string, unknown>;
  const at = event.timestamp;
  const keepDisabled = (lifecycle: ServerLifecycle): ServerLifecycle =>
    server.lifecycle === 'disabled' ? 'disabled' : lifecycle;
  switch (event.event_type) {
    case 'health_check_completed': {
      const status = e.status;
      if (status !== 'ok' && status !== 'degraded' && status !== 'down') return server;
      const failed = status === 'down';
      const next = copy(server, at);
      next.last_check = at;
      next.last_check_status = status;
      next.consecutive_failures = failed ? server.consecutive_failures + 1 : 0;
      next.consecutive_successes = failed ? 0 : server.consecutive_successes + 1;
      next.consecutive_ok = status === 'ok' ? server.consecutive_ok + 1 : 0;
      const time = e.response_time_ms;
      if (typeof time === 'number' && time >= 0) next.response_time_ms = time;
      const error = str(e.error);
      if (error !== undefined && error !== '') next.error = error;
      else if (!failed) next.error = undefined;
      return next;
    }
    case 'server_degraded':
      return withStatus(server, 'degraded', at);
    case 'server_down': {
      const next = withStatus(server, 'down', at);
      const reason = str(e.reason);
      if (reason) next.error = reason;
      return next;
    }
    case 'server_recovered': {
      const next = withStatus(server, 'ok', at);
      if (next.lifecycle === 'starting' || next.lifecycle === 'recovering') {
        next.lifecycle = 'running';
      }
      return next;
    }
    case 'recovery_started': {
      const next = copy(server, at);
      next.lifecycle = keepDisabled('recovering');
      const attempt = countOf(e.attempt) ?? server.recovery_attempts + 1;
      next.recovery_attempts = Math.max(server.recovery_attempts, attempt);
      return next;
    }
    // A successful attempt ends the episode but keeps the count, so a server that comes back
    // and crashes again continues the backoff schedule. The count resets after a stable period
    // (`recovery_attempts_reset`, decided by the monitor) or by an operator (`server_reset`).
    case 'recovery_successful': {
      const next = copy(server, at);
      next.lifecycle = keepDisabled('running');
      return next;
    }
    case 'recovery_attempts_reset': {
      const next = copy(server, at);
      next.recovery_attempts = 0;
      return next;
    }
    case 'recovery_failed': {
      const next = copy(server, at);
      const attempt = countOf(e.attempt);
      if (attempt !== undefined) {
        next.recovery_attempts = Math.max(server.recovery_attempts, attempt);
      }
      const error = str(e.error);
      if (error !== undefined) next.error = error;
      return next;
    }
    case 'recovery_exhausted': {
      const next = copy(server, at);
      next.lifecycle = keepDisabled('failed');
      next.requires_manual = true;
      return next;
    }
    case 'server_registered': {
      const next = copy(server, at);
      next.lifecycle = keepDisabled('starting');
      const transport = str(e.transport);
      if (transport !== undefined) next.transport = transport;
      return next;
    }
    case 'server_started': {
      const next = copy(server, at);
      if (server.lifecycle !== 'disabled' && server.lifecycle !== 'failed') {
        next.lifecycle = 'running';
      }
      return next;
    }
    case 'server_disabled': {
      const next = copy(server, at);
      next.lifecycle = 'disabled';
      return next;
    }
    case 'server_enabled': {
      const next = copy(server, at);
      if (server.lifecycle === 'disabled') {
        next.lifecycle = server.requires_manual ? 'failed' : 'starting';
      }
      return next;
    }
    case 'server_reset': {
      const next = copy(server, at);
      if (server.lifecycle === 'failed') next.lifecycle = 'starting';
      next.requires_manual = false;
      next.recovery_attempts = 0;
      next.consecutive_failures = 0;
      next.consecutive_successes = 0;
      next.consecutive_ok = 0;
      return next;
    }
    default:
      return server;
  }
}

function withStatus(server: ServerHealth, status: ServerStatus, at: string): ServerHealth {
  const next = copy(server, at);
  if (server.status !== status) {
    next.status = status;
    next.status_since = at;
  }
  return next;
}
