import { describe, expect, it } from 'vitest';
import {
  faultyServer,
  faultyStats,
  runCalls,
  textOf,
  useFaultyGateway,
} from '../helpers/faultyUpstream.js';

const CALLS = 100;
const RAW_CALLS = 20;

/**
 * A 100% outage: every call of the idempotent `put` answers JSON-RPC -32603, a failure the
 * retry rules repeat. The breaker and the retry budget must keep the upstream attempts per
 * client call at most 1.2; the same server with both off shows what three attempts cost.
 */
describe('a 100% outage', () => {
  const retry = { max_attempts: 3, initial_delay_ms: 1, max_delay_ms: 5 };
  const env = { ERROR_RATE: '1', FAULT_TOOLS: 'put' };

  const run = useFaultyGateway({
    down: faultyServer(env, {
      resilience: {
        retry,
        circuit_breaker: { open_ms: 200, open_jitter: 0 },
        // The test's own counter must answer while the outage keeps the server's breaker
        // open: a circuit_breaker key gives it a breaker of its own.
        tools: { stats: { circuit_breaker: { enabled: true } } },
      },
    }),
    unguarded: faultyServer(env, {
      resilience: {
        retry: { ...retry, budget_min: 1000 },
        circuit_breaker: { enabled: false },
      },
      // Nor trust's quarantine (RFC 0017), which would refuse its calls once its score falls:
      // this server measures what retries cost with no guard at all.
      trust: { enabled: false },
    }),
  });

  const callAll = (tool: string, count: number) =>
    runCalls(count, 8, async (i) => {
      const result = await run.client.callTool({ name: tool, arguments: { message: `m${i}` } });
      const error = (result._meta as { 'selfheal/error'?: { code?: string } } | undefined)?.[
        'selfheal/error'
      ];
      return { isError: result.isError === true, code: error?.code, text: textOf(result) };
    });

  it('keeps retry amplification at most 1.2 upstream attempts per call', async () => {
    await Promise.all([faultyStats(run.client, 'down'), faultyStats(run.client, 'unguarded')]);
    const [guarded, unguarded] = await Promise.all([
      callAll('down__put', CALLS),
      callAll('unguarded__put', RAW_CALLS),
    ]);

    // The client saw every call fail clearly: the upstream's error once retries ran out, or
    // the open breaker's refusal naming the server.
    expect(guarded.every((r) => r.isError)).toBe(true);
    expect(new Set(guarded.map((r) => r.code))).toEqual(
      new Set(['RETRIES_EXHAUSTED', 'CIRCUIT_OPEN']),
    );
    for (const r of guarded.filter((g) => g.code === 'CIRCUIT_OPEN'))
      expect(r.text).toMatch(/down/);

    const attempts = (await faultyStats(run.client, 'down')).calls.put!;
    const amplification = attempts / CALLS;
    expect(amplification).toBeLessThanOrEqual(1.2);
    // The upstream's errors are the tool's own: its breaker opens (RFC 0008, per-tool breakers).
    expect(
      run.recorder.ofType('circuit_opened', { circuit: 'down/put' }).length,
    ).toBeGreaterThanOrEqual(1);

    // Without breaker and budget every call costs its three attempts: the bound is earned.
    expect(unguarded.every((r) => r.isError && r.code === 'RETRIES_EXHAUSTED')).toBe(true);
    expect((await faultyStats(run.client, 'unguarded')).calls.put).toBe(3 * RAW_CALLS);
  }, 30_000);
});
