import { createFakeClock } from '@selfheal/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { createComponentRunner } from './componentCheck.js';

const never = () => new Promise<never>(() => {});

describe('createComponentRunner', () => {
  it('reports what the check returns, bare or with a reason', async () => {
    const clock = createFakeClock();
    const bare = createComponentRunner(
      'db',
      () => 'degraded',
      { timeoutMs: 100, cacheMs: 0 },
      clock,
    );
    const withReason = createComponentRunner(
      'db',
      async () => ({ status: 'down', error: 'replica at postgres://u:p@h/db lost' }),
      { timeoutMs: 100, cacheMs: 0 },
      clock,
    );
    expect(await bare.run()).toMatchObject({ status: 'degraded' });
    expect(await withReason.run()).toEqual({
      status: 'down',
      error: 'replica at postgres://[redacted] lost',
      at: clock.now(),
    });
  });

  it('drops a reason given with ok', async () => {
    const clock = createFakeClock();
    const runner = createComponentRunner(
      'db',
      () => ({ status: 'ok', error: 'x' }),
      { timeoutMs: 100, cacheMs: 0 },
      clock,
    );
    expect(await runner.run()).toEqual({ status: 'ok', at: clock.now() });
  });

  it('turns a throw (sync or async) into down with a one-line reason', async () => {
    const clock = createFakeClock();
    const sync = createComponentRunner(
      'a',
      () => {
        throw new Error('boom\n    at secret (/srv/app.js:1:1)');
      },
      { timeoutMs: 100, cacheMs: 0 },
      clock,
    );
    const async_ = createComponentRunner(
      'b',
      async () => {
        throw new RangeError('pool exhausted');
      },
      { timeoutMs: 100, cacheMs: 0 },
      clock,
    );
    expect(await sync.run()).toMatchObject({ status: 'down', error: 'boom' });
    expect(await async_.run()).toMatchObject({
      status: 'down',
      error: 'RangeError: pool exhausted',
    });
  });

  it('regression: a synchronously throwing check is run again on the next request', async () => {
    const clock = createFakeClock();
    const check = vi.fn(() => {
      throw new Error('no');
    });
    const runner = createComponentRunner('a', check, { timeoutMs: 100, cacheMs: 0 }, clock);
    await runner.run();
    await runner.run();
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('turns a value that is not a status into down', async () => {
    const clock = createFakeClock();
    const runner = createComponentRunner(
      'a',
      (() => 'healthy') as never,
      { timeoutMs: 100, cacheMs: 0 },
      clock,
    );
    expect(await runner.run()).toMatchObject({
      status: 'down',
      error: expect.stringContaining('neither'),
    });
  });

  it('is still waiting 1 ms before the timeout and down (timed out) at it', async () => {
    const clock = createFakeClock();
    let signal: AbortSignal | undefined;
    const runner = createComponentRunner(
      'db',
      (ctx) => {
        signal = ctx.signal;
        return never();
      },
      { timeoutMs: 250, cacheMs: 0 },
      clock,
    );
    let result: unknown;
    void runner.run().then((r) => {
      result = r;
    });
    await clock.advance(249);
    expect(result).toBeUndefined();
    expect(signal?.aborted).toBe(false);
    await clock.advance(1);
    expect(result).toEqual({ status: 'down', error: 'timed out after 250 ms', at: clock.now() });
    expect(signal?.aborted).toBe(true);
  });

  it('clears its timer when the check answers in time', async () => {
    const clock = createFakeClock();
    const runner = createComponentRunner(
      'db',
      async () => 'ok' as const,
      { timeoutMs: 250, cacheMs: 0 },
      clock,
    );
    await runner.run();
    expect(clock.pending()).toBe(0);
  });

  it('never runs a hung check twice at once: later requests wait for the same invocation', async () => {
    const clock = createFakeClock();
    let release: (v: 'ok') => void = () => {};
    const check = vi.fn(
      () =>
        new Promise<'ok'>((resolve) => {
          release = resolve;
        }),
    );
    const runner = createComponentRunner('db', check, { timeoutMs: 100, cacheMs: 0 }, clock);
    const first = runner.run();
    await clock.advance(100);
    expect(await first).toMatchObject({ status: 'down' });
    const second = runner.run();
    await clock.advance(50);
    expect(check).toHaveBeenCalledTimes(1);
    release('ok');
    expect(await second).toMatchObject({ status: 'ok' });
    const third = runner.run();
    expect(check).toHaveBeenCalledTimes(2);
    await clock.advance(100);
    expect(await third).toMatchObject({ status: 'down' });
  });

  it('reuses a result for cacheMs and runs again once it has expired', async () => {
    const clock = createFakeClock();
    let status: 'ok' | 'down' = 'ok';
    const check = vi.fn(() => status);
    const runner = createComponentRunner('db', check, { timeoutMs: 100, cacheMs: 1000 }, clock);
    expect(await runner.run()).toMatchObject({ status: 'ok' });
    status = 'down';
    await clock.advance(999);
    expect(await runner.run()).toMatchObject({ status: 'ok' });
    expect(check).toHaveBeenCalledTimes(1);
    await clock.advance(1);
    expect(await runner.run()).toMatchObject({ status: 'down' });
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('caches a timeout too, so a hung dependency is not probed on every request', async () => {
    const clock = createFakeClock();
    const check = vi.fn(never);
    const runner = createComponentRunner('db', check, { timeoutMs: 100, cacheMs: 5000 }, clock);
    const first = runner.run();
    await clock.advance(100);
    await first;
    expect(await runner.run()).toMatchObject({ status: 'down', error: 'timed out after 100 ms' });
    expect(clock.pending()).toBe(0);
  });
});
