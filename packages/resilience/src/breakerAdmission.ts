import { type BreakerCore, settleProbe } from './breakerCore.js';
import { countOutcome } from './breakerCounting.js';
import type { BreakerOutcome } from './classify.js';
import type { CallContext } from './context.js';
import { type ResilienceError, ResilienceErrorCode, rejectionError } from './errors.js';

// Letting a call through and settling it, per mode: what the breaker's `execute` asks before
// and after the call. Plain functions of the core, so a call allocates no closure here.

/** How a call was admitted, which decides what its outcome counts for. */
export enum Admission {
  /** Closed or metrics-only: counted in the window. */
  Normal,
  /** One of a half-open breaker's probes: decides the mode. */
  Probe,
  /** Let past an open or half-open breaker (`bypassCircuit`): counts for nothing. */
  Bypass,
}

/** How the breaker admits a call in its mode, or the refusal; takes a probe slot when half-open. */
export function admit(core: BreakerCore, context: CallContext): Admission | ResilienceError {
  switch (core.state.mode) {
    case 'closed':
    case 'metrics_only':
      return Admission.Normal;
    case 'isolated':
      return rejection(core);
    case 'open':
      return context.bypassCircuit ? Admission.Bypass : rejection(core);
    case 'half_open':
      if (context.bypassCircuit) return Admission.Bypass;
      if (core.probesAdmitted >= core.settings.probeLimit) return rejection(core);
      core.probesAdmitted++;
      return Admission.Probe;
  }
}

/**
 * The error for a refused call, without a stack (refusals are frequent in an outage); its text
 * is built once per state.
 */
export function rejection(core: BreakerCore): ResilienceError {
  const { state } = core;
  const { circuit, probeLimit } = core.settings;
  const isolated = state.mode === 'isolated';
  core.rejectionText ??= isolated
    ? `circuit ${circuit} is isolated by an operator; release it to send calls again`
    : state.mode === 'open'
      ? `circuit ${circuit} is open until ${new Date(state.openUntil ?? 0).toISOString()} after ${state.ejections} consecutive ejection(s)`
      : `circuit ${circuit} is half-open and its ${probeLimit} probe slot(s) are taken`;
  return rejectionError(
    isolated ? ResilienceErrorCode.CircuitIsolated : ResilienceErrorCode.CircuitOpen,
    core.rejectionText,
    {
      circuit,
      mode: state.mode,
      ...(state.openUntil !== undefined ? { openUntil: state.openUntil } : {}),
    },
  );
}

/**
 * A call admitted as `admission` in generation `admittedIn` settled with `outcome`. A call
 * admitted before the last transition, or let past, counts for nothing.
 */
export function settle(
  core: BreakerCore,
  admission: Admission,
  admittedIn: number,
  outcome: BreakerOutcome,
  slow: boolean,
  traceId: string | undefined,
): void {
  if (admittedIn !== core.generation || admission === Admission.Bypass) return;
  if (admission === Admission.Probe) settleProbe(core, outcome, traceId);
  else if (outcome !== 'ignore') countOutcome(core, outcome === 'failure', slow, traceId);
}
