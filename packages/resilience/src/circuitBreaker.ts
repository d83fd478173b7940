import {
  type CircuitState,
  ejectionsAt,
  evolveCircuit,
  foldCircuit,
  initialCircuitState,
  openDuration,
} from './circuitState.js';
import { type BreakerOutcome, type Classifier, classifyError, type Verdict } from './classify.js';
import { abortError } from './clock.js';
import {
  type CallContext,
  type CallInit,
  type CallMeta,
  invoke,
  type Operation,
  toContext,
} from './context.js';
import { ResilienceError, ResilienceErrorCode, rejectionError } from './errors.js';
import type { CircuitEvent, EventBody } from './events.js';
import { LIBRARY_DEFAULTS } from './libraryDefaults.js';
import { createOutcomeWindow, type WindowCounts } from './outcomeWindow.js';
import type { Policy } from './policy.js';
import { type RuntimeOptions, resolveRuntime } from './runtime.js';

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

/**
 * What a breaker counts. `all`: every failure and slow call of the calls it guards. `server`
 * (a server's breaker beside per-tool ones): transport failures (connection refused, lost,
 * process exited) of every call, and every failure and slow call of a call that names no tool
 * (lists, reads: the server's own); a tool's timeouts, errors and slowness are not its.
 * `tool` (one tool's breaker): that tool's own failures and slow calls, not transport ones.
 */
export type BreakerJudges = 'all' | 'server' | 'tool';

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

const MAX_TIMER_MS = 2 ** 31 - 1;

enum Kind {
  Normal,
  Probe,
  Bypass,
}

/**
 * A circuit breaker for one upstream (or one tool). Closed, it trips on `consecutiveFailures`
 * failures in a row, or when over at least `minimumCalls` of the window the failure rate or
 * the slow-call rate reaches its threshold. Open, it rejects with CIRCUIT_OPEN; a timer (no
 * traffic needed) half-opens it after the open time, which doubles with each consecutive
 * ejection up to `maxOpenMs` and decays while closed. Half-open, it admits `halfOpenProbes`
 * probes and rejects the rest; all succeeding closes it, one failing reopens it. Every
 * transition is an event, and the state is their fold ({@link evolveCircuit}). It judges the
 * upstream, not the caller or the gateway: a call its caller cancelled or whose deadline
 * passed, and a refusal (another breaker open, a full bulkhead) count for nothing; time spent
 * before `attempt.sentAt` (a connection opening) is not counted as slowness; `judges` narrows
 * what it counts when a server's and its tools' breakers guard the same call.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const { clock, emitter, serverName, random } = resolveRuntime(options);
  const circuit = options.circuit ?? serverName;
  const tool = options.tool;
  const consecutiveLimit =
    options.consecutiveFailures ?? LIBRARY_DEFAULTS.circuit_breaker.consecutive_failures;
  const failureRateThreshold =
    options.failureRateThreshold ?? LIBRARY_DEFAULTS.circuit_breaker.failure_rate_threshold;
  const slowCallRateThreshold =
    options.slowCallRateThreshold ?? LIBRARY_DEFAULTS.circuit_breaker.slow_call_rate_threshold;
  const slowCallMs = options.slowCallMs ?? LIBRARY_DEFAULTS.circuit_breaker.slow_call_ms;
  const minimumCalls = options.minimumCalls ?? LIBRARY_DEFAULTS.circuit_breaker.minimum_calls;
  const open = {
    openMs: options.openMs ?? LIBRARY_DEFAULTS.circuit_breaker.open_ms,
    maxOpenMs: options.maxOpenMs ?? LIBRARY_DEFAULTS.circuit_breaker.max_open_ms,
    jitter: options.openJitter ?? LIBRARY_DEFAULTS.circuit_breaker.open_jitter,
  };
  const decayMs = options.ejectionDecayMs ?? LIBRARY_DEFAULTS.circuit_breaker.ejection_decay_ms;
  const probeLimit = Math.max(
    1,
    options.halfOpenProbes ?? LIBRARY_DEFAULTS.circuit_breaker.half_open_probes,
  );
  const classify = options.classify ?? classifyError;
  const judges = options.judges ?? 'all';
  const window = createOutcomeWindow(
    options.windowSize ?? LIBRARY_DEFAULTS.circuit_breaker.window_size,
    options.windowMs ?? LIBRARY_DEFAULTS.circuit_breaker.window_ms,
  );

  let state: CircuitState = options.history
    ? foldCircuit(options.history, circuit)
    : initialCircuitState;
  if (options.metricsOnly && state.mode === 'closed') state = { ...state, mode: 'metrics_only' };
  // Bumped on every transition; a call admitted before it settles without effect.
  let generation = 0;
  let consecutive = 0;
  let probesAdmitted = 0;
  let probeSuccesses = 0;
  let timer: unknown;
  let episodeTrace: string | undefined;

  const base = () =>
    tool === undefined
      ? { server_name: serverName, circuit }
      : { server_name: serverName, circuit, tool };

  function apply(body: EventBody, traceId?: string): void {
    const event = emitter.emit(body, traceId) as CircuitEvent;
    state = evolveCircuit(state, event);
    rejectionText = undefined;
    generation++;
    consecutive = 0;
    probesAdmitted = 0;
    probeSuccesses = 0;
    window.clear();
    schedule();
  }

  function schedule(): void {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    if (state.mode !== 'open' || state.openUntil === undefined) return;
    // Timers cap at 2^31-1 ms (about 24.8 days); a longer wait is re-armed when that fires.
    const wait = Math.max(0, state.openUntil - clock.now());
    timer = clock.setTimeout(() => halfOpen(), Math.min(MAX_TIMER_MS, wait));
  }

  function halfOpen(early = false): void {
    timer = undefined;
    if (state.mode !== 'open') return;
    if (!early && state.openUntil !== undefined && clock.now() < state.openUntil) {
      schedule();
      return;
    }
    apply({ event_type: 'circuit_half_opened', ...base(), probes: probeLimit }, episodeTrace);
  }

  function trip(
    reason: 'consecutive_failures' | 'failure_rate' | 'slow_call_rate' | 'probe_failed',
    counts: WindowCounts | undefined,
    traceId: string | undefined,
  ): void {
    const now = clock.now();
    const ejections = ejectionsAt(state, now, decayMs) + 1;
    const openMs = openDuration(ejections, open, random);
    episodeTrace = traceId ?? emitter.newTraceId();
    apply(
      {
        event_type: 'circuit_opened',
        ...base(),
        reason,
        ejections,
        open_ms: openMs,
        open_until: new Date(now + openMs).toISOString(),
        consecutive_failures: consecutive,
        ...(counts ? rates(counts) : {}),
      },
      episodeTrace,
    );
  }

  function rates(counts: WindowCounts) {
    return counts.calls === 0
      ? { calls: 0 }
      : {
          calls: counts.calls,
          failure_rate: counts.failures / counts.calls,
          slow_call_rate: counts.slow / counts.calls,
        };
  }

  let rejectionText: string | undefined;

  /** The error for a refused call; its text is built once per state. */
  function rejection(): ResilienceError {
    const isolated = state.mode === 'isolated';
    rejectionText ??= isolated
      ? `circuit ${circuit} is isolated by an operator; release it to send calls again`
      : state.mode === 'open'
        ? `circuit ${circuit} is open until ${new Date(state.openUntil ?? 0).toISOString()} after ${state.ejections} consecutive ejection(s)`
        : `circuit ${circuit} is half-open and its ${probeLimit} probe slot(s) are taken`;
    return rejectionError(
      isolated ? ResilienceErrorCode.CircuitIsolated : ResilienceErrorCode.CircuitOpen,
      rejectionText,
      {
        circuit,
        mode: state.mode,
        ...(state.openUntil !== undefined ? { openUntil: state.openUntil } : {}),
      },
    );
  }

  function admit(context: CallContext): Kind | ResilienceError {
    switch (state.mode) {
      case 'closed':
      case 'metrics_only':
        return Kind.Normal;
      case 'isolated':
        return rejection();
      case 'open':
        return context.bypassCircuit ? Kind.Bypass : rejection();
      case 'half_open':
        if (context.bypassCircuit) return Kind.Bypass;
        if (probesAdmitted >= probeLimit) return rejection();
        probesAdmitted++;
        return Kind.Probe;
    }
  }

  /** The outcome as this breaker counts it (see {@link BreakerJudges}). */
  function judged(verdict: Verdict, meta: CallMeta): BreakerOutcome {
    if (verdict.breaker !== 'failure' || judges === 'all' || verdict.source === undefined) {
      return verdict.breaker;
    }
    if (judges === 'tool') return verdict.source === 'call' ? 'failure' : 'ignore';
    return verdict.source === 'transport' || meta.tool === undefined ? 'failure' : 'ignore';
  }

  /** Whether a call this long is slow for this breaker: a server's does not judge a tool's time. */
  function isSlow(durationMs: number, meta: CallMeta): boolean {
    return durationMs > slowCallMs && (judges !== 'server' || meta.tool === undefined);
  }

  function settle(
    kind: Kind,
    admittedIn: number,
    outcome: BreakerOutcome,
    slow: boolean,
    traceId: string | undefined,
  ): void {
    if (admittedIn !== generation || kind === Kind.Bypass) return;
    if (kind === Kind.Probe) {
      if (outcome === 'ignore') probesAdmitted--;
      else if (outcome === 'failure') trip('probe_failed', undefined, traceId ?? episodeTrace);
      else if (++probeSuccesses >= probeLimit) {
        apply(
          {
            event_type: 'circuit_closed',
            ...base(),
            reason: 'probes_succeeded',
            ejections: state.ejections,
          },
          episodeTrace,
        );
      }
      return;
    }
    if (outcome === 'ignore') return;
    const now = clock.now();
    const failure = outcome === 'failure';
    consecutive = failure ? consecutive + 1 : 0;
    window.record(now, failure, slow);
    const counts = window.counts(now);
    const reason =
      consecutive >= consecutiveLimit
        ? 'consecutive_failures'
        : counts.calls >= minimumCalls && counts.failures / counts.calls >= failureRateThreshold
          ? 'failure_rate'
          : counts.calls >= minimumCalls && counts.slow / counts.calls >= slowCallRateThreshold
            ? 'slow_call_rate'
            : undefined;
    if (reason === undefined) return;
    if (state.mode === 'metrics_only') {
      emitter.emit(
        {
          event_type: 'circuit_threshold_exceeded',
          ...base(),
          reason,
          consecutive_failures: consecutive,
          ...rates(counts),
        },
        traceId,
      );
      // Start over, so a dry run reports each crossing once, as a real breaker would open once.
      consecutive = 0;
      window.clear();
      return;
    }
    trip(reason, counts, traceId);
  }

  function execute<T>(operation: Operation<T>, init?: CallInit | CallContext): Promise<T> {
    // The refusal is the hot path of an outage: answer it before building a context.
    if (state.mode === 'isolated' || (state.mode === 'open' && !init?.bypassCircuit)) {
      return Promise.reject(rejection());
    }
    const context = toContext(init);
    if (context.scope.aborted) return Promise.reject(abortError(context.scope));
    const kind = admit(context);
    if (kind instanceof ResilienceError) return Promise.reject(kind);
    const admittedIn = generation;
    const start = clock.now();
    // Slowness is the upstream's time: from when the request left (`attempt.sentAt`, set by an
    // operation that first waited for a connection to open), not the gateway's start-up.
    const elapsed = (now: number) => now - Math.max(start, context.attempt.sentAt ?? start);
    return invoke(operation, context).then(
      (value) => {
        const now = clock.now();
        settle(kind, admittedIn, 'success', isSlow(elapsed(now), context.meta), context.traceId);
        return value;
      },
      (error: unknown) => {
        const now = clock.now();
        // A call its caller gave up on (cancel, the call's deadline) says nothing of the upstream.
        const outcome = context.scope.aborted
          ? 'ignore'
          : judged(classify(error, context.meta, now), context.meta);
        settle(kind, admittedIn, outcome, isSlow(elapsed(now), context.meta), context.traceId);
        throw error;
      },
    );
  }

  schedule();

  return {
    circuit,
    execute,
    state: () => state,
    metrics: () => ({
      ...window.counts(clock.now()),
      consecutiveFailures: consecutive,
      probesInFlight: state.mode === 'half_open' ? probesAdmitted - probeSuccesses : 0,
    }),
    isEjected: () =>
      state.mode === 'open' || state.mode === 'half_open' || state.mode === 'isolated',
    isolate(reason) {
      if (state.mode === 'isolated') return;
      apply({ event_type: 'circuit_isolated', ...base(), reason });
    },
    release() {
      if (state.mode === 'closed') return;
      apply({
        event_type: 'circuit_closed',
        ...base(),
        reason: 'operator',
        ejections: state.ejections,
      });
    },
    setMetricsOnly(reason) {
      if (state.mode === 'metrics_only') return;
      apply({ event_type: 'circuit_metrics_only', ...base(), ...(reason ? { reason } : {}) });
    },
    reset() {
      if (state.mode !== 'open' && state.mode !== 'half_open') return;
      apply(
        {
          event_type: 'circuit_closed',
          ...base(),
          reason: 'server_recovered',
          ejections: state.ejections,
        },
        episodeTrace,
      );
    },
    halfOpenNow() {
      if (state.mode !== 'open') return;
      if (timer !== undefined) clock.clearTimeout(timer);
      halfOpen(true);
    },
    dispose() {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
