import { createFakeClock } from '@selfheal/internal/testing';
import { validate } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { processStartMs } from './clock.js';
import { HealthEndpointError, HealthEndpointErrorCode } from './errors.js';
import { createHealthEndpoint } from './healthEndpoint.js';
import type { HealthEndpointOptions } from './options.js';

describe('createHealthEndpoint().evaluate', () => {
  it('answers ok with timestamp, whole-second uptime and version from the injected clock', async () => {
    const clock = createFakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const health = createHealthEndpoint({
      version: '1.2.3',
      startedAt: clock.now() - 90_999,
      clock,
      metadata: { region: 'eu' },
    });
    const { body, httpStatus } = await health.evaluate();
    expect(httpStatus).toBe(200);
    expect(body).toEqual({
      status: 'ok',
      timestamp: '2026-01-01T12:00:00.000Z',
      uptime_seconds: 90,
      version: '1.2.3',
      metadata: { region: 'eu' },
    });
    await clock.advance(1);
    expect((await health.evaluate()).body.uptime_seconds).toBe(91);
  });

  it('counts uptime from the start of this process by default', async () => {
    const health = createHealthEndpoint({ clock: { now: () => processStartMs() + 42_500 } });
    expect((await health.evaluate()).body.uptime_seconds).toBe(42);
  });

  it('never reports negative uptime when the clock is behind startedAt', async () => {
    const clock = createFakeClock();
    const health = createHealthEndpoint({ clock, startedAt: clock.now() + 5000 });
    expect((await health.evaluate()).body.uptime_seconds).toBe(0);
  });

  it('rolls components up by the W3 rule and names the failures in error', async () => {
    const clock = createFakeClock();
    const health = createHealthEndpoint({
      clock,
      checks: {
        database: () => 'ok',
        cache: () => ({ status: 'degraded', error: 'hit rate 12%' }),
        search: () => {
          throw new Error('connect ECONNREFUSED to https://user:pw@search.internal');
        },
      },
    });
    const { body, httpStatus } = await health.evaluate();
    expect(httpStatus).toBe(503);
    expect(body.status).toBe('down');
    expect(body.checks).toEqual({ database: 'ok', cache: 'degraded', search: 'down' });
    expect(body.error).toBe(
      'cache: degraded (hit rate 12%); search: down (connect ECONNREFUSED to https://[redacted])',
    );
    expect(validate('health-check', body).valid).toBe(true);
  });

  it('is degraded (200) when only degraded components fail, with no error when ok', async () => {
    const clock = createFakeClock();
    let cache: 'ok' | 'degraded' = 'degraded';
    const health = createHealthEndpoint({ clock, checks: { db: () => 'ok', cache: () => cache } });
    expect(await health.evaluate()).toMatchObject({
      httpStatus: 200,
      body: { status: 'degraded', error: 'cache: degraded' },
    });
    cache = 'ok';
    const { body } = await health.evaluate();
    expect(body.status).toBe('ok');
    expect(body).not.toHaveProperty('error');
  });

  it('runs checks concurrently: two hung checks cost one timeout, not two', async () => {
    const clock = createFakeClock();
    const hang = () => new Promise<never>(() => {});
    const health = createHealthEndpoint({
      clock,
      checks: { a: { check: hang, timeoutMs: 300 }, b: { check: hang, timeoutMs: 300 } },
    });
    let done = false;
    const answer = health.evaluate().then((r) => {
      done = true;
      return r;
    });
    await clock.advance(299);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(done).toBe(true);
    expect((await answer).body.error).toBe(
      'a: down (timed out after 300 ms); b: down (timed out after 300 ms)',
    );
  });

  it('uses defaultTimeoutMs (2000) for checks without their own', async () => {
    const clock = createFakeClock();
    const health = createHealthEndpoint({ clock, checks: { db: () => new Promise(() => {}) } });
    const answer = health.evaluate();
    await clock.advance(2000);
    expect((await answer).body.error).toBe('db: down (timed out after 2000 ms)');
  });

  const ok = (): 'ok' => 'ok';
  it.each<[HealthEndpointOptions, string]>([
    [{ checks: { Database: ok } }, 'options.checks.Database'],
    [{ checks: { db: { check: ok, timeoutMs: 6000 } } }, 'options.checks.db.timeoutMs'],
    [{ checks: { db: { check: ok, cacheMs: -1 } } }, 'options.checks.db.cacheMs'],
    [{ checks: { db: 'ok' as never } }, 'options.checks.db'],
    [{ budgetMs: 10_000 }, 'options.budgetMs'],
    [{ defaultTimeoutMs: 0 }, 'options.defaultTimeoutMs'],
    [{ path: 'health' }, 'options.path'],
  ])('rejects bad options with a coded error naming the option (%#)', (options, where) => {
    let error: unknown;
    try {
      createHealthEndpoint(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HealthEndpointError);
    expect((error as HealthEndpointError).code).toBe(HealthEndpointErrorCode.InvalidOption);
    expect((error as Error).message).toContain(`${where}:`);
  });
});
