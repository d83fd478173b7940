import { admit, rejection, settle } from './breakerAdmission.js';
import { createBreakerCore, halfOpenNow, stopTimer, transition } from './breakerCore.js';
import { closedEvent, isolatedEvent, metricsOnlyEvent } from './breakerEvents.js';
import { type BreakerJudges, isSlowFor, judgedOutcome } from './breakerJudging.js';
import type { CircuitState } from './circuitState.js';
import type { Classifier } from './classify.js';
import { abortError } from './clock.js';
import { type CallContext, type CallInit, invoke, type Operation, toContext } from './context.js';
import { ResilienceError } from './errors.js';
import type { WindowCounts } from './outcomeWindow.js';
import type { Policy } from './policy.js';
import type { RuntimeOptions } from './runtime.js';

export type { BreakerJudges } from './breakerJudging.js';

/** Options of {@link createCircuitBreaker}; the config keys are in brackets. */
export interface CircuitBreakerOptions extends RuntimeOptions {
  /** The breaker's key in events. @default serverName */
  circuit?: string;
  /** The tool of a per-tool breaker, for events. */
  tool?: string;
  /** Trip after this many failures in a row [consecutive_failures]. @default 5 */
  consecutiveFailures?: number;
  /** Trip when failures / calls reach this [failure_rate_threshold]. @default 0.5 */
  failureRateThreshold?: number;
  /** Trip when slow calls / calls reach this [slow_call_rate_threshold]. @default 1 */
  slowCallRateThreshold?: number;
  /** A call slower than this is slow [slow_call_ms]. @default 5000 */
  slowCallMs?: number;
  /** Calls in the count window [window_size]. @default 20 */
  windowSize?: number;
  /** Outcomes older than this leave the window; 0 never [window_ms]. @default 60000 */
  windowMs?: number;
  /** Rates are judged only over at least this many calls [minimum_calls]. @default 10 */
  minimumCalls?: number;
  /** Open time of the first ejection [open_ms]. @default 30000 */
  openMs?: number;
  /** Cap of the growing open time [max_open_ms]. @default 300000 */
  maxOpenMs?: number;
  /** Random shortening of each open time, a fraction [open_jitter]. @default 0.1 */
  openJitter?: number;
  /** Closed time that forgets one past ejection [ejection_decay_ms]. @default 60000 */
  ejectionDecayMs?: number;
  /** Probes admitted while half-open; all must succeed [half_open_probes]. @default 1 */
  halfOpenProbes?: number;
  /**
   * Start as a dry run that never rejects [metrics_only]. This is the fold's initial state, not
   * an event: replay a metrics-only breaker's log with the same option. @default false
   */
  metricsOnly?: boolean;
  /** Events to restore the state from (a log; other circuits' events are skipped). */
  history?: Iterable<{ event_type: string; circuit?: unknown }>;
  /** @default classifyError */
  classify?: Classifier;
  /**
   * Which outcomes this breaker judges (see {@link BreakerJudges}). @default 'all'
   */
  judges?: BreakerJudges;
}

/** Live figures of a breaker. */
export interface CircuitMetrics extends WindowCounts {
  consecutiveFailures: number;
  probesInFlight: number;
}

/** A circuit breaker: a policy plus its state and the operator's controls. */
export interface CircuitBreaker extends Policy {
  readonly circuit: string;
  /** The folded state (mode, ejections, open until). */
  state(): CircuitState;
  metrics(): CircuitMetrics;
  /** Open, half-open or isolated: not a healthy member of a fallback group. */
  isEjected(): boolean;
  /** Operator: reject every call until {@link CircuitBreaker.release}. Emits `circuit_isolated`. */
  isolate(reason: string): void;
  /** Operator: close the circuit now, from any mode. Emits `circuit_closed` (reason operator). */
  release(): void;
  /** Operator: dry-run mode, never reject. Emits `circuit_metrics_only`. */
  setMetricsOnly(reason?: string): void;
  /**
   * The upstream answers again after a restart or an outage: an open or half-open breaker
   * closes now (`circuit_closed`, reason `server_recovered`) instead of waiting for its open
   * time and probes. Isolated and metrics-only breakers are left as they are. Idempotent.
   */
  reset(): void;
  /**
   * An open breaker half-opens now (`circuit_half_opened`): its open time is cut short, and
   * its probes decide. Nothing in any other mode. Idempotent.
   */
  halfOpenNow(): void;
  /** Stops the open → half-open timer (for shutdown). */
  dispose(): void;
}

/**
 * A circuit breaker for one upstream (or one tool). Closed, it trips on `consecutiveFailures`
 * failures in a row, or when over at least `minimumCalls` of the window the failure rate or
 * the slow-call rate reaches its threshold. Open, it rejects with CIRCUIT_OPEN; a timer (no
 * traffic needed) half-opens it after the open time, which doubles with each consecutive
 * ejection up to `maxOpenMs` and decays while closed. Half-open, it admits `halfOpenProbes`
 * probes and rejects the rest; all succeeding closes it, one failing reopens it. Every
 * transition is an event, and the state is their fold (`evolveCircuit`). It judges the
 * upstream, not the caller or the gateway: a call its caller cancelled or whose deadline
 * passed, and a refusal (another breaker open, a full bulkhead) count for nothing; time spent
 * before `attempt.sentAt` (a connection opening) is not counted as slowness; `judges` narrows
 * what it counts when a server's and its tools' breakers guard the same call.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const core = createBreakerCore(options);
  const { settings } = core;
  const { clock } = core.runtime;
  const { classify, slowCallMs, judges } = settings;

  function execute<T>(operation: Operation<T>, init?: CallInit | CallContext): Promise<T> {
    const { mode } = core.state;
    // The refusal is the hot path of an outage: answer it before building a context.
    if (mode === 'isolated' || (mode === 'open' && !init?.bypassCircuit)) {
      return Promise.reject(rejection(core));
    }
    const context = toContext(init);
    if (context.scope.aborted) return Promise.reject(abortError(context.scope));
    const admission = admit(core, context);
    if (admission instanceof ResilienceError) return Promise.reject(admission);
    const admittedIn = core.generation;
    const start = clock.now();
    // Slowness is the upstream's time: from when the request left (`attempt.sentAt`, set by an
    // operation that first waited for a connection to open), not the gateway's start-up.
    const elapsed = (now: number) => now - Math.max(start, context.attempt.sentAt ?? start);
    return invoke(operation, context).then(
      (value) => {
        const slow = isSlowFor(elapsed(clock.now()), context.meta, slowCallMs, judges);
        settle(core, admission, admittedIn, 'success', slow, context.traceId);
        return value;
      },
      (error: unknown) => {
        const now = clock.now();
        // A call its caller gave up on (cancel, the call's deadline) says nothing of the upstream.
        const outcome = context.scope.aborted
          ? 'ignore'
          : judgedOutcome(classify(error, context.meta, now), context.meta, judges);
        const slow = isSlowFor(elapsed(now), context.meta, slowCallMs, judges);
        settle(core, admission, admittedIn, outcome, slow, context.traceId);
        throw error;
      },
    );
  }

  return {
    circuit: settings.circuit,
    execute,
    state: () => core.state,
    metrics: () => ({
      ...core.window.counts(clock.now()),
      consecutiveFailures: core.consecutive,
      probesInFlight:
        core.state.mode === 'half_open' ? core.probesAdmitted - core.probeSuccesses : 0,
    }),
    isEjected: () => {
      const { mode } = core.state;
      return mode === 'open' || mode === 'half_open' || mode === 'isolated';
    },
    isolate(reason) {
      if (core.state.mode === 'isolated') return;
      transition(core, isolatedEvent(settings, reason));
    },
    release() {
      if (core.state.mode === 'closed') return;
      transition(core, closedEvent(settings, 'operator', core.state.ejections));
    },
    setMetricsOnly(reason) {
      if (core.state.mode === 'metrics_only') return;
      transition(core, metricsOnlyEvent(settings, reason));
    },
    reset() {
      const { mode } = core.state;
      if (mode !== 'open' && mode !== 'half_open') return;
      transition(
        core,
        closedEvent(settings, 'server_recovered', core.state.ejections),
        core.episodeTrace,
      );
    },
    halfOpenNow: () => halfOpenNow(core),
    dispose: () => stopTimer(core),
  };
}
