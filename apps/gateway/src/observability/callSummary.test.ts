import { createEventFactory, isEventId } from '@selfheal/events';
import type { SelfhealEvent } from '@selfheal/schemas';
import { validate } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../test/helpers/manualClock.js';
import { createCallSummarySink } from './callSummary.js';

const call = (
  latency_ms: number,
  outcome = 'ok',
  tool = 'alpha_echo',
  extra: Record<string, unknown> = {},
) =>
  ({
    event_type: 'call_completed',
    timestamp: '2026-11-21T10:00:00.000Z',
    trace_id: 't',
    ...extra,
    server_name: 'alpha',
    method: 'tools/call',
    tool,
    latency_ms,
    attempts: 1,
    outcome,
    ...extra,
  }) as SelfhealEvent;

function setup(windowMs = 60_000) {
  const clock = manualClock();
  const written: SelfhealEvent[] = [];
  const sink = createCallSummarySink({
    inner: { name: 'file', write: (e) => void written.push(e) },
    clock,
    windowMs,
  });
  return { clock, written, sink };
}

describe('createCallSummarySink', () => {
  it('drops successful calls, keeps failed ones and every other event at once', () => {
    const { written, sink } = setup();
    sink.write(call(1));
    sink.write(call(2, 'timeout'));
    sink.write(call(3, 'rejected'));
    sink.write({ event_type: 'circuit_opened', timestamp: 'x', trace_id: 't' });
    expect(written.map((e) => [e.event_type, e.outcome])).toEqual([
      ['call_completed', 'timeout'],
      ['call_completed', 'rejected'],
      ['circuit_opened', undefined],
    ]);
  });

  it('writes one call_summary per server and tool when the window ends, not a tick before', () => {
    const { clock, written, sink } = setup(60_000);
    for (let i = 1; i <= 100; i++) sink.write(call(i));
    sink.write(call(500, 'error'));
    sink.write(call(7, 'ok', 'alpha_add'));
    clock.advance(59_999);
    expect(written.filter((e) => e.event_type === 'call_summary')).toEqual([]);
    clock.advance(1);
    const summaries = written.filter((e) => e.event_type === 'call_summary');
    expect(summaries).toHaveLength(2);
    const echo = summaries.find((e) => e.tool === 'alpha_echo')!;
    expect(echo).toMatchObject({
      server_name: 'alpha',
      method: 'tools/call',
      calls: 101,
      counts: { ok: 100, error: 1 },
      window_start: '2026-11-21T10:00:00.000Z',
      window_ms: 60_000,
      latency_ms: { p50: 51, p95: 96, p99: 100, max: 500 },
    });
    for (const s of summaries) expect(validate('event', s).issues).toEqual([]);
  });

  it("regression: a call_summary had no event_id (NATS took every one for the same message); now the host's factory makes its envelope", () => {
    const clock = manualClock();
    const written: SelfhealEvent[] = [];
    const sink = createCallSummarySink({
      inner: { name: 'file', write: (e) => void written.push(e) },
      clock,
      windowMs: 1000,
      events: createEventFactory({ clock, repo: 'gw', replica: 'r1' }),
    });
    sink.write(call(1));
    sink.write(call(2, 'ok', 'alpha_add'));
    clock.advance(1000);
    const summaries = written.filter((e) => e.event_type === 'call_summary');
    expect(summaries).toHaveLength(2);
    for (const s of summaries) {
      expect(s).toMatchObject({
        timestamp: '2026-11-21T10:00:01.000Z',
        trace_id: 'summary-alpha',
        repo: 'gw',
        replica: 'r1',
      });
      expect(isEventId(s.event_id as string)).toBe(true);
    }
    expect(summaries[0]!.event_id).not.toBe(summaries[1]!.event_id);
  });

  it('regression: an outage wrote every refused call one by one; now the first of each kind per window, the rest counted exactly', () => {
    const { clock, written, sink } = setup(60_000);
    const refused = (i: number) =>
      call(0.1, 'rejected', 'alpha_echo', { error_code: 'CIRCUIT_OPEN', trace_id: `r${i}` });
    for (let i = 0; i < 1000; i++) sink.write(refused(i));
    for (let i = 0; i < 10; i++)
      sink.write(
        call(5, 'error', 'alpha_echo', { error_code: 'UPSTREAM_UNAVAILABLE', trace_id: `e${i}` }),
      );
    for (let i = 0; i < 4; i++)
      sink.write(call(9, 'ok', 'alpha_echo', { fallback_server: 'beta', trace_id: `f${i}` }));
    sink.write(call(1));
    expect(written.map((e) => e.trace_id)).toEqual(['r0', 'e0', 'f0']);
    clock.advance(60_000);
    const [summary] = written.filter((e) => e.event_type === 'call_summary');
    expect(summary).toMatchObject({
      calls: 1015,
      counts: { rejected: 1000, error: 10, ok: 5 },
      kinds: [
        {
          outcome: 'rejected',
          error_code: 'CIRCUIT_OPEN',
          calls: 1000,
          trace_ids: ['r0', 'r1', 'r2'],
        },
        {
          outcome: 'error',
          error_code: 'UPSTREAM_UNAVAILABLE',
          calls: 10,
          trace_ids: ['e0', 'e1', 'e2'],
        },
        { outcome: 'ok', fallback_server: 'beta', calls: 4, trace_ids: ['f0', 'f1', 'f2'] },
      ],
    });
    expect(validate('event', summary).issues).toEqual([]);
    // A new window: the first refused call of it is written at once again.
    sink.write(refused(1000));
    expect(written.at(-1)?.trace_id).toBe('r1000');
  });

  it('writes nothing for a quiet window and starts a new window after a flush', () => {
    const { clock, written, sink } = setup(1000);
    clock.advance(5000);
    expect(written).toEqual([]);
    sink.write(call(4));
    clock.advance(1000);
    sink.write(call(6));
    clock.advance(1000);
    const summaries = written.filter((e) => e.event_type === 'call_summary');
    expect(summaries.map((s) => [s.calls, s.window_start])).toEqual([
      [1, '2026-11-21T10:00:05.000Z'],
      [1, '2026-11-21T10:00:06.000Z'],
    ]);
  });

  it('close() writes the open window before closing the inner sink', async () => {
    const { written, sink } = setup();
    sink.write(call(3));
    await sink.close?.();
    expect(written.map((e) => e.event_type)).toEqual(['call_summary']);
  });
});
