import { isHealthCheckResponse, validate } from '@selfheal/schemas';
import { type Clock, systemClock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { ProbeResult } from './probeResult.js';

/** Options of {@link createHttpProbe}. */
export interface HttpProbeOptions {
  /** The W3 `/health` URL. */
  url: string;
  /** Deadline of one check, ms. @default 5000 */
  timeoutMs?: number;
  /** A `/health` timestamp older than this is a failed check, ms. @default 60000 */
  staleAfterMs?: number;
  /** Extra request headers (e.g. the server's `headers`). @default {} */
  headers?: Record<string, string>;
  /** @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** @default systemClock */
  clock?: Clock;
}

/**
 * Probes a W3 `/health` endpoint. Per the W3 contract a timeout, a refused connection, a 5xx
 * (or any non-2xx other than a 503 carrying a valid `down` body), a body that fails
 * `health-check.schema.json`, a `down` status or a timestamp older than `staleAfterMs` is a
 * failed check (`down`); `degraded` is a warning. Never rejects.
 */
export function createHttpProbe(
  options: HttpProbeOptions,
): (signal?: AbortSignal) => Promise<ProbeResult> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 5000;
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const doFetch = options.fetch ?? globalThis.fetch;

  return async (signal) => {
    const started = clock.now();
    const controller = new AbortController();
    const timer = clock.setTimeout(
      () => controller.abort(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const result = (fields: Omit<ProbeResult, 'probe' | 'response_time_ms'>): ProbeResult => ({
      probe: 'http',
      response_time_ms: Math.max(0, clock.now() - started),
      ...fields,
    });
    try {
      const response = await doFetch(options.url, {
        headers: { accept: 'application/health+json, application/json', ...options.headers },
        signal: controller.signal,
      });
      const text = await response.text();
      return judge(response.status, text, clock.now(), staleAfterMs, result);
    } catch (error) {
      const reason = controller.signal.aborted
        ? errorMessage(controller.signal.reason)
        : describeFetchError(error);
      return result({ status: 'down', error: `GET ${options.url}: ${reason}` });
    } finally {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };
}

function judge(
  httpStatus: number,
  text: string,
  now: number,
  staleAfterMs: number,
  result: (fields: Omit<ProbeResult, 'probe' | 'response_time_ms'>) => ProbeResult,
): ProbeResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return result({ status: 'down', error: `HTTP ${httpStatus}: the body is not JSON` });
  }
  const okHttp = httpStatus >= 200 && httpStatus < 300;
  if (!isHealthCheckResponse(body)) {
    const issues = validate('health-check', body).issues.map((i) => i.message);
    const prefix = okHttp ? '' : `HTTP ${httpStatus}; `;
    return result({ status: 'down', error: `${prefix}invalid /health body: ${issues.join('; ')}` });
  }
  const checks = body.checks as ProbeResult['checks'];
  const withChecks = checks ? { checks } : {};
  if (!okHttp && !(httpStatus === 503 && body.status === 'down')) {
    return result({ status: 'down', error: `HTTP ${httpStatus}`, ...withChecks });
  }
  const age = now - Date.parse(body.timestamp);
  if (age > staleAfterMs) {
    return result({
      status: 'down',
      error: `stale /health: timestamp ${body.timestamp} is ${Math.round(age / 1000)} s old (limit ${staleAfterMs / 1000} s)`,
      ...withChecks,
    });
  }
  if (body.status === 'ok') return result({ status: 'ok', ...withChecks });
  return result({
    status: body.status,
    error: body.error ?? `the server reports ${body.status}`,
    ...withChecks,
  });
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return errorMessage(error);
}
