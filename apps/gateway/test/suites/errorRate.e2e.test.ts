import { describe, expect, it } from 'vitest';
import {
  faultyServer,
  faultyStats,
  runCalls,
  textOf,
  useFaultyGateway,
} from '../helpers/faultyUpstream.js';

const P = 0.1;
const CALLS = 400;
const CALLS_WITHOUT_RETRY = 300;

/**
 * A 10% error-rate upstream: `put` (idempotentHint) answers JSON-RPC -32603 one time in ten, a
 * failure RFC 0005 retries for an idempotent tool. With three attempts the client should see
 * 1 − p³ of its calls succeed; the same server with one attempt (a per-tool override) ~1 − p.
 */
describe('a 10% error-rate upstream', () => {
  const resilience = {
    retry: { max_attempts: 3, initial_delay_ms: 1, max_delay_ms: 5, budget_min: 8 },
    // Ten failures in a row at p = 0.1 is a 1e-10 event per attempt; five (the default) happens
    // by chance in about one run of 2000 attempts in fifty, and that is not an outage.
    circuit_breaker: { consecutive_failures: 10 },
  };
  const env = (seed: number) => ({ ERROR_RATE: String(P), FAULT_SEED: String(seed) });

  const run = useFaultyGateway({
    flaky: faultyServer(env(7), { resilience }),
    once: faultyServer(env(11), {
      resilience: { ...resilience, tools: { put: { retry: { max_attempts: 1 } } } },
    }),
  });

  /** Calls `tool` `count` times, 4 at a time; returns how many the client saw succeed. */
  const successes = async (tool: string, count: number) => {
    const ok = await runCalls(count, 1, async (i) => {
      try {
        const result = await run.client.callTool({ name: tool, arguments: { message: `m${i}` } });
        return result.isError !== true && textOf(result) === `stored m${i}`;
      } catch {
        return false;
      }
    });
    return ok.filter(Boolean).length;
  };

  it('shows the client 1 − p³ success with three attempts and ~1 − p with one', async () => {
    // The sessions' processes are up before counting.
    await Promise.all([faultyStats(run.client, 'flaky'), faultyStats(run.client, 'once')]);
    // One call at a time per server, so each server's seeded draws fall the same way every run.
    const [withRetries, withoutRetries] = await Promise.all([
      successes('flaky__put', CALLS),
      successes('once__put', CALLS_WITHOUT_RETRY),
    ]);
    const rate = withRetries / CALLS;
    expect(Math.abs(rate - (1 - P ** 3))).toBeLessThanOrEqual(0.005);
    // The same upstream without retries: about p of the calls fail (±3 standard deviations of
    // a binomial rate at n = 300), so the retries are what made the difference.
    const failureRate = 1 - withoutRetries / CALLS_WITHOUT_RETRY;
    expect(Math.abs(failureRate - P)).toBeLessThanOrEqual(0.052);
    expect((await faultyStats(run.client, 'once')).calls.put).toBe(CALLS_WITHOUT_RETRY);

    // What the upstream saw: every attempt, about N·(1 + p + p²) of them, and each retry is
    // one retry_attempted event and one more attempt in call_completed.
    const attempts = (await faultyStats(run.client, 'flaky')).calls.put!;
    expect(attempts / CALLS).toBeGreaterThan(1 + P + P * P - 0.05);
    expect(attempts / CALLS).toBeLessThan(1 + P + P * P + 0.05);
    const completed = run.recorder.ofType('call_completed', { tool: 'flaky__put' });
    expect(completed).toHaveLength(CALLS);
    expect(completed.reduce((sum, e) => sum + Number(e.attempts), 0)).toBe(attempts);
    expect(run.recorder.ofType('retry_attempted', { server_name: 'flaky' })).toHaveLength(
      attempts - CALLS,
    );
    expect(run.recorder.ofType('circuit_opened')).toEqual([]);
  }, 60_000);
});
