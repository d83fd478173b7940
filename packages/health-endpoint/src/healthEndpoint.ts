import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type Clock, systemClock } from '@selfheal/internal';
import type { HealthCheckResponse, HealthStatus } from '@selfheal/schemas';
import { processStartMs } from './clock.js';
import {
  type ComponentCheck,
  type ComponentOutcome,
  type ComponentRunner,
  createComponentRunner,
} from './componentCheck.js';
import { HealthEndpointError, HealthEndpointErrorCode } from './errors.js';
import { answerHealth, isHealthRequest, notFound } from './httpHandler.js';
import { HEALTH_DEFAULTS, type HealthEndpointOptions } from './options.js';
import { httpStatusFor, overallStatus } from './status.js';

/** Connect/Express-style middleware: answers health requests, passes the rest to `next`. */
export type HealthMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** One evaluated answer: the body and the HTTP status it goes out with. */
export interface HealthReport {
  body: HealthCheckResponse;
  httpStatus: 200 | 503;
}

/** The health endpoint of one server; mount it with one of its request handlers. */
export interface HealthEndpoint {
  /** The path answered for any `Accept` (default `/health`). */
  readonly path: string;
  /** Runs every component check (concurrently, each bounded by its timeout) and builds the body. */
  evaluate(): Promise<HealthReport>;
  /**
   * Answers `req` if it is a health request (`GET|HEAD <path>`, or `GET|HEAD /` accepting
   * `application/health+json`) and returns true; returns false and leaves `res` alone otherwise.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Connect/Express middleware: `app.use(health.middleware)`. */
  readonly middleware: HealthMiddleware;
  /**
   * A `node:http` request listener: health requests are answered, anything else goes to
   * `fallback` (for example the MCP transport) or, without one, gets a JSON 404.
   */
  listener(fallback?: RequestListener): RequestListener;
}

const COMPONENT_NAME = /^[a-z_]+$/;

/**
 * Creates a W3 health endpoint. Throws {@link HealthEndpointError} `INVALID_OPTION` for a
 * component name outside `^[a-z_]+$`, a timeout above `budgetMs`, or a budget above 5 s.
 */
export function createHealthEndpoint(options: HealthEndpointOptions = {}): HealthEndpoint {
  const clock: Clock = { ...systemClock, ...options.clock };
  const path = options.path ?? HEALTH_DEFAULTS.path;
  const budgetMs = options.budgetMs ?? HEALTH_DEFAULTS.budgetMs;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? HEALTH_DEFAULTS.defaultTimeoutMs;
  const startedAt = options.startedAt ?? processStartMs();
  if (!path.startsWith('/')) invalid('path', path, 'a path starting with "/"');
  positive('budgetMs', budgetMs, HEALTH_DEFAULTS.maxBudgetMs, 'the 5000 ms W3 answer budget');
  positive('defaultTimeoutMs', defaultTimeoutMs, budgetMs, `budgetMs (${budgetMs})`);
  const runners = Object.entries(options.checks ?? {}).map(([name, check]) =>
    runnerFor(name, check, defaultTimeoutMs, budgetMs, clock),
  );

  const evaluate = async (): Promise<HealthReport> => {
    const outcomes = await Promise.all(runners.map((r) => r.run()));
    const now = clock.now();
    const body = buildBody(
      runners.map((r, i) => [r.name, outcomes[i]!] as const),
      now,
      startedAt,
      options,
    );
    return { body, httpStatus: httpStatusFor(body.status) };
  };

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!isHealthRequest(req, path)) return false;
    answerHealth(req, res, evaluate, clock);
    return true;
  };

  return {
    path,
    evaluate,
    handle,
    middleware: (req, res, next) => {
      if (!handle(req, res)) next();
    },
    listener: (fallback) => (req, res) => {
      if (handle(req, res)) return;
      if (fallback) fallback(req, res);
      else notFound(res, path);
    },
  };
}

function buildBody(
  outcomes: readonly (readonly [string, ComponentOutcome])[],
  now: number,
  startedAt: number,
  options: HealthEndpointOptions,
): HealthCheckResponse {
  const status = overallStatus(outcomes.map(([, o]) => o.status));
  const body: HealthCheckResponse = {
    status,
    timestamp: new Date(now).toISOString(),
    uptime_seconds: Math.max(0, Math.floor((now - startedAt) / 1000)),
  };
  if (options.version !== undefined) body.version = options.version;
  if (outcomes.length > 0) {
    body.checks = Object.fromEntries(outcomes.map(([name, o]) => [name, o.status])) as Record<
      string,
      HealthStatus
    >;
  }
  if (status !== 'ok') {
    body.error = outcomes
      .filter(([, o]) => o.status !== 'ok')
      .map(([name, o]) => `${name}: ${o.status}${o.error ? ` (${o.error})` : ''}`)
      .join('; ');
  }
  if (options.metadata !== undefined) body.metadata = options.metadata;
  return body;
}

function runnerFor(
  name: string,
  check: ComponentCheck,
  defaultTimeoutMs: number,
  budgetMs: number,
  clock: Clock,
): ComponentRunner {
  if (!COMPONENT_NAME.test(name)) {
    invalid(`checks.${name}`, name, 'a component name matching ^[a-z_]+$ (lower case, "_")');
  }
  const spec = typeof check === 'function' ? { check } : check;
  if (typeof spec?.check !== 'function') {
    invalid(`checks.${name}`, spec, 'a function or { check: function, timeoutMs?, cacheMs? }');
  }
  const timeoutMs = spec.timeoutMs ?? defaultTimeoutMs;
  const cacheMs = spec.cacheMs ?? 0;
  positive(`checks.${name}.timeoutMs`, timeoutMs, budgetMs, `budgetMs (${budgetMs})`);
  if (!Number.isFinite(cacheMs) || cacheMs < 0) {
    invalid(`checks.${name}.cacheMs`, cacheMs, 'a number of milliseconds >= 0');
  }
  return createComponentRunner(name, spec.check, { timeoutMs, cacheMs }, clock);
}

function positive(where: string, value: number, max: number, maxName: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    invalid(where, value, `a number of milliseconds > 0 and <= ${maxName}`);
  }
}

function invalid(where: string, found: unknown, expected: string): never {
  throw new HealthEndpointError(
    HealthEndpointErrorCode.InvalidOption,
    `createHealthEndpoint: options.${where}: expected ${expected}, found ${JSON.stringify(found) ?? String(found)}`,
    { data: { option: where, found } },
  );
}
