import type { SelfhealEvent } from '@selfheal/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  breakerStates,
  callSeries,
  type Entry,
  lastIndexAtOrBefore,
  mergeEntries,
  quantile,
  recentSummaries,
  reconnectDelay,
  sameSeries,
  splitStderr,
  windowStart,
} from './model.js';

const entry = (ms: number, fields: Record<string, unknown> = {}): Entry => ({
  ms,
  event: {
    event_type: 'x',
    timestamp: new Date(ms).toISOString(),
    trace_id: 't',
    ...fields,
  } as SelfhealEvent,
});

describe('reconnectDelay', () => {
  it('doubles from 250 ms and never passes 8 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(reconnectDelay)).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });
});

describe('mergeEntries', () => {
  it('drops events already there by event_id (the log read back after a reconnect)', () => {
    const history = [entry(1, { event_id: 'a' }), entry(2, { event_id: 'b' })];
    const merged = mergeEntries(history, [
      entry(2, { event_id: 'b' }),
      entry(3, { event_id: 'c' }),
    ]);
    expect(merged.map((e) => e.event.event_id)).toEqual(['a', 'b', 'c']);
  });

  it('keeps time order, stable for ties, whatever the order events arrive in', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 40 }), (times) => {
        const incoming = times.map((ms, i) => entry(ms, { event_id: String(i) }));
        const merged = mergeEntries([], incoming);
        const expected = incoming.slice().sort((a, b) => a.ms - b.ms);
        expect(merged.map((e) => e.event.event_id)).toEqual(expected.map((e) => e.event.event_id));
      }),
    );
  });
});

describe('lastIndexAtOrBefore', () => {
  it('finds the last entry at or before an instant', () => {
    const entries = [1, 2, 2, 5].map((ms) => entry(ms));
    expect([0, 1, 2, 3, 5, 9].map((ms) => lastIndexAtOrBefore(entries, ms))).toEqual([
      -1, 0, 2, 2, 3, 3,
    ]);
  });
});

describe('callSeries', () => {
  const call = (ms: number, server: string, latency_ms: number, outcome = 'ok') =>
    entry(ms, { event_type: 'call_completed', server_name: server, latency_ms, outcome });

  it('buckets calls per server: rate, error percent, p50 and p99', () => {
    const now = 100_000;
    const calls = [
      call(96_000, 'a', 10),
      call(96_500, 'a', 20),
      call(97_000, 'a', 30, 'error'),
      call(97_500, 'a', 400, 'timeout'),
      call(50_000, 'b', 5),
      call(1_000, 'a', 1), // before the window
    ];
    const series = callSeries(calls, now, 10_000, 5_000);
    // Two buckets: [95 s, 100 s) and the one now opens.
    expect(series.get('a')).toEqual([
      { t: 95, calls: 4, callsPerSecond: 0.8, errorPercent: 50, p50: 20, p99: 400 },
      { t: 100, calls: 0, callsPerSecond: 0, errorPercent: null, p50: null, p99: null },
    ]);
    expect(series.has('b')).toBe(false);
  });

  const summary = (endMs: number, server: string, fields: Record<string, unknown>) =>
    entry(endMs, {
      event_type: 'call_summary',
      server_name: server,
      window_start: new Date(endMs - 60_000).toISOString(),
      window_ms: 60_000,
      ...fields,
    });

  it("fills the time before the live calls from the log's call summaries", () => {
    const now = 200_000;
    // 120 calls over [100 s, 160 s): 2 calls/s, a quarter failed; the page went live at 150 s.
    const summaries = [
      summary(160_000, 'a', {
        calls: 120,
        counts: { ok: 90, error: 20, timeout: 10 },
        latency_ms: { p50: 12, p95: 40, p99: 80, max: 90 },
      }),
      summary(160_000, 'b', {
        calls: 6,
        counts: { ok: 6 },
        latency_ms: { p50: 2, p95: 3, p99: 4, max: 4 },
      }),
    ];
    const live = [call(152_000, 'a', 7), call(153_000, 'a', 9)];
    const series = callSeries(live, now, 110_000, 5_000, { summaries, untilMs: 150_000 });
    const a = series.get('a')!;
    const at = (t: number) => a.find((b) => b.t === t)!;
    expect(a.length).toBe(22);
    // Before the window of the summary: nothing.
    expect(at(95)).toMatchObject({ calls: 0, p50: null });
    // Inside it, before the live calls: 10 calls a bucket, the summary's latency and errors.
    expect(at(105)).toEqual({
      t: 105,
      calls: 10,
      callsPerSecond: 2,
      errorPercent: 25,
      p50: 12,
      p99: 80,
    });
    expect(at(145).calls).toBe(10);
    // From where the live calls take over, the summary no longer counts: no double count.
    expect(at(150)).toMatchObject({ calls: 2, p50: 7, p99: 9, errorPercent: 0 });
    expect(at(155).calls).toBe(0);
    const total = a.reduce((n, b) => n + b.calls, 0);
    expect(total).toBeCloseTo(100 + 2);
    // Two summaries in one bucket: p50 weighted by calls, p99 the largest.
    const both = callSeries([], now, 100_000, 5_000, {
      summaries: [
        summary(160_000, 'a', { calls: 60, counts: { ok: 60 }, latency_ms: { p50: 10, p99: 50 } }),
        summary(160_000, 'a', {
          calls: 180,
          counts: { ok: 180 },
          latency_ms: { p50: 30, p99: 20 },
        }),
      ],
      untilMs: now,
    }).get('a')!;
    expect(both.find((b) => b.t === 120)).toMatchObject({ calls: 20, p50: 25, p99: 50 });
  });

  it('recentSummaries keeps the call summaries of the last minutes only', () => {
    const entries = [
      summary(10_000, 'a', { calls: 1 }),
      entry(20_000, { event_type: 'server_down', server_name: 'a' }),
      summary(70_000, 'a', { calls: 2 }),
      summary(130_000, 'b', { calls: 3 }),
    ];
    expect(recentSummaries(entries, 60_000).map((e) => e.ms)).toEqual([70_000, 130_000]);
    expect(recentSummaries(entries, 200_000)).toEqual([]);
  });

  it('quantile is the nearest rank', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(quantile([7], 0.5)).toBe(7);
  });
});

describe('splitStderr and breakerStates', () => {
  it('splits the stderr tail off a server_down reason', () => {
    expect(splitStderr('exited with code 1; stderr: boom | at x')).toEqual({
      message: 'exited with code 1',
      stderr: ['boom', 'at x'],
    });
    expect(splitStderr('timeout')).toEqual({ message: 'timeout', stderr: [] });
  });

  it("takes each server's breaker from its last server-wide circuit event", () => {
    const states = breakerStates([
      entry(1, { event_type: 'circuit_opened', server_name: 'a', circuit: 'a' }),
      entry(2, { event_type: 'circuit_half_opened', server_name: 'a', circuit: 'a' }),
      entry(3, { event_type: 'circuit_opened', server_name: 'a', circuit: 'a/echo' }),
      entry(4, { event_type: 'circuit_opened', server_name: 'b', circuit: 'b' }),
      entry(5, { event_type: 'circuit_closed', server_name: 'b', circuit: 'b' }),
    ]);
    expect([...states]).toEqual([
      ['a', 'half-open'],
      ['b', 'closed'],
    ]);
  });
});

describe('windowStart', () => {
  const end = Date.UTC(2026, 11, 6, 8, 30, 42, 500);
  it('is undefined for the whole log and the instant chosen for a start', () => {
    expect(windowStart({ kind: 'all' }, end)).toBeUndefined();
    expect(windowStart({ kind: 'from', ms: 1234 }, end)).toBe(1234);
  });

  it('starts a last-span window on the whole minute at or before end minus the span', () => {
    expect(windowStart({ kind: 'last', spanMs: 3_600_000 }, end)).toBe(
      Date.UTC(2026, 11, 6, 7, 30),
    );
    // Live, events within the same minute keep the start (and the fold) where it is.
    expect(windowStart({ kind: 'last', spanMs: 3_600_000 }, end + 10_000)).toBe(
      Date.UTC(2026, 11, 6, 7, 30),
    );
    expect(windowStart({ kind: 'last', spanMs: 3_600_000 }, end + 20_000)).toBe(
      Date.UTC(2026, 11, 6, 7, 31),
    );
  });
});

describe('sameSeries', () => {
  it('tells data with the same values from data with a changed, added or missing one', () => {
    const a = [
      [1, 2],
      [0.5, null],
    ];
    expect(sameSeries(a, a)).toBe(true);
    expect(
      sameSeries(a, [
        [1, 2],
        [0.5, null],
      ]),
    ).toBe(true);
    expect(
      sameSeries(a, [
        [1, 2],
        [0.5, 3],
      ]),
    ).toBe(false);
    expect(
      sameSeries(a, [
        [1, 2, 3],
        [0.5, null, 1],
      ]),
    ).toBe(false);
    expect(sameSeries(a, [[1, 2]])).toBe(false);
  });
});
