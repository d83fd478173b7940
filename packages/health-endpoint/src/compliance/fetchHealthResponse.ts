import { type Clock, systemClock } from '@selfheal/internal';
import { HealthEndpointError, HealthEndpointErrorCode } from '../errors.js';
import { HEALTH_MEDIA_TYPE } from '../httpHandler.js';
import type { HealthHttpResponse } from './auditHealthResponse.js';

/** Options of {@link fetchHealthResponse}. */
export interface FetchHealthOptions {
  /**
   * Give up after this many ms (headers and body); W3 gives an endpoint 5 s.
   * @default 5000
   */
  timeoutMs?: number;
  /**
   * The fetch to use.
   * @default globalThis.fetch
   */
  fetch?: typeof globalThis.fetch;
  /**
   * Timers for the timeout and the elapsed time.
   * @default systemClock
   */
  clock?: Partial<Clock>;
}

/** A fetched answer and how long it took. */
export interface FetchedHealthResponse extends HealthHttpResponse {
  elapsedMs: number;
}

/**
 * GETs a health URL with `Accept: application/health+json, application/json;q=0.9` and reads
 * the whole body. Rejects with {@link HealthEndpointError} `TIMED_OUT` past the timeout and
 * `UNREACHABLE` when no HTTP answer arrives (refused, reset, DNS); any HTTP status resolves.
 */
export async function fetchHealthResponse(
  url: string,
  options: FetchHealthOptions = {},
): Promise<FetchedHealthResponse> {
  const clock: Clock = { ...systemClock, ...options.clock };
  const timeoutMs = options.timeoutMs ?? 5000;
  const doFetch = options.fetch ?? globalThis.fetch;
  const controller = new AbortController();
  let timedOut = false;
  const started = clock.now();
  const timer = clock.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const response = await doFetch(url, {
      headers: { Accept: `${HEALTH_MEDIA_TYPE}, application/json;q=0.9` },
      signal: controller.signal,
      redirect: 'follow',
    });
    const bodyText = await response.text();
    return {
      httpStatus: response.status,
      contentType: response.headers.get('content-type') ?? undefined,
      bodyText,
      elapsedMs: clock.now() - started,
    };
  } catch (error) {
    if (timedOut) {
      throw new HealthEndpointError(
        HealthEndpointErrorCode.TimedOut,
        `${url}: no complete answer within ${timeoutMs} ms (W3 gives a health endpoint 5 s)`,
        { cause: error, data: { url, timeoutMs } },
      );
    }
    throw new HealthEndpointError(
      HealthEndpointErrorCode.Unreachable,
      `${url}: unreachable: ${reason(error)}`,
      { cause: error, data: { url } },
    );
  } finally {
    clock.clearTimeout(timer);
  }
}

/** undici wraps the socket error (`ECONNREFUSED`) in `cause`; say the innermost reason. */
function reason(error: unknown): string {
  let current: unknown = error;
  let text = String((error as Error)?.message ?? error);
  while (current instanceof Error && current.cause !== undefined) {
    current = current.cause;
    const code = (current as { code?: unknown }).code;
    text = `${(current as Error).message ?? String(current)}${typeof code === 'string' && !String((current as Error).message).includes(code) ? ` (${code})` : ''}`;
  }
  return text;
}
