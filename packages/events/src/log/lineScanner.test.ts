import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeTime } from '../model/envelope.js';
import { createLineScanner, type FoldEvent } from './lineScanner.js';

const event = (extra: Record<string, unknown> = {}) => ({
  event_type: 'health_check_completed',
  timestamp: '2026-11-21T10:00:01.500Z',
  trace_id: '01KDVDNBEWCJ9WGW5ZJ2SXQ0MH',
  repo: 'monitor',
  event_id: '01KDVDNBEWCJ9WGW5ZJ2SXQ0MH',
  server_name: 'server-00',
  status: 'ok',
  response_time_ms: 1.5,
  checks: { database: 'ok', deep: [1, -2.5e-3, true, false, null, { a: [] }] },
  probe: 'http',
  seq: 0,
  ...extra,
});

/** The fold fields JSON.parse gives for `line`, the reference the scanner must match. */
function reference(parsed: Record<string, unknown>): FoldEvent {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return {
    event_type: parsed.event_type as string,
    timestamp: parsed.timestamp as string,
    trace_id: parsed.trace_id as string,
    repo: str(parsed.repo),
    server_name: str(parsed.server_name),
    status: str(parsed.status),
    response_time_ms: num(parsed.response_time_ms),
    error: str(parsed.error),
    reason: str(parsed.reason),
    attempt: num(parsed.attempt),
    strategy: str(parsed.strategy),
    transport: str(parsed.transport),
  };
}

/** Scans `line` (plus its newline) after a prefix, so offsets other than 0 are exercised. */
function scan(line: string, scanner = createLineScanner()) {
  const prefix = '{"skipped":1}\n';
  const bytes = Buffer.from(`${prefix}${line}\n`);
  const start = Buffer.byteLength(prefix);
  const fields = scanner.scan(bytes, start);
  return { fields, ms: scanner.ms, end: scanner.end, newline: bytes.length - 1 };
}

/**
 * The scanner's contract on one line: when it gives fields, JSON.parse and the envelope check
 * accept the line, and the fields and the timestamp are theirs. Returns whether it accepted.
 */
function holdsContract(line: string, scanner = createLineScanner()): boolean {
  const { fields, ms, end, newline } = scan(line, scanner);
  if (fields === undefined) return false;
  const parsed = JSON.parse(line) as Record<string, unknown>;
  const time = envelopeTime(parsed);
  expect(typeof time).toBe('number');
  expect(ms).toBe(time);
  expect(end).toBe(newline);
  expect(fields).toEqual(reference(parsed));
  return true;
}

describe('createLineScanner', () => {
  it('reads the fold fields of a line as JSON.parse does, nested values and all', () => {
    expect(holdsContract(JSON.stringify(event()))).toBe(true);
    const { fields, ms } = scan(JSON.stringify(event()));
    expect(fields).toMatchObject({ server_name: 'server-00', status: 'ok', response_time_ms: 1.5 });
    expect(ms).toBe(Date.UTC(2026, 10, 21, 10, 0, 1, 500));
  });

  it('reads every name right past the name table (2,048 names of at most 64 bytes)', () => {
    // One scanner for all lines: the names of earlier lines fill its table.
    const scanner = createLineScanner();
    const named = (i: number) =>
      JSON.stringify(
        event({
          server_name: `server-${i}`,
          repo: i % 2 === 0 ? 'monitor' : 'gateway',
          status: i % 3 === 0 ? 'ok' : 'down',
          strategy: 'restart',
        }),
      );
    for (let i = 0; i < 2100; i++) expect(holdsContract(named(i), scanner)).toBe(true);
    // Names from before the table filled, and new ones after.
    for (const i of [0, 7, 2046, 2047, 2048, 2099, 5000]) {
      expect(holdsContract(named(i), scanner)).toBe(true);
    }
    for (const length of [63, 64, 65, 200]) {
      const long = JSON.stringify(event({ server_name: 'n'.repeat(length), event_type: 'x' }));
      expect(holdsContract(long, scanner)).toBe(true);
      expect(holdsContract(long, scanner)).toBe(true);
    }
  });

  it('reads trace ids right past the trace table (4,096), side by side with the timestamp or not', () => {
    const scanner = createLineScanner();
    for (let i = 0; i < 4100; i++) {
      expect(holdsContract(JSON.stringify(event({ trace_id: `trace-${i}` })), scanner)).toBe(true);
    }
    // Past the table the timestamp and the trace id are cut from one slice when close: every
    // order, distance and kind of string.
    const at = '2026-11-21T10:00:01.500Z';
    const lines = [
      `{"event_type":"a","timestamp":"${at}","trace_id":"01KDVDNBEWCJ9WGW5ZJ2SXQ0MH"}`,
      `{"event_type":"a","timestamp":"${at}","trace_id":"t"}`,
      `{"event_type":"a","trace_id":"01KDVDNBEWCJ9WGW5ZJ2SXQ0MX","timestamp":"${at}"}`,
      `{"event_type":"a","timestamp":"${at}","n":"${'x'.repeat(40)}","trace_id":"trace-far-${'y'.repeat(30)}"}`,
      `{"event_type":"a","timestamp":"${at}","trace_id":"${'z'.repeat(72)}"}`,
      `{"event_type":"a","timestamp":"${at}","trace_id":"trace-é✓-0123456789"}`,
      `{"event_type":"a","timestamp":"2026-11-21T10:00:01Z","trace_id":"trace-0"}`,
    ];
    for (const line of lines) expect(holdsContract(line, scanner), line).toBe(true);
  });

  it('accepts whitespace, CR, duplicate keys (the last wins) and non-ASCII strings', () => {
    const lines = [
      ` { "event_type" : "server_down" ,\t"timestamp":"2026-11-21T10:00:00Z", "trace_id":"t" } \r`,
      '{"event_type":"server_down","status":"ok","timestamp":"2026-11-21T10:00:00Z","trace_id":"t","status":"down"}',
      '{"event_type":"recovery_failed","timestamp":"2026-11-21T10:00:00Z","trace_id":"é✓","error":"кирилица ✓","server_name":"srv-é"}',
      '{"event_type":"x","timestamp":"2026-11-21T10:00:00Z","trace_id":"t","attempt":3,"response_time_ms":-0,"status":7,"error":null,"reason":{"a":1}}',
      '{"event_type":"x","timestamp":"2026-11-21T10:00:00Z","trace_id":"t","response_time_ms":1.2345678901234567e2,"attempt":12345678901234567890}',
    ];
    for (const line of lines) expect(holdsContract(line), line).toBe(true);
  });

  it('declines every line JSON.parse or the envelope check would reject', () => {
    const good = JSON.stringify(event());
    const bad = [
      '',
      'null',
      '[1]',
      '{}',
      good.slice(0, -1),
      `${good},`,
      `${good}x`,
      good.replace('"probe"', 'probe'),
      good.replace(':0}', ':01}'),
      good.replace(':1.5,', ':1.,'),
      good.replace(':1.5,', ':.5,'),
      good.replace(':1.5,', ':1e,'),
      good.replace(':1.5,', ':+1,'),
      good.replace('true', 'tru'),
      good.replace('null', 'nul'),
      good.replace('[1,', '[1,,'),
      good.replace('[]', '[,]'),
      good.replace('"http"', '"ht\ttp"'),
      good.replace('"http"', "'http'"),
      good.replace('"database":', '"database"'),
      good.replace('"health_check_completed"', '"HealthCheck"'),
      good.replace('"health_check_completed"', '""'),
      good.replace('"health_check_completed"', '3'),
      good.replace('"2026-11-21T10:00:01.500Z"', '"yesterday"'),
      good.replace('"2026-11-21T10:00:01.500Z"', '"2026-02-30T10:00:01.500Z"'),
      good.replace('"2026-11-21T10:00:01.500Z"', '"2026-11-21T24:00:01.500Z"'),
      good.replace('"01KDVDNBEWCJ9WGW5ZJ2SXQ0MH"', '""'),
      good.replace('"monitor"', 'null'),
      good.replace('"server-00"', '""'),
      good.replace('"seq":0', '"seq":-1'),
      good.replace('"seq":0', '"seq":0.5'),
      good.replace('"seq":0', '"seq":"0"'),
      // 309 digits: JSON.parse reads Infinity, which is no integer.
      good.replace('"seq":0', `"seq":2${'0'.repeat(308)}`),
    ];
    for (const line of bad) expect(scan(line).fields, line).toBeUndefined();
  });

  it('leaves escapes, other timestamp shapes and seq with an exponent or 16 digits to the exact path', () => {
    const declined = [
      JSON.stringify(event({ error: 'a "quoted" word' })),
      JSON.stringify(event({ timestamp: '2026-11-21T10:00:01.5+01:00' })),
      JSON.stringify(event({ timestamp: '2026-11-21T23:59:60Z' })),
      JSON.stringify(event()).replace('"seq":0', '"seq":1e2'),
      // More digits than a double holds exactly: the exact path judges them.
      JSON.stringify(event()).replace('"seq":0', '"seq":1234567890123456'),
    ];
    for (const line of declined) {
      expect(scan(line).fields, line).toBeUndefined();
      // ...which the exact path accepts: the scanner only declines, it never rejects.
      expect(typeof envelopeTime(JSON.parse(line))).toBe('number');
    }
  });

  it('finds a control character, quote, backslash or non-ASCII byte at any offset in a word', () => {
    // The string scan tests 16 bytes at a time: put each special byte at every offset of two
    // words, whatever word the string starts in.
    for (let pad = 0; pad < 40; pad++) {
      const before = 'x'.repeat(pad);
      for (const special of ['\u0001', '\u001f', '\\\\', '\\"']) {
        const line = `{"event_type":"a","timestamp":"2026-11-21T10:00:00Z","trace_id":"t","note":"${before}${special}yz"}`;
        expect(scan(line).fields, line).toBeUndefined();
      }
      const wide = `{"event_type":"a","timestamp":"2026-11-21T10:00:00Z","trace_id":"${before}é✓","error":"${before}ü"}`;
      expect(holdsContract(wide), wide).toBe(true);
      const unclosed = `{"event_type":"a","timestamp":"2026-11-21T10:00:00Z","trace_id":"t","n":"${before}`;
      expect(scan(unclosed).fields, unclosed).toBeUndefined();
    }
  });

  it('reads a timestamp the same before and after its day was remembered', () => {
    const scanner = createLineScanner();
    const times = ['2026-11-21T10:00:00.000Z', '2026-11-21T10:00:00.001Z', '2026-11-22T00:00:00Z'];
    for (const timestamp of [...times, ...times]) {
      scan(JSON.stringify(event({ timestamp })), scanner);
      expect(scanner.ms).toBe(Date.parse(timestamp));
    }
  });

  it('holds to JSON.parse on generated events (property)', () => {
    const day = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) });
    const value = fc.jsonValue({ maxDepth: 1 });
    const anything = fc.oneof(value, fc.string({ unit: 'binary' }), fc.double());
    // Mostly good values, sometimes anything: both sides of every check get exercised.
    const mostly = <T>(good: fc.Arbitrary<T>) =>
      fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: anything, weight: 1 });
    const text = fc.oneof(fc.string({ minLength: 1 }), fc.string({ unit: 'binary' }));
    const generated = fc.record(
      {
        event_type: mostly(fc.constantFrom('server_down', 'health_check_completed', 'a_1')),
        timestamp: mostly(
          fc.oneof(
            day.map((ms) => new Date(ms).toISOString()),
            day.map((ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')),
          ),
        ),
        trace_id: mostly(text),
        repo: mostly(text),
        event_id: mostly(text),
        seq: mostly(fc.nat()),
        server_name: mostly(fc.oneof(fc.constantFrom('a', 'server-01', 'é'), text)),
        status: mostly(fc.constantFrom('ok', 'down', 'degraded')),
        response_time_ms: mostly(
          fc.oneof(
            fc.nat(),
            fc.integer().map((n) => n / 100),
            fc.double({ noNaN: true }),
          ),
        ),
        error: mostly(text),
        reason: mostly(text),
        attempt: mostly(fc.integer()),
        strategy: mostly(fc.constantFrom('restart', 'manual')),
        transport: mostly(text),
        other: value,
      },
      { requiredKeys: ['event_type', 'timestamp', 'trace_id'] },
    );
    const scanner = createLineScanner();
    let accepted = 0;
    fc.assert(
      fc.property(generated, (e) => {
        if (holdsContract(JSON.stringify(e), scanner)) accepted++;
      }),
      { numRuns: 800 },
    );
    // The property must not hold vacuously: a share of the lines is taken by the scanner.
    expect(accepted).toBeGreaterThan(80);
  }, 30_000);

  it('never accepts a line that a random edit broke (property)', () => {
    const scanner = createLineScanner();
    const line = fc
      .record({ extra: fc.jsonValue({ maxDepth: 2 }), seq: fc.nat() })
      .map(({ extra, seq }) => JSON.stringify(event({ extra, seq })));
    const edit = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('delete', 'insert', 'replace'),
      char: fc.constantFrom(...'{}[]:,"\\ \t\r0123456789.eE+-abcfnlrstu\u0001é'.split('')),
    });
    fc.assert(
      fc.property(line, fc.array(edit, { minLength: 1, maxLength: 3 }), (text, edits) => {
        let s = text;
        for (const { at, kind, char } of edits) {
          const i = at % (s.length + 1);
          if (kind === 'delete') s = s.slice(0, i) + s.slice(i + 1);
          else if (kind === 'insert') s = s.slice(0, i) + char + s.slice(i);
          else s = s.slice(0, i) + char + s.slice(i + 1);
        }
        let valid = true;
        try {
          valid = typeof envelopeTime(JSON.parse(s)) === 'number';
        } catch {
          valid = false;
        }
        if (!valid) expect(scan(s, scanner).fields, s).toBeUndefined();
        else holdsContract(s, scanner);
      }),
      { numRuns: 4000 },
    );
  }, 30_000);
});
