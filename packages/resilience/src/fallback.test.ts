import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallContext } from './context.js';
import { ResilienceError, ResilienceErrorCode } from './errors.js';
import { createFallbackChain, type FallbackAlternative } from './fallback.js';
import { expectValidEvents, rpcError, useFakeTime } from './testing/harness.js';

afterEach(() => {
  vi.useRealTimers();
});

const meta = { method: 'tools/call', tool: 'search' };
const error = (code: ResilienceErrorCode, message: string = code) =>
  new ResilienceError(code, message);

function alternative(name: string, outcome: unknown, ejected = false) {
  const seen: CallContext[] = [];
  const alt: FallbackAlternative<string> = {
    name,
    execute: async (context) => {
      seen.push(context);
      if (outcome instanceof Error) throw outcome;
      return outcome as string;
    },
    isEjected: () => ejected,
  };
  return { alt, seen };
}

describe('createFallbackChain', () => {
  it.each([
    ResilienceErrorCode.CircuitOpen,
    ResilienceErrorCode.RetriesExhausted,
    ResilienceErrorCode.CallTimeout,
    ResilienceErrorCode.BulkheadFull,
  ])('moves on after %s and says so', async (code) => {
    const t = useFakeTime();
    const a = alternative('primary', error(code));
    const b = alternative('backup', 'answer');
    const chain = createFallbackChain([a.alt, b.alt], { sink: t.sink });
    await expect(chain.execute({ meta, traceId: 'tr' })).resolves.toBe('answer');
    expect(t.events).toEqual([
      expect.objectContaining({
        event_type: 'fallback_used',
        server_name: 'primary',
        from: 'primary',
        to: 'backup',
        reason: code,
        panic: false,
        trace_id: 'tr',
      }),
    ]);
    expectValidEvents(t.events);
  });

  it('returns an answer the upstream gave (invalid params) without trying others', async () => {
    useFakeTime();
    const invalid = rpcError(-32602);
    const b = alternative('backup', 'answer');
    await expect(
      createFallbackChain([alternative('primary', invalid).alt, b.alt]).execute({ meta }),
    ).rejects.toBe(invalid);
    expect(b.seen).toHaveLength(0);
  });

  it('ends with an error that names every attempt', async () => {
    const t = useFakeTime();
    const chain = createFallbackChain(
      [
        alternative('a', error(ResilienceErrorCode.CircuitOpen, 'circuit a is open')).alt,
        alternative('b', error(ResilienceErrorCode.RetriesExhausted, 'b: 3 attempts failed')).alt,
        alternative('c', error(ResilienceErrorCode.CallTimeout, 'c timed out')).alt,
      ],
      { sink: t.sink },
    );
    const failure = await chain.execute({ meta }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: ResilienceErrorCode.FallbackExhausted });
    expect((failure as Error).message).toBe(
      'no alternative could answer search (3 tried): a: CIRCUIT_OPEN circuit a is open; b: RETRIES_EXHAUSTED b: 3 attempts failed; c: CALL_TIMEOUT c timed out',
    );
    expect(t.types()).toEqual(['fallback_used', 'fallback_used', 'fallback_exhausted']);
    expect(t.ofType('fallback_exhausted')[0]!.attempts.map((a) => a.name)).toEqual(['a', 'b', 'c']);
    expectValidEvents(t.events);
  });

  it('skips ejected alternatives while at most half the chain is ejected', async () => {
    const t = useFakeTime();
    const a = alternative('a', 'from a', true);
    const b = alternative('b', 'from b', true);
    const c = alternative('c', 'from c');
    const d = alternative('d', 'from d');
    await expect(
      createFallbackChain([a.alt, b.alt, c.alt, d.alt], { sink: t.sink }).execute({ meta }),
    ).resolves.toBe('from c');
    expect([a.seen.length, b.seen.length]).toEqual([0, 0]);
    expect(c.seen[0]!.bypassCircuit).toBeUndefined();
    expect(t.events).toEqual([
      expect.objectContaining({ from: 'b', to: 'c', reason: 'CIRCUIT_OPEN', panic: false }),
    ]);
  });

  it('panics when more than half is ejected: tries them all, bypassing their breakers', async () => {
    const t = useFakeTime();
    const a = alternative('a', error(ResilienceErrorCode.RetriesExhausted), true);
    const b = alternative('b', 'from b', true);
    const c = alternative('c', 'from c');
    await expect(
      createFallbackChain([a.alt, b.alt, c.alt], { sink: t.sink }).execute({ meta }),
    ).resolves.toBe('from b');
    expect(a.seen[0]!.bypassCircuit).toBe(true);
    expect(b.seen[0]!.bypassCircuit).toBe(true);
    expect(t.events).toEqual([expect.objectContaining({ from: 'a', to: 'b', panic: true })]);
  });

  it('stops at once when the caller aborts', async () => {
    useFakeTime();
    const controller = new AbortController();
    const a: FallbackAlternative<string> = {
      name: 'a',
      execute: async () => {
        controller.abort();
        throw error(ResilienceErrorCode.CircuitOpen);
      },
    };
    const b = alternative('b', 'from b');
    await expect(
      createFallbackChain([a, b.alt]).execute({ meta, signal: controller.signal }),
    ).rejects.toMatchObject({
      code: ResilienceErrorCode.Aborted,
    });
    expect(b.seen).toHaveLength(0);
  });

  it('refuses an empty chain', () => {
    expect(() => createFallbackChain([])).toThrow(/at least one alternative/);
  });

  it('regression: a skip names its real cause (server down), not CIRCUIT_OPEN', async () => {
    const t = useFakeTime();
    const down = alternative('primary', 'never');
    down.alt.whyEjected = () => ({ reason: 'SERVER_DOWN', message: 'server down, skipped' });
    const b = alternative('backup', 'answer');
    const c = alternative('third', 'x');
    await expect(
      createFallbackChain([down.alt, b.alt, c.alt], { sink: t.sink }).execute({ meta }),
    ).resolves.toBe('answer');
    expect(down.seen).toHaveLength(0);
    expect(t.events).toEqual([
      expect.objectContaining({ event_type: 'fallback_used', reason: 'SERVER_DOWN', panic: false }),
    ]);
  });

  it('names a failure by reasonOf when given', async () => {
    const t = useFakeTime();
    const a = alternative('primary', new Error('not connected'));
    const b = alternative('backup', 'answer');
    await expect(
      createFallbackChain([a.alt, b.alt], {
        sink: t.sink,
        shouldFallBack: () => true,
        reasonOf: () => 'NOT_CONNECTED',
      }).execute({ meta }),
    ).resolves.toBe('answer');
    expect(t.events).toEqual([expect.objectContaining({ reason: 'NOT_CONNECTED' })]);
    expectValidEvents(t.events);
  });
});
