import { type Clock, systemClock } from '@selfheal/internal';
import { HealthEndpointError, HealthEndpointErrorCode } from '../errors.js';
import { auditHealthResponse, type HealthAudit } from './auditHealthResponse.js';
import { fetchHealthResponse } from './fetchHealthResponse.js';

/** Options of {@link checkHealthEndpoint}. */
export interface CheckHealthOptions {
  /** @default 5000 */
  timeoutMs?: number;
  /** @default false */
  requireOk?: boolean;
  /** @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** @default systemClock */
  clock?: Partial<Clock>;
}

/** What `selfheal check --json` prints: an audit of a reachable endpoint, or why it was not. */
export type ComplianceReport =
  | ({
      url: string;
      reachable: true;
      httpStatus: number;
      contentType: string | null;
      elapsedMs: number;
    } & HealthAudit)
  | {
      url: string;
      reachable: false;
      conforms: false;
      /** `UNREACHABLE` or `TIMED_OUT`. */
      code: HealthEndpointErrorCode;
      error: string;
    };

/**
 * Fetches `url` and audits the answer ({@link auditHealthResponse}). Never rejects for a
 * network failure: an endpoint that cannot be reached is a report with `reachable: false`.
 */
export async function checkHealthEndpoint(
  url: string,
  options: CheckHealthOptions = {},
): Promise<ComplianceReport> {
  const clock: Clock = { ...systemClock, ...options.clock };
  try {
    const response = await fetchHealthResponse(url, {
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
      clock,
    });
    const audit = auditHealthResponse(response, {
      now: clock.now(),
      requireOk: options.requireOk,
    });
    return {
      url,
      reachable: true,
      httpStatus: response.httpStatus,
      contentType: response.contentType ?? null,
      elapsedMs: response.elapsedMs,
      ...audit,
    };
  } catch (error) {
    if (error instanceof HealthEndpointError) {
      return { url, reachable: false, conforms: false, code: error.code, error: error.message };
    }
    return {
      url,
      reachable: false,
      conforms: false,
      code: HealthEndpointErrorCode.Unreachable,
      error: `${url}: ${String(error)}`,
    };
  }
}
