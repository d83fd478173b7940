import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventArb } from '../../test/arbitraries.js';
import { createTimelineSummarizer } from './timelineSummary.js';

const summarize = (events: { timestamp: string }[], maxKeys?: number) => {
  const s = createTimelineSummarizer(maxKeys);
  for (const e of events as Parameters<typeof s.add>[0][]) s.add(e, Date.parse(e.timestamp));
  return s.summary();
};

describe('createTimelineSummarizer', () => {
  it('is not asked which traces a reader should make: it keeps its own trace table (RFC 0021)', () => {
    expect(createTimelineSummarizer()).not.toHaveProperty('wantsTrace');
  });

  it('gives the same counts and span in any order', () => {
    fc.assert(
      fc.property(
        fc
          .array(eventArb, { maxLength: 60 })
          .chain((events) =>
            fc.tuple(
              fc.constant(events),
              fc.shuffledSubarray(events, { minLength: events.length }),
            ),
          ),
        ([events, shuffled]) => {
          const a = summarize(events);
          const b = summarize(shuffled);
          expect(b).toEqual(a);
          expect(Object.values(a.by_type).reduce((x, y) => x + y, 0)).toBe(events.length);
        },
      ),
    );
  });

  it('caps each table and counts the rest as overflow, so memory stays flat', () => {
    const events = Array.from({ length: 10 }, (_, i) => ({
      event_type: 'x',
      timestamp: '2026-11-21T10:00:00Z',
      trace_id: `trace-${i}`,
    }));
    const s = summarize(events, 4);
    expect(Object.keys(s.by_trace)).toHaveLength(4);
    expect(s.overflow).toEqual({ by_trace: 6 });
    expect(s.by_repo).toEqual({ '(none)': 10 });
    expect(s.unknown_types).toBe(10);
  });
});

describe('unknown_types', () => {
  it('counts only types the event schema does not describe (resilience types are known)', () => {
    const at = '2026-11-21T10:00:00Z';
    const s = summarize([
      { event_type: 'circuit_opened', timestamp: at, trace_id: 't' },
      { event_type: 'server_down', timestamp: at, trace_id: 't' },
      { event_type: 'pr_merged', timestamp: at, trace_id: 't' },
    ] as never[]);
    expect(s.unknown_types).toBe(1);
  });

  it('keeps the first maxKeys traces by key and counts later new ones in overflow', () => {
    const s = createTimelineSummarizer(3);
    const add = (trace_id: string) =>
      s.add({ event_type: 'x', timestamp: '2026-11-21T10:00:00Z', trace_id } as never, 0);
    for (const trace of ['a', 'b', 'c', 'd', 'a', 'e']) add(trace);
    expect(s.summary().by_trace).toEqual({ a: 2, b: 1, c: 1 });
    expect(s.summary().overflow).toEqual({ by_trace: 2 });
  });
});
