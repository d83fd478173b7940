import { createCircuitBreaker, createPolicy, ResilienceErrorCode } from '@selfheal/resilience';
import {
  bulkhead,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';

// The stacks the resilience benchmarks compare, shared by the vitest bench (ops/s table) and
// the latency script (p50/p99 per call).

export const meta = {
  method: 'tools/call',
  tool: 'search',
  toolAnnotations: { readOnlyHint: true },
};
const answer = { content: [{ type: 'text', text: 'ok' }] };
export const bare = async () => answer;
/** A call that hands its signal on, as a real transport call does (the signal is made lazily). */
export const passesSignal = async (context: { signal: AbortSignal }) => {
  context.signal;
  return answer;
};
export const failing = async () => {
  throw Object.assign(new Error('HTTP 503'), { code: 503 });
};

/** Our full stack with the config defaults: call timeout, bulkhead, retry, breaker, attempt timeout. */
export const full = createPolicy({ serverName: 'bench' });
/** The same with hedging on and enough latencies learned, so every call arms a hedge timer. */
export const fullHedged = createPolicy({ serverName: 'bench-hedged', hedge: { minSamples: 1 } });

/** Our full stack with its breaker open. */
export const open = createPolicy({
  serverName: 'bench-open',
  retry: false,
  circuitBreaker: { consecutiveFailures: 1, openMs: 1e12, maxOpenMs: 1e12 },
});
/** Our breaker alone, open. */
export const openBreaker = createCircuitBreaker({
  serverName: 'bench-breaker',
  consecutiveFailures: 1,
  openMs: 1e12,
  maxOpenMs: 1e12,
});

/** cockatiel 3.2.1 with the closest equivalent stack. */
export const cockatielFull = wrap(
  timeout(30_000, TimeoutStrategy.Aggressive),
  bulkhead(64, 256),
  retry(handleAll, { maxAttempts: 2 }),
  circuitBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) }),
  timeout(10_000, TimeoutStrategy.Aggressive),
);
/** cockatiel's breaker, open. */
export const cockatielOpen = circuitBreaker(handleAll, {
  halfOpenAfter: 1e9,
  breaker: new ConsecutiveBreaker(1),
});

/** Opens the breakers and teaches the hedged stack its latencies. */
export async function prepare(): Promise<void> {
  await full.execute(bare, { meta });
  await fullHedged.execute(bare, { meta });
  await open.execute(failing, { meta }).catch(() => undefined);
  await openBreaker.execute(failing, { meta }).catch(() => undefined);
  await cockatielOpen.execute(failing).catch(() => undefined);
  const rejected = await open.execute(bare, { meta }).catch((error: { code?: string }) => error);
  if ((rejected as { code?: string }).code !== ResilienceErrorCode.CircuitOpen) {
    throw new Error('bench set-up: the breaker did not open');
  }
}

export const swallow = () => undefined;
