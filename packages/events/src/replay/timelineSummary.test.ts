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

describe('counting traces by the numbers reads gave them', () => {
  /**
   * Reads as a log reader numbers them: in file order, the first `bound` distinct trace ids get
   * 0, 1, ...; later new ones, and those the scanner cannot number (`odd`), get -1.
   */
  const numbered = (traces: string[], bound: number, odd: Set<string>) => {
    const numbers = new Map<string, number>();
    return traces.map((trace) => {
      if (!numbers.has(trace) && !odd.has(trace) && numbers.size < bound) {
        numbers.set(trace, numbers.size);
      }
      return numbers.get(trace) ?? -1;
    });
  };
  const event = (trace_id: string) =>
    ({ event_type: 'x', timestamp: '2026-12-06T10:00:00Z', trace_id }) as never;

  it('gives the counts of a plain count, however reads, bounds and filters fall (property)', () => {
    const trace = fc.constantFrom(...'abcdefghij'.split('').map((c) => `trace-${c}`));
    const read = fc.record({
      traces: fc.array(trace, { maxLength: 40 }),
      bound: fc.integer({ min: 0, max: 8 }),
      // Events a filter (--server, --until) keeps from the summary, numbered all the same.
      shown: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    });
    fc.assert(
      fc.property(
        fc.array(read, { minLength: 1, maxLength: 3 }),
        fc.subarray(['trace-a', 'trace-b', 'trace-c']),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.nat(), { maxLength: 120 }),
        (reads, odd, maxKeys, picks) => {
          const queues = reads.map((r, index) => {
            const numbers = numbered(r.traces, r.bound, new Set(odd));
            return r.traces
              .map((t, i) => ({ t, number: numbers[i]!, read: index }))
              .filter((_, i) => r.shown[i]);
          });
          // The reads merged in any order that keeps each one's own (as the replay's merge).
          const merged: { t: string; number: number; read: number }[] = [];
          let k = 0;
          for (let live = queues.filter((q) => q.length > 0); live.length > 0; k++) {
            const q = live[(picks[k] ?? 0) % live.length]!;
            merged.push(q.shift()!);
            live = live.filter((x) => x.length > 0);
          }
          const byNumber = createTimelineSummarizer(maxKeys);
          const plain = createTimelineSummarizer(maxKeys);
          for (const e of merged) {
            byNumber.add(event(e.t), 0, e.number, e.read);
            plain.add(event(e.t), 0);
          }
          expect(byNumber.summary()).toEqual(plain.summary());
        },
      ),
      { numRuns: 500 },
    );
  });

  it('counts a trace without a number in overflow once every key has a number in its read', () => {
    const s = createTimelineSummarizer(2);
    s.add(event('a'), 0, 0, 0);
    s.add(event('b'), 0, 1, 0);
    // A trace the read could not number equals none it numbered: overflow, whatever its text.
    // (A reader never gives -1 to a trace it numbered: the text here shows the string is not
    // looked at.)
    s.add(event('a'), 0, -1, 0);
    // Another read's -1: its numbered traces are not the keys, so its string decides.
    s.add(event('a'), 0, -1, 1);
    s.add(event('c'), 0, -1, 1);
    expect(s.summary().by_trace).toEqual({ a: 2, b: 1 });
    expect(s.summary().overflow).toEqual({ by_trace: 2 });
    // A number without its read says nothing: the string counts.
    s.add(event('a'), 0, -1);
    expect(s.summary().by_trace).toEqual({ a: 3, b: 1 });
  });
});
