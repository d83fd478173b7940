import { delay } from '../clock.js';
import { decideRecovery, type RecoveryDecision } from '../decider/decide.js';
import { errorMessage } from '../errors.js';
import type { ServerContext } from './serverContext.js';

/**
 * Drives one server's recovery schedule: while `decideRecovery` says attempt, wait its delay,
 * emit `recovery_started`, perform the strategy's action, emit `recovery_successful` or
 * `recovery_failed`, and ask again; `recovery_exhausted` ends it. One recovery at most runs at
 * a time; checks wait for it.
 */
export interface RecoveryDriver {
  /** Whether a recovery runs now. */
  readonly running: boolean;
  /** Starts a recovery if none runs and the decider says one is due (or emits the exhaustion). */
  maybeRecover(): void;
  /** Aborts the running recovery, if any, at once; resolves when its loop has ended. */
  abort(): Promise<void>;
}

/** What a recovery does and who hears of its end. */
export interface RecoveryActions {
  /** One recovery action per the strategy; throws with the reason when it did not work. */
  perform(): Promise<void>;
  /** After `recovery_successful`. */
  onRecovered(): void;
  /** A recovery ended without being aborted: checks resume. */
  onSettled(): void;
}

/** Creates the {@link RecoveryDriver} of the server in `ctx`. */
export function createRecoveryDriver(ctx: ServerContext, actions: RecoveryActions): RecoveryDriver {
  const { server, clock, events } = ctx;
  let recovery: { abort: AbortController; done: Promise<void> } | undefined;

  /** Runs from the attempt `maybeRecover` decided on, deciding each next step after a failure. */
  async function recoveryLoop(
    first: Extract<RecoveryDecision, { action: 'attempt' }>,
    signal: AbortSignal,
  ): Promise<void> {
    let decision: RecoveryDecision = first;
    for (;;) {
      // Only the incident's first attempt may skip its wait.
      events.run.forgetAtDown();
      if (decision.action === 'none') return;
      if (decision.action === 'exhausted') {
        events.emit(decision.event);
        return;
      }
      try {
        await delay(clock, decision.delayMs, signal);
      } catch {
        return;
      }
      if (signal.aborted || !ctx.active()) return;
      const began = clock.now();
      events.emit({
        event_type: 'recovery_started',
        server_name: server.name,
        reason: ctx.view().error ?? 'server down',
        attempt: decision.attempt,
        strategy: server.recovery.strategy,
        delay_ms: decision.delayMs,
        ...(decision.stableSeconds !== undefined && { stable_seconds: decision.stableSeconds }),
      });
      try {
        await actions.perform();
        if (signal.aborted) return;
        events.emit({
          event_type: 'recovery_successful',
          server_name: server.name,
          attempts: decision.attempt,
          duration_ms: clock.now() - began,
        });
        actions.onRecovered();
        return;
      } catch (error) {
        if (signal.aborted) return;
        events.emit({
          event_type: 'recovery_failed',
          server_name: server.name,
          error: errorMessage(error),
          attempt: decision.attempt,
        });
      }
      decision = decideRecovery(server, ctx.view(), events.run.atDown);
    }
  }

  return {
    get running() {
      return recovery !== undefined;
    },
    maybeRecover() {
      if (recovery || !ctx.active()) return;
      const decision = decideRecovery(server, ctx.view(), events.run.atDown);
      if (decision.action === 'none') return;
      if (decision.action === 'exhausted') {
        events.emit(decision.event);
        return;
      }
      const abort = new AbortController();
      const done = recoveryLoop(decision, abort.signal).finally(() => {
        if (recovery?.abort === abort) recovery = undefined;
        if (!abort.signal.aborted) actions.onSettled();
      });
      recovery = { abort, done };
    },
    async abort() {
      const running = recovery;
      recovery = undefined;
      running?.abort.abort();
      await running?.done.catch(() => {});
    },
  };
}
