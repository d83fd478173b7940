import { parseTimestamp } from '@selfheal/events';
import { type HealthCheckResponse, isHealthCheckResponse, validate } from '@selfheal/schemas';
import type { ProbeResult } from './probeResult.js';

/** The verdict on one `/health` answer: a probe result without `probe` and `response_time_ms`. */
export type HealthVerdict = Omit<ProbeResult, 'probe' | 'response_time_ms'>;

const STATUSES = new Set(['ok', 'degraded', 'down']);

/**
 * The fast path for the body nearly every healthy server sends: an object with exactly
 * `status`, `timestamp` and `uptime_seconds`. Returns true only for bodies the schema accepts
 * (same status enum, `parseTimestamp` accepts exactly the schema's `date-time`s, a
 * non-negative integer uptime); anything else, and every body with more fields, returns false
 * and goes to the ajv validator. A property test holds the two in agreement.
 */
export function isPlainHealthBody(body: unknown): body is HealthCheckResponse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  let keys = 0;
  for (const _ in b) keys++;
  if (keys !== 3) return false;
  const { status, timestamp, uptime_seconds: uptime } = b;
  return (
    typeof status === 'string' &&
    STATUSES.has(status) &&
    typeof timestamp === 'string' &&
    !Number.isNaN(parseTimestamp(timestamp)) &&
    typeof uptime === 'number' &&
    Number.isInteger(uptime) &&
    uptime >= 0
  );
}

/**
 * Judges one `/health` answer per the W3 contract. A failed check (`down`): a body that is not
 * JSON or fails `health-check.schema.json` (the error names each JSON pointer), a non-2xx
 * status other than a 503 carrying a valid `down` body, a `down` status, a timestamp older
 * than `staleAfterMs` (ms) at `now` (epoch ms). `degraded` is a warning; `ok` is ok. Pure.
 */
export function judgeHealth(
  httpStatus: number,
  text: string,
  now: number,
  staleAfterMs: number,
): HealthVerdict {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { status: 'down', error: `HTTP ${httpStatus}: the body is not JSON` };
  }
  const okHttp = httpStatus >= 200 && httpStatus < 300;
  if (!isPlainHealthBody(body) && !isHealthCheckResponse(body)) {
    const issues = validate('health-check', body).issues.map((i) => i.message);
    const prefix = okHttp ? '' : `HTTP ${httpStatus}; `;
    return { status: 'down', error: `${prefix}invalid /health body: ${issues.join('; ')}` };
  }
  const checks = body.checks as ProbeResult['checks'];
  const withChecks = checks ? { checks } : {};
  if (!okHttp && !(httpStatus === 503 && body.status === 'down')) {
    return { status: 'down', error: `HTTP ${httpStatus}`, ...withChecks };
  }
  const age = now - parseTimestamp(body.timestamp);
  if (age > staleAfterMs) {
    return {
      status: 'down',
      error: `stale /health: timestamp ${body.timestamp} is ${Math.round(age / 1000)} s old (limit ${staleAfterMs / 1000} s)`,
      ...withChecks,
    };
  }
  if (body.status === 'ok') return { status: 'ok', ...withChecks };
  return {
    status: body.status,
    error: body.error ?? `the server reports ${body.status}`,
    ...withChecks,
  };
}
