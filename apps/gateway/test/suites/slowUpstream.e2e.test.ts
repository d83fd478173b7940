import { validate } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import {
  faultyServer,
  faultyStats,
  runCalls,
  textOf,
  useFaultyGateway,
} from '../helpers/faultyUpstream.js';

const SLOW_MS = 4000;
const CALLS = 60;

/**
 * A slow upstream: after a warm-up, 30% of the calls of its read-only `lookup` tool answer only
 * after SLOW_MS (a slow call is never followed by another). With hedging on, a call still
 * unanswered at the observed p90 gets a second attempt, which answers at once and wins.
 */
describe('a slow upstream', () => {
  const run = useFaultyGateway({
    slow: faultyServer(
      {
        SLOW_RATE: '0.3',
        SLOW_MS: String(SLOW_MS),
        SLOW_WARMUP: '10',
        FAULT_SEED: '3',
        FAULT_TOOLS: 'lookup',
      },
      { resilience: { hedge: { enabled: true, percentile: 0.9, min_samples: 10 } } },
    ),
  });

  it('hedges the slow calls and the hedge wins: no call waits for the slow answer', async () => {
    await faultyStats(run.client, 'slow');
    const texts = await runCalls(CALLS, 1, async (i) =>
      textOf(await run.client.callTool({ name: 'slow__lookup', arguments: { message: `k${i}` } })),
    );
    expect(texts).toEqual(Array.from({ length: CALLS }, (_, i) => `found k${i}`));

    // The server did make calls slow, so without a hedge some call would have taken SLOW_MS.
    const stats = await faultyStats(run.client, 'slow');
    expect(stats.slow).toBeGreaterThanOrEqual(5);
    const fired = run.recorder.ofType('hedge_fired', { server_name: 'slow' });
    expect(fired.length).toBeGreaterThanOrEqual(stats.slow);
    for (const event of fired) expect(validate('event', event).issues).toEqual([]);

    // The latency the gateway measured per call (from its call_completed events): every call
    // answered well before a slow answer could arrive, and each slow one by a second attempt.
    // `hedge_fired` is told before the second attempt passes the layers under the hedge (a
    // breaker may refuse it), so a hedge fired is not always a second attempt sent: at most one
    // per hedge fired.
    const completed = run.recorder.ofType('call_completed', { tool: 'slow__lookup' });
    expect(completed).toHaveLength(CALLS);
    const latencies = completed.map((e) => Number(e.latency_ms));
    expect(Math.max(...latencies)).toBeLessThan(SLOW_MS / 2);
    const secondAttempts = completed.filter((e) => e.attempts === 2).length;
    expect(secondAttempts).toBeGreaterThanOrEqual(stats.slow);
    expect(secondAttempts).toBeLessThanOrEqual(fired.length);
    expect(completed.every((e) => e.outcome === 'ok')).toBe(true);
  }, 30_000);
});
