import type { BreakerOutcome, Verdict } from './classify.js';
import type { CallMeta } from './context.js';

/**
 * What a breaker counts. `all`: every failure and slow call of the calls it guards. `server`
 * (a server's breaker beside per-tool ones): transport failures (connection refused, lost,
 * process exited) of every call, and every failure and slow call of a call that names no tool
 * (lists, reads: the server's own); a tool's timeouts, errors and slowness are not its.
 * `tool` (one tool's breaker): that tool's own failures and slow calls, not transport ones.
 */
export type BreakerJudges = 'all' | 'server' | 'tool';

// Which outcomes are a breaker's to count: apart from the counting, because a server's breaker
// and its tools' breakers see the same call and each must take only its share of it.

/** The outcome as a breaker of `judges` counts it (see {@link BreakerJudges}). */
export function judgedOutcome(
  verdict: Verdict,
  meta: CallMeta,
  judges: BreakerJudges,
): BreakerOutcome {
  if (verdict.breaker !== 'failure' || judges === 'all' || verdict.source === undefined) {
    return verdict.breaker;
  }
  if (judges === 'tool') return verdict.source === 'call' ? 'failure' : 'ignore';
  return verdict.source === 'transport' || meta.tool === undefined ? 'failure' : 'ignore';
}

/** Whether a call this long is slow for a breaker: a server's does not judge a tool's time. */
export function isSlowFor(
  durationMs: number,
  meta: CallMeta,
  slowCallMs: number,
  judges: BreakerJudges,
): boolean {
  return durationMs > slowCallMs && (judges !== 'server' || meta.tool === undefined);
}
