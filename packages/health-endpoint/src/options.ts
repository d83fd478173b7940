import type { Clock } from '@selfheal/internal';
import type { ComponentCheck } from './componentCheck.js';

/** Options of {@link createHealthEndpoint}. Every field is optional. */
export interface HealthEndpointOptions {
  /**
   * The server's version, sent as `version`.
   * @default omitted from the body
   */
  version?: string;
  /**
   * Component checks by name (`^[a-z_]+$`, as the schema requires). They run concurrently
   * on each request; the overall status follows the W3 rule.
   * @default {} (always `ok`)
   */
  checks?: Record<string, ComponentCheck>;
  /**
   * Static extra information, sent as `metadata`. Never put secrets here: it is public.
   * @default omitted from the body
   */
  metadata?: Record<string, unknown>;
  /**
   * The path answered for any `Accept`. `GET /` with `Accept: application/health+json`
   * is answered as well.
   * @default '/health'
   */
  path?: string;
  /**
   * Timeout of a check that does not set its own, in ms.
   * @default 2000
   */
  defaultTimeoutMs?: number;
  /**
   * Upper bound for every check timeout, in ms; the W3 contract gives a whole answer 5 s,
   * so this must stay at or below 5000.
   * @default 4500
   */
  budgetMs?: number;
  /**
   * Process start, in epoch ms: the origin of `uptime_seconds`.
   * @default the start of this Node.js process (`performance.timeOrigin`)
   */
  startedAt?: number;
  /**
   * The time seam: `now`, `setTimeout`, `clearTimeout`. Any part not given is the real one.
   * @default systemClock
   */
  clock?: Partial<Clock>;
}

/** Defaults of {@link HealthEndpointOptions}. */
export const HEALTH_DEFAULTS = {
  path: '/health',
  defaultTimeoutMs: 2000,
  budgetMs: 4500,
  maxBudgetMs: 5000,
} as const;
