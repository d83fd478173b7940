import type { Clock } from '@selfheal/internal';
import type { HealthStatus } from '@selfheal/schemas';
import { describeFailure, toPublicReason } from './redact.js';
import { isHealthStatus } from './status.js';

/** What a component check may return: a bare status, or a status with a public reason. */
export interface ComponentResult {
  status: HealthStatus;
  /** Why it is not ok, for the `error` field. Redacted and cut to one line before use. */
  error?: string;
}

/** Passed to every check run. */
export interface ComponentCheckContext {
  /** Aborted when the run times out, so the check can cancel its own I/O. */
  signal: AbortSignal;
}

/** A named component check: resolve (or return) a status; throwing or rejecting means `down`. */
export type ComponentCheckFn = (
  context: ComponentCheckContext,
) => HealthStatus | ComponentResult | Promise<HealthStatus | ComponentResult>;

/** A component check with its own timeout and cache interval. */
export interface ComponentCheckOptions {
  check: ComponentCheckFn;
  /**
   * How long one run may take before the component counts as `down` (timed out), in ms.
   * Must not exceed the endpoint's `budgetMs`.
   * @default the endpoint's `defaultTimeoutMs` (2000)
   */
  timeoutMs?: number;
  /**
   * Reuse the last result (any status, including a timeout) for this many ms. 0 runs the check
   * on every request.
   * @default 0
   */
  cacheMs?: number;
}

/** A check as given in options: a bare function or a function with its settings. */
export type ComponentCheck = ComponentCheckFn | ComponentCheckOptions;

/** The outcome of one component for one `/health` answer. */
export interface ComponentOutcome {
  status: HealthStatus;
  /** The public reason, present when `status` is not ok and a reason is known. */
  error?: string;
  /** When this outcome was produced (epoch ms); older than the request when cached. */
  at: number;
}

/** Runs one component check with a timeout, a cache and at most one invocation in flight. */
export interface ComponentRunner {
  readonly name: string;
  run(): Promise<ComponentOutcome>;
}

/**
 * Creates the runner for one named check. A run that outlives its timeout reports `down`
 * ("timed out after N ms") and its signal is aborted; while that invocation is still pending
 * no second one starts (a hung dependency is not hammered), and later requests wait for it
 * again, each bounded by the timeout.
 */
export function createComponentRunner(
  name: string,
  check: ComponentCheckFn,
  settings: { timeoutMs: number; cacheMs: number },
  clock: Clock,
): ComponentRunner {
  let cached: ComponentOutcome | undefined;
  let inflight: { promise: Promise<ComponentOutcome>; controller: AbortController } | undefined;

  const remember = (outcome: ComponentOutcome) => {
    if (!cached || outcome.at >= cached.at) cached = outcome;
    return outcome;
  };

  const invoke = () => {
    const controller = new AbortController();
    const promise = (async (): Promise<ComponentOutcome> => {
      try {
        return remember(toOutcome(await check({ signal: controller.signal }), clock.now()));
      } catch (error) {
        return remember({ status: 'down', error: describeFailure(error), at: clock.now() });
      }
    })();
    const entry = { promise, controller };
    // Cleared in a callback, never synchronously: a check that throws synchronously settles
    // before `inflight` is assigned, and must not leave a settled entry behind.
    void promise.then(() => {
      if (inflight === entry) inflight = undefined;
    });
    return entry;
  };

  return {
    name,
    run() {
      const now = clock.now();
      if (cached && settings.cacheMs > 0 && now - cached.at < settings.cacheMs) {
        return Promise.resolve(cached);
      }
      inflight ??= invoke();
      const current = inflight;
      return new Promise<ComponentOutcome>((resolve) => {
        const timer = clock.setTimeout(() => {
          current.controller.abort();
          resolve(
            remember({
              status: 'down',
              error: `timed out after ${settings.timeoutMs} ms`,
              at: clock.now(),
            }),
          );
        }, settings.timeoutMs);
        void current.promise.then((outcome) => {
          clock.clearTimeout(timer);
          resolve(outcome);
        });
      });
    },
  };
}

function toOutcome(value: unknown, at: number): ComponentOutcome {
  if (isHealthStatus(value)) return { status: value, at };
  if (
    value !== null &&
    typeof value === 'object' &&
    isHealthStatus((value as ComponentResult).status)
  ) {
    const { status, error } = value as ComponentResult;
    const reason = typeof error === 'string' ? toPublicReason(error) : '';
    return reason && status !== 'ok' ? { status, error: reason, at } : { status, at };
  }
  return {
    status: 'down',
    error: 'check returned neither "ok", "degraded", "down" nor { status }',
    at,
  };
}
