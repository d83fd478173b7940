import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ejectionsAt,
  evolveCircuit,
  foldCircuit,
  initialCircuitState,
  isCircuitEvent,
  openDuration,
} from './circuitState.js';
import type { CircuitEvent } from './events.js';

const envelope = (at: string) => ({
  timestamp: at,
  trace_id: 't',
  repo: 'selfheal',
  server_name: 'a',
  circuit: 'a',
});
const opened = (at: string, ejections: number, open_ms: number): CircuitEvent => ({
  ...envelope(at),
  event_type: 'circuit_opened',
  reason: 'consecutive_failures',
  ejections,
  open_ms,
});

describe('evolveCircuit', () => {
  it('walks closed → open → half-open → open → half-open → closed from event times', () => {
    const events: CircuitEvent[] = [
      opened('2026-11-21T10:00:00.000Z', 1, 30_000),
      { ...envelope('2026-11-21T10:00:30.000Z'), event_type: 'circuit_half_opened', probes: 2 },
      opened('2026-11-21T10:00:31.000Z', 2, 60_000),
      { ...envelope('2026-11-21T10:01:31.000Z'), event_type: 'circuit_half_opened', probes: 2 },
      {
        ...envelope('2026-11-21T10:01:32.000Z'),
        event_type: 'circuit_closed',
        reason: 'probes_succeeded',
        ejections: 2,
      },
    ];
    const states: ReturnType<typeof evolveCircuit>[] = [];
    let state = initialCircuitState;
    for (const event of events) {
      state = evolveCircuit(state, event);
      states.push(state);
    }
    expect(states.map((s) => s.mode)).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
    expect(states[0]).toEqual({
      mode: 'open',
      ejections: 1,
      since: Date.parse('2026-11-21T10:00:00Z'),
      openUntil: Date.parse('2026-11-21T10:00:30Z'),
    });
    expect(states[1]).toMatchObject({ probes: 2, ejections: 1 });
    expect(states[4]).toEqual({
      mode: 'closed',
      ejections: 2,
      since: Date.parse('2026-11-21T10:01:32Z'),
    });
  });

  it('isolates, goes metrics-only, and ignores a dry run report', () => {
    const isolated = evolveCircuit(initialCircuitState, {
      ...envelope('2026-11-21T10:00:00Z'),
      event_type: 'circuit_isolated',
      reason: 'maintenance',
    });
    expect(isolated.mode).toBe('isolated');
    const dry = evolveCircuit(isolated, {
      ...envelope('2026-11-21T10:00:01Z'),
      event_type: 'circuit_metrics_only',
    });
    expect(dry.mode).toBe('metrics_only');
    const report = {
      ...envelope('2026-11-21T10:00:02Z'),
      event_type: 'circuit_threshold_exceeded',
      reason: 'failure_rate',
    } as const;
    expect(evolveCircuit(dry, report)).toBe(dry);
  });
});

describe('foldCircuit', () => {
  it('folds only its own circuit out of a mixed log', () => {
    const log = [
      { event_type: 'health_check_completed', server_name: 'a', status: 'ok' },
      opened('2026-11-21T10:00:00.000Z', 1, 1000),
      { ...opened('2026-11-21T10:00:05.000Z', 3, 9000), circuit: 'b' },
      { event_type: 'retry_attempted', circuit: 'a' },
    ];
    expect(foldCircuit(log, 'a')).toMatchObject({ mode: 'open', ejections: 1 });
    expect(foldCircuit(log, 'b')).toMatchObject({ mode: 'open', ejections: 3 });
    expect(foldCircuit(log, 'c')).toBe(initialCircuitState);
    expect(isCircuitEvent({ event_type: 'retry_attempted' })).toBe(false);
  });
});

describe('ejectionsAt', () => {
  it('forgets one ejection per decay period while closed, none while open', () => {
    const closed = { mode: 'closed' as const, ejections: 3, since: 1000 };
    expect(ejectionsAt(closed, 1000 + 59_999, 60_000)).toBe(3);
    expect(ejectionsAt(closed, 1000 + 60_000, 60_000)).toBe(2);
    expect(ejectionsAt(closed, 1000 + 10 * 60_000, 60_000)).toBe(0);
    expect(ejectionsAt({ ...closed, mode: 'open' }, 1e12, 60_000)).toBe(3);
  });
});

describe('openDuration', () => {
  it('doubles per consecutive ejection up to the cap', () => {
    const options = { openMs: 1000, maxOpenMs: 5000, jitter: 0 };
    expect([1, 2, 3, 4, 50, 2000].map((n) => openDuration(n, options, () => 0))).toEqual([
      1000, 2000, 4000, 5000, 5000, 5000,
    ]);
    expect(openDuration(1, { ...options, jitter: 0.1 }, () => 0.5)).toBe(950);
  });

  it('stays in [0, max_open_ms] for any input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (ejections, openMs, maxOpenMs, jitter, r) => {
          const ms = openDuration(ejections, { openMs, maxOpenMs, jitter }, () => r);
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(ms).toBeLessThanOrEqual(maxOpenMs);
        },
      ),
    );
  });
});
