import { isHealthCheckResponse } from '@selfheal/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainHealthBody, judgeHealth } from './judgeHealth.js';

const NOW = Date.parse('2026-11-21T10:00:00.000Z');
const body = (fields: Record<string, unknown>) =>
  JSON.stringify({
    status: 'ok',
    timestamp: '2026-11-21T09:59:30.000Z',
    uptime_seconds: 3,
    ...fields,
  });

describe('isPlainHealthBody (the fast path)', () => {
  it('takes the common three-field body', () => {
    expect(
      isPlainHealthBody({ status: 'ok', timestamp: '2026-11-21T10:00:00Z', uptime_seconds: 0 }),
    ).toBe(true);
  });

  it('leaves anything else to the schema validator', () => {
    const base = { status: 'ok', timestamp: '2026-11-21T10:00:00Z', uptime_seconds: 1 };
    expect(isPlainHealthBody({ ...base, version: '1' })).toBe(false);
    expect(isPlainHealthBody({ ...base, status: 'fine' })).toBe(false);
    expect(isPlainHealthBody({ ...base, timestamp: '2026-02-30T10:00:00Z' })).toBe(false);
    expect(isPlainHealthBody({ ...base, uptime_seconds: 1.5 })).toBe(false);
    expect(isPlainHealthBody({ ...base, uptime_seconds: -1 })).toBe(false);
    expect(isPlainHealthBody([base])).toBe(false);
    expect(isPlainHealthBody(null)).toBe(false);
  });

  it('never accepts a body the schema rejects (property)', () => {
    const timestamp = fc.oneof(
      fc
        .date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc.constantFrom(
        '2026-11-21T10:00:00Z',
        '2026-11-21t10:00:00+02:00',
        '2026-11-21 10:00:00.5-01:30',
        '2024-02-29T23:59:60Z',
        '2023-02-29T10:00:00Z',
        '2026-13-01T10:00:00Z',
        '2026-11-21T10:00:00',
        '2026-11-21',
        '',
      ),
      fc.string(),
    );
    const anyValue = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    );
    const fields = {
      status: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('ok', 'degraded', 'down') },
        { weight: 1, arbitrary: fc.oneof(fc.constantFrom('OK', ''), anyValue) },
      ),
      timestamp: fc.oneof({ weight: 4, arbitrary: timestamp }, { weight: 1, arbitrary: anyValue }),
      uptime_seconds: fc.oneof(
        { weight: 3, arbitrary: fc.nat() },
        { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -5, max: -1 }), fc.double(), anyValue) },
      ),
    };
    const candidate = fc.oneof(
      fc.record(fields),
      fc.record({ ...fields, version: fc.string() }, { requiredKeys: [] }),
    );
    let taken = 0;
    fc.assert(
      fc.property(candidate, (doc) => {
        // Through JSON, as a body arrives.
        const parsed = JSON.parse(JSON.stringify(doc));
        if (isPlainHealthBody(parsed)) {
          taken++;
          expect(isHealthCheckResponse(parsed)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
    // The property is only worth something if the fast path took a fair share of the bodies.
    expect(taken).toBeGreaterThan(20);
  });
});

describe('judgeHealth', () => {
  it('ok, degraded (a warning with the error), down', () => {
    expect(judgeHealth(200, body({}), NOW, 60_000)).toEqual({ status: 'ok' });
    expect(judgeHealth(200, body({ status: 'degraded', error: 'cold' }), NOW, 60_000)).toEqual({
      status: 'degraded',
      error: 'cold',
    });
    expect(judgeHealth(503, body({ status: 'down' }), NOW, 60_000)).toEqual({
      status: 'down',
      error: 'the server reports down',
    });
  });

  it('keeps the checks of a body that needs the full validator', () => {
    expect(judgeHealth(200, body({ checks: { db: 'ok' } }), NOW, 60_000)).toEqual({
      status: 'ok',
      checks: { db: 'ok' },
    });
  });

  it('fails a 5xx with a valid ok body, and a body that breaks the schema, naming pointers', () => {
    expect(judgeHealth(500, body({}), NOW, 60_000)).toEqual({ status: 'down', error: 'HTTP 500' });
    const bad = judgeHealth(200, body({ checks: { DB: 'fine' } }), NOW, 60_000);
    expect(bad.status).toBe('down');
    expect(bad.error).toContain('invalid /health body');
    expect(bad.error).toContain('/checks');
  });

  it('stale past the limit, measured on the strict timestamp', () => {
    expect(judgeHealth(200, body({ timestamp: '2026-11-21T09:59:00Z' }), NOW, 60_000).status).toBe(
      'ok',
    );
    const stale = judgeHealth(200, body({ timestamp: '2026-11-21T09:58:59Z' }), NOW, 60_000);
    expect(stale).toMatchObject({ status: 'down', error: expect.stringContaining('61 s old') });
  });
});
