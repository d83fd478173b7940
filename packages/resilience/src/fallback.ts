import { abortError } from './clock.js';
import {
  type CallContext,
  type CallInit,
  deriveContext,
  type Operation,
  toContext,
} from './context.js';
import {
  type AttemptFailure,
  describeError,
  isResilienceError,
  ResilienceError,
  ResilienceErrorCode,
} from './errors.js';
import { type RuntimeOptions, resolveRuntime } from './runtime.js';

/** One member of a fallback chain: usually an upstream's policy around the same tool. */
export interface FallbackAlternative<T> {
  /** Named in events and in the final error, e.g. `backup` or `backup__search`. */
  name: string;
  /** Runs the call on this alternative. */
  execute: Operation<T>;
  /** True while this alternative's breaker is open, half-open or isolated. */
  isEjected?: () => boolean;
  /**
   * Why this alternative is skipped now, if it is (in place of `isEjected`): `reason` goes in
   * `fallback_used` (e.g. `SERVER_DOWN`, `CIRCUIT_OPEN`), `message` in the final error.
   */
  whyEjected?: () => { reason: string; message: string } | undefined;
}

/** Options of {@link createFallbackChain}. `serverName` names the first alternative's server. */
export interface FallbackOptions extends RuntimeOptions {
  /**
   * Whether a failure moves on to the next alternative.
   * @default {@link shouldFallBack}: an open or isolated breaker, exhausted retries, a passed
   * deadline or a full bulkhead
   */
  shouldFallBack?: (error: unknown) => boolean;
  /** Panic when more than this fraction of the chain is ejected. @default 0.5 */
  panicThreshold?: number;
  /**
   * The `fallback_used` reason of a failure: what went wrong, for an operator.
   * @default its error code (`describeError`), else `ERROR`
   */
  reasonOf?: (error: unknown) => string;
}

/** A fallback chain. */
export interface FallbackChain<T> {
  /** Tries each alternative in order; see {@link createFallbackChain}. */
  execute(init?: CallInit | CallContext): Promise<T>;
}

const FALLBACK_CODES = [
  ResilienceErrorCode.CircuitOpen,
  ResilienceErrorCode.CircuitIsolated,
  ResilienceErrorCode.RetriesExhausted,
  ResilienceErrorCode.CallTimeout,
  ResilienceErrorCode.AttemptTimeout,
  ResilienceErrorCode.BulkheadFull,
];

const BREAKER_OPEN = {
  reason: ResilienceErrorCode.CircuitOpen,
  message: 'breaker open, skipped',
} as const;

/**
 * The default fallback rule: the upstream could not answer (breaker open or isolated, retries
 * exhausted, deadline passed, bulkhead full). An answer the upstream gave, such as invalid
 * params, is returned as it is, since another server would say the same.
 */
export function shouldFallBack(error: unknown): boolean {
  return isResilienceError(error, ...FALLBACK_CODES);
}

/**
 * Tries `alternatives` in order until one answers. An alternative whose breaker is ejected is
 * skipped, unless more than half of the chain is ejected: then (the panic rule, as Envoy's
 * panic threshold) every alternative is tried with `bypassCircuit`, since refusing them all
 * would be worse. Each move emits `fallback_used`; when all fail, `fallback_exhausted` and
 * FALLBACK_EXHAUSTED whose message names every attempt. An error that {@link shouldFallBack}
 * rejects, or the caller's abort, ends the chain at once.
 */
export function createFallbackChain<T>(
  alternatives: readonly FallbackAlternative<T>[],
  options: FallbackOptions = {},
): FallbackChain<T> {
  if (alternatives.length === 0) {
    throw new ResilienceError(
      ResilienceErrorCode.InvalidOptions,
      'createFallbackChain: expected at least one alternative, found none',
    );
  }
  const { emitter, serverName } = resolveRuntime({
    ...options,
    serverName: options.serverName ?? alternatives[0]!.name,
  });
  const fallBack = options.shouldFallBack ?? shouldFallBack;
  const panicThreshold = options.panicThreshold ?? 0.5;

  return {
    async execute(init) {
      const context = toContext(init);
      const ejected = alternatives.map((alternative) =>
        alternative.whyEjected
          ? alternative.whyEjected()
          : alternative.isEjected?.() === true
            ? BREAKER_OPEN
            : undefined,
      );
      const panic = ejected.filter(Boolean).length > alternatives.length * panicThreshold;
      const attempts: AttemptFailure[] = [];
      const fields =
        context.meta.tool === undefined
          ? { method: context.meta.method }
          : { method: context.meta.method, tool: context.meta.tool };
      let previous: { name: string; reason: string } | undefined;
      for (const [index, alternative] of alternatives.entries()) {
        if (context.scope.aborted) throw abortError(context.scope);
        const skip = ejected[index];
        if (!panic && skip) {
          attempts.push({ name: alternative.name, code: 'SKIPPED', message: skip.message });
          previous = { name: alternative.name, reason: skip.reason };
          continue;
        }
        if (previous) {
          emitter.emit(
            {
              event_type: 'fallback_used',
              server_name: serverName,
              from: previous.name,
              to: alternative.name,
              reason: previous.reason,
              panic,
              ...fields,
            },
            context.traceId,
          );
        }
        try {
          return await alternative.execute(
            deriveContext(context, {
              attempt: { number: 1 },
              ...(panic ? { bypassCircuit: true } : {}),
            }),
          );
        } catch (error) {
          if (context.scope.aborted) throw abortError(context.scope);
          const failure = { ...describeError(error), name: alternative.name };
          attempts.push(failure);
          if (!fallBack(error)) throw error;
          previous = {
            name: alternative.name,
            reason: options.reasonOf?.(error) ?? failure.code ?? 'ERROR',
          };
        }
      }
      emitter.emit(
        {
          event_type: 'fallback_exhausted',
          server_name: serverName,
          attempts: attempts as [AttemptFailure, ...AttemptFailure[]],
          panic,
          ...fields,
        },
        context.traceId,
      );
      const list = attempts
        .map((a) => `${a.name}: ${a.code ? `${a.code} ` : ''}${a.message}`)
        .join('; ');
      throw new ResilienceError(
        ResilienceErrorCode.FallbackExhausted,
        `no alternative could answer ${context.meta.tool ?? context.meta.method} (${attempts.length} tried): ${list}`,
        { data: { attempts, panic } },
      );
    },
  };
}
