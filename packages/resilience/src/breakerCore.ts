import { closedEvent, halfOpenedEvent, openedEvent, type TripReason } from './breakerEvents.js';
import { type BreakerSettings, resolveBreakerSettings } from './breakerSettings.js';
import type { CircuitBreakerOptions } from './circuitBreaker.js';
import {
  type CircuitState,
  evolveCircuit,
  foldCircuit,
  initialCircuitState,
} from './circuitState.js';
import type { CircuitEvent, ResilienceEventBody } from './events.js';
import { halfOpenDelay, nextOpening } from './openSchedule.js';
import type { WindowCounts } from './outcomeWindow.js';
import { createOutcomeWindow, type OutcomeWindow } from './outcomeWindow.js';
import { type Runtime, resolveRuntime } from './runtime.js';

/**
 * Everything one breaker knows, in one object the parts of the breaker share: its settings and
 * runtime, the folded state, and what the current mode counts. The counters belong to the mode:
 * every transition ({@link transition}) starts them over.
 */
export interface BreakerCore {
  readonly settings: BreakerSettings;
  readonly runtime: Runtime;
  /** The outcomes of the closed (or metrics-only) mode's recent calls. */
  readonly window: OutcomeWindow;
  /** The fold of the breaker's events (`evolveCircuit`). */
  state: CircuitState;
  /** Bumped on every transition; a call admitted before it settles without effect. */
  generation: number;
  /** Failures in a row. */
  consecutive: number;
  /** Probes admitted while half-open (an ignored outcome gives its slot back). */
  probesAdmitted: number;
  probeSuccesses: number;
  /** The open → half-open timer, while open. */
  timer: unknown;
  /** The trace of the current episode: the call that opened it, shared by its events. */
  episodeTrace: string | undefined;
  /** A refusal's message, built once per state (see `rejection`). */
  rejectionText: string | undefined;
}

/**
 * A breaker's core, its state restored from `options.history` (this circuit's events folded;
 * a metrics-only breaker whose log leaves it closed starts metrics-only) and its half-open timer
 * armed when the log leaves it open.
 */
export function createBreakerCore(options: CircuitBreakerOptions): BreakerCore {
  const runtime = resolveRuntime(options);
  const settings = resolveBreakerSettings(options, runtime.serverName);
  const core: BreakerCore = {
    settings,
    runtime,
    window: createOutcomeWindow(settings.windowSize, settings.windowMs),
    state: restoredState(options, settings.circuit),
    generation: 0,
    consecutive: 0,
    probesAdmitted: 0,
    probeSuccesses: 0,
    timer: undefined,
    episodeTrace: undefined,
    rejectionText: undefined,
  };
  armHalfOpen(core);
  return core;
}

/** The state a breaker starts in: its logged events folded, `metricsOnly` over a closed one. */
function restoredState(options: CircuitBreakerOptions, circuit: string): CircuitState {
  const state = options.history ? foldCircuit(options.history, circuit) : initialCircuitState;
  return options.metricsOnly && state.mode === 'closed'
    ? { ...state, mode: 'metrics_only' }
    : state;
}

/**
 * The one way a breaker changes mode: emit the event, fold it into the state, start the mode's
 * counters over (so calls admitted before settle without effect) and arm or stop the timer.
 */
export function transition(core: BreakerCore, body: ResilienceEventBody, traceId?: string): void {
  const event = core.runtime.emitter.emit(body, traceId) as CircuitEvent;
  core.state = evolveCircuit(core.state, event);
  core.rejectionText = undefined;
  core.generation++;
  core.consecutive = 0;
  core.probesAdmitted = 0;
  core.probeSuccesses = 0;
  core.window.clear();
  armHalfOpen(core);
}

/** Arms the open → half-open timer for the state's open-until, or stops it when not open. */
function armHalfOpen(core: BreakerCore): void {
  const { clock } = core.runtime;
  stopTimer(core);
  const wait = halfOpenDelay(core.state, clock.now());
  if (wait === undefined) return;
  core.timer = clock.setTimeout(() => halfOpen(core), wait);
}

/**
 * Open → half-open: when the open time is over (a capped timer that fired early re-arms), or
 * at once when `early` (an operator or a recovered upstream cut it short).
 */
export function halfOpen(core: BreakerCore, early = false): void {
  core.timer = undefined;
  const { state } = core;
  if (state.mode !== 'open') return;
  if (!early && state.openUntil !== undefined && core.runtime.clock.now() < state.openUntil) {
    armHalfOpen(core);
    return;
  }
  transition(core, halfOpenedEvent(core.settings), core.episodeTrace);
}

/** An open breaker half-opens now, its timer stopped; nothing in any other mode. */
export function halfOpenNow(core: BreakerCore): void {
  if (core.state.mode !== 'open') return;
  stopTimer(core);
  halfOpen(core, true);
}

/** Stops the half-open timer (for shutdown). */
export function stopTimer(core: BreakerCore): void {
  if (core.timer !== undefined) core.runtime.clock.clearTimeout(core.timer);
  core.timer = undefined;
}

/**
 * Closed (or half-open) → open, starting an episode whose events share `traceId` (a new trace
 * when the call had none). `counts` are the window's, none for a failed probe.
 */
export function trip(
  core: BreakerCore,
  reason: TripReason | 'probe_failed',
  counts: WindowCounts | undefined,
  traceId: string | undefined,
): void {
  const { clock, emitter, random } = core.runtime;
  const opening = nextOpening(core.state, clock.now(), core.settings.open, random);
  core.episodeTrace = traceId ?? emitter.newTraceId();
  transition(
    core,
    openedEvent(core.settings, reason, opening, core.consecutive, counts),
    core.episodeTrace,
  );
}

/**
 * A half-open breaker's probe settled: an ignored outcome gives its slot back, a failure
 * reopens, and the last of the probes succeeding closes.
 */
export function settleProbe(
  core: BreakerCore,
  outcome: 'failure' | 'success' | 'ignore',
  traceId: string | undefined,
): void {
  if (outcome === 'ignore') core.probesAdmitted--;
  else if (outcome === 'failure')
    trip(core, 'probe_failed', undefined, traceId ?? core.episodeTrace);
  else if (++core.probeSuccesses >= core.settings.probeLimit) {
    transition(
      core,
      closedEvent(core.settings, 'probes_succeeded', core.state.ejections),
      core.episodeTrace,
    );
  }
}
