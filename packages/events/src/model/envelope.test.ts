import { getValidator } from '@selfheal/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEnvelope, envelopeTime, parseTimestamp } from './envelope.js';

const ajvEvent = getValidator('event');

// Timestamps near and across the edges the format has: day counts, leap years and seconds,
// offsets, separators, fractions.
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const timestamp = fc
  .record({
    year: fc.constantFrom(1900, 1999, 2000, 2024, 2025, 2100, 2400),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    sep: fc.constantFrom('T', 't', ' ', 'X'),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.integer({ min: 0, max: 61 }),
    fraction: fc.constantFrom('', '.5', '.123', '.123456', '.'),
    zone: fc.constantFrom(
      'Z',
      'z',
      '',
      '+00:00',
      '-01:00',
      '+05:30',
      '+0100',
      '+01',
      '+24:00',
      '-00:60',
    ),
  })
  .map(
    (t) =>
      `${t.year}-${pad(t.month, 2)}-${pad(t.day, 2)}${t.sep}${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${t.fraction}${t.zone}`,
  );

const envelope = fc.record(
  {
    event_type: fc.oneof(fc.constantFrom('pr_merged', 'x1_y', 'Bad', '1x', ''), fc.integer()),
    timestamp: fc.oneof(timestamp, fc.constant(42)),
    trace_id: fc.oneof(fc.constantFrom('t', ''), fc.constant(null)),
    repo: fc.oneof(fc.string(), fc.integer()),
    event_id: fc.constantFrom('01J', '', 3),
    seq: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constant(1.5), fc.constant('1')),
    server_name: fc.constantFrom('a', '', false),
  },
  { requiredKeys: [] },
);

describe('parseTimestamp', () => {
  it('accepts exactly the strings the schema calls date-time', () => {
    fc.assert(
      fc.property(timestamp, (ts) => {
        const ok = ajvEvent({ event_type: 'x', timestamp: ts, trace_id: 't' });
        expect(Number.isNaN(parseTimestamp(ts))).toBe(!ok);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with Date.parse on the instant', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
        (d) => {
          const iso = d.toISOString();
          expect(parseTimestamp(iso)).toBe(d.getTime());
          expect(parseTimestamp(iso.replace('.000Z', 'Z'))).toBe(
            Date.parse(iso.replace('.000Z', 'Z')),
          );
          expect(parseTimestamp(iso.replace('Z', '+02:30'))).toBe(d.getTime() - 150 * 60_000);
        },
      ),
    );
    expect(parseTimestamp('2025-11-12T17:00:00Z')).toBe(Date.parse('2025-11-12T17:00:00Z'));
    expect(parseTimestamp('2016-12-31T23:59:60Z')).toBe(Date.parse('2016-12-31T23:59:59.999Z'));
    expect(parseTimestamp('0099-01-01T00:00:00Z')).toBe(Date.parse('0099-01-01T00:00:00Z'));
  });

  it('gives the same result whatever was read before (the remembered day never leaks)', () => {
    // Pairs on the same day, on neighbouring days and far apart, in canonical and other shapes.
    const day = fc.date({
      min: new Date('1999-12-30'),
      max: new Date('2000-03-02'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(day, timestamp), { minLength: 1, maxLength: 8 }), (reads) => {
        for (const [d, other] of reads) {
          const iso = d.toISOString();
          expect(parseTimestamp(iso)).toBe(d.getTime());
          const ok = ajvEvent({ event_type: 'x', timestamp: other, trace_id: 't' });
          expect(Number.isNaN(parseTimestamp(other))).toBe(!ok);
          expect(parseTimestamp(`${iso.slice(0, 11)}24:00:00.000Z`)).toBeNaN();
          expect(parseTimestamp(`${iso.slice(0, 11)}9:00:00.000Z`)).toBeNaN();
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('envelopeTime', () => {
  it('is the timestamp in epoch ms for a good envelope, the reason for a bad one', () => {
    const at = '2026-11-21T10:00:00.250Z';
    expect(envelopeTime({ event_type: 'a', timestamp: at, trace_id: 't' })).toBe(Date.parse(at));
    expect(envelopeTime({ event_type: 'a', timestamp: at, trace_id: '' })).toBe(
      'bad or missing trace_id',
    );
    expect(envelopeTime({ event_type: 'a', timestamp: 5, trace_id: 't' })).toBe(
      'bad or missing timestamp',
    );
  });
});

describe('checkEnvelope', () => {
  it('agrees with the ajv event schema on every envelope (foreign types)', () => {
    fc.assert(
      fc.property(envelope, (doc) => {
        expect(checkEnvelope(doc) === undefined).toBe(ajvEvent(doc));
      }),
      { numRuns: 3000 },
    );
  });

  it('names what is wrong', () => {
    expect(checkEnvelope([])).toBe('not a JSON object');
    expect(checkEnvelope(null)).toBe('not a JSON object');
    expect(
      checkEnvelope({ event_type: 'a', timestamp: '2025-02-29T00:00:00Z', trace_id: 't' }),
    ).toBe('bad or missing timestamp');
    expect(
      checkEnvelope({ event_type: 'a', timestamp: '2024-02-29T00:00:00Z', trace_id: 't' }),
    ).toBe(undefined);
  });
});
