import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain script, without types
import { INTERN_TABLES } from '../../scripts/foldFields.mjs';
import { envelopeTime } from '../model/envelope.js';
import {
  SERVER_NAME_ID,
  TIMESTAMP_PACKED,
  TRACE_ID_ID,
  TRACE_ID_PACKED,
} from './foldFields.generated.js';
import { createLineLocator, lineRecords, RECORD_INTS } from './lineLocator.js';
import { createFoldBuilder } from './lineScanner.js';
import { packedStrings } from './slotValues.js';

/** The ids of the scanner's trace table: a new trace id past them gets -1. */
const TRACES_IDS: number = INTERN_TABLES.find((t: { table: string }) => t.table === 'traces').ids;

/** Lines of every kind: good ones, one the scanner declines, blank, not JSON, not an event. */
function lines(count: number, padding = 0): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const event = {
      event_type: 'health_check_completed',
      timestamp: new Date(Date.UTC(2026, 10, 21) + i * 1500).toISOString(),
      trace_id: i % 10 === 9 ? `trace-é✓-${i}` : `trace-${i}`,
      server_name: `server-${i % 7}`,
      status: 'ok',
      response_time_ms: i / 4,
      note: 'x'.repeat(padding),
      seq: i,
    };
    const kind = i % 10;
    if (kind === 3)
      out.push(JSON.stringify({ ...event, error: 'a "quoted" word' })); // escapes
    else if (kind === 5) out.push('');
    else if (kind === 7) out.push('{"event_type": broken');
    else if (kind === 8) out.push(JSON.stringify({ ...event, trace_id: '' }));
    else out.push(JSON.stringify(event));
  }
  return out;
}

/** Locates `text` after a prefix (so offsets are shifted) and checks every record. */
function locateAndCheck(text: string[], into = lineRecords(16)) {
  const locator = createLineLocator();
  expect(locator, 'WebAssembly SIMD is there').toBeDefined();
  const prefix = 'not part of the chunk\n';
  const bytes = Buffer.from(`${prefix}${text.join('\n')}\n`);
  const start = Buffer.byteLength(prefix);
  locator!.locate(bytes, start, bytes.length - 1, into);
  expect(into.count).toBe(text.length);
  const build = createFoldBuilder();
  let at = start;
  let accepted = 0;
  for (let r = 0; r < into.count; r++) {
    const base = r * RECORD_INTS;
    const nl = bytes.indexOf(10, at);
    expect(into.records[base], `line ${r + 1}'s newline`).toBe(nl);
    const line = text[r]!;
    if (into.records[base + 1] === 1) {
      accepted++;
      const parsed = JSON.parse(line);
      expect(into.ms[r]).toBe(envelopeTime(parsed));
      const fields = build(bytes, into.records, base + 2);
      expect(fields.trace_id).toBe(parsed.trace_id);
      expect(fields.server_name).toBe(parsed.server_name);
      expect(fields.response_time_ms).toBe(parsed.response_time_ms);
    } else {
      // Declined: the escaped, blank, broken and bad lines, nothing else.
      expect([3, 5, 7, 8]).toContain(r % 10);
    }
    at = nl + 1;
  }
  const good = text.filter((_, r) => ![3, 5, 7, 8].includes(r % 10)).length;
  expect(accepted, 'every good line accepted').toBe(good);
  return into;
}

describe('createLineLocator', () => {
  it('writes one record per line, across many scanner calls and growing the arrays', () => {
    // 5,000 lines: more than the scanner's 2,048 records per call, and 16 records to start.
    const into = locateAndCheck(lines(5000));
    expect(into.ms.length).toBeGreaterThanOrEqual(5000);
  });

  it('grows its memory for a chunk bigger than it holds, then takes smaller ones', () => {
    // About 4 MB: more than the module's initial memory.
    locateAndCheck(lines(1000, 4000));
    locateAndCheck(lines(30));
  });

  it('keeps the arrays it was given when they are big enough', () => {
    const into = lineRecords(100);
    const { records, ms } = into;
    locateAndCheck(lines(100), into);
    expect(into.records).toBe(records);
    expect(into.ms).toBe(ms);
  });
});

describe('trace ids in the records', () => {
  /** Locates `traces` (one line each, in one scanner) and builds each line's fields. */
  function locateTraces(traces: string[], server = (i: number) => `server-${i % 3}`) {
    const locator = createLineLocator()!;
    const text = traces.map((trace_id, i) =>
      JSON.stringify({
        event_type: 'health_check_completed',
        timestamp: new Date(Date.UTC(2026, 11, 6) + i).toISOString(),
        trace_id,
        server_name: server(i),
      }),
    );
    const bytes = Buffer.from(`${text.join('\n')}\n`);
    const into = lineRecords();
    locator.locate(bytes, 0, bytes.length - 1, into);
    const build = createFoldBuilder();
    return Array.from({ length: into.count }, (_, r) => {
      const base = r * RECORD_INTS;
      expect(into.records[base + 1], `line ${r + 1} accepted`).toBe(1);
      const fields = build(bytes, into.records, base + 2);
      return {
        trace_id: fields.trace_id,
        server_name: fields.server_name,
        number: into.records[base + 2 + TRACE_ID_ID]!,
        serverId: into.records[base + 2 + SERVER_NAME_ID]!,
      };
    });
  }

  it('numbers the first 4,096 trace ids in order of first sight, later new ones -1', () => {
    const fresh = Array.from({ length: TRACES_IDS + 500 }, (_, i) => `01KDVDNBEW${i}`);
    // Then early and late ones again, a trace longer than 64 bytes, one not ASCII.
    const again = [fresh[0]!, fresh[TRACES_IDS - 1]!, fresh[TRACES_IDS]!, fresh.at(-1)!];
    const odd = ['t'.repeat(65), 't'.repeat(64), 'trace-é✓'];
    const lines = locateTraces([...fresh, ...again, ...odd]);
    const traces = [...fresh, ...again, ...odd];
    // Every line's trace_id is its own, numbered or not.
    expect(lines.map((l) => l.trace_id)).toEqual(traces);
    expect(lines.slice(0, TRACES_IDS).map((l) => l.number)).toEqual(
      Array.from({ length: TRACES_IDS }, (_, i) => i),
    );
    expect(new Set(lines.slice(TRACES_IDS, fresh.length).map((l) => l.number))).toEqual(
      new Set([-1]),
    );
    const after = lines.slice(fresh.length).map((l) => l.number);
    expect(after).toEqual([0, TRACES_IDS - 1, -1, -1, -1, -1, -1]);
    // In a table with room: up to 64 ASCII bytes.
    const bounds = locateTraces(['t'.repeat(64), 't'.repeat(65), 'trace-é✓', 't'.repeat(64)]);
    expect(bounds.map((l) => l.number)).toEqual([0, -1, -1, 0]);
  });

  it('tells apart trace ids that differ in one byte or in length, at every length to 64', () => {
    // Values are hashed and compared 8 bytes at a time, the last word masked.
    const traces: string[] = [];
    for (let length = 1; length <= 64; length++) {
      const stem = 'x'.repeat(length - 1);
      traces.push(`${stem}a`, `${stem}b`, `a${stem}`);
    }
    const lines = locateTraces([...traces, ...traces]);
    const numbers = lines.map((l) => l.number);
    const first = numbers.slice(0, traces.length);
    // `a` + 'x' * 0 and 'x' * 0 + `a` are one value: each length but the first gives three.
    expect(new Set(first).size).toBe(traces.length - 1);
    expect(numbers.slice(traces.length)).toEqual(first);
    expect(lines.map((l) => l.trace_id)).toEqual([...traces, ...traces]);
  });

  it('numbers trace ids apart from names: a full trace table leaves names their ids', () => {
    const traces = Array.from({ length: TRACES_IDS + 10 }, (_, i) => `t-${i}`);
    // A server first seen after the trace table is full still gets a name id.
    const lines = locateTraces(traces, (i) => (i < TRACES_IDS + 5 ? 'early' : 'late'));
    expect(lines.at(-1)).toMatchObject({ server_name: 'late', number: -1 });
    expect(lines.at(-1)!.serverId).toBeGreaterThanOrEqual(0);
    expect(lines[0]!.serverId).not.toBe(lines.at(-1)!.serverId);
  });
});

describe('packed values', () => {
  it('packs each timestamp, and each trace id without a number, side by side; the builder cuts them from windows', () => {
    // Past the trace table, fresh trace ids get no number: packed. Then one longer than 64
    // bytes and one not ASCII: neither numbered nor packed. Some 5,000 lines: many windows.
    const traces = [
      ...Array.from({ length: TRACES_IDS + 900 }, (_, i) => `01KDVDNBEW${i}`),
      'l'.repeat(65),
      'trace-é✓-long',
      '01KDVDNBEW7',
    ];
    const text = traces.map((trace_id, i) =>
      JSON.stringify({
        event_type: 'health_check_completed',
        // 24 and 20 bytes, as toISOString writes them with and without milliseconds.
        timestamp: new Date(Date.UTC(2026, 11, 6) + i * 500).toISOString().replace('.000', ''),
        trace_id,
        server_name: `server-${i % 3}`,
      }),
    );
    const bytes = Buffer.from(`${text.join('\n')}\n`);
    // Room for a few lines at first: the records and the packed bytes grow.
    const into = lineRecords(4);
    createLineLocator()!.locate(bytes, 0, bytes.length - 1, into);
    expect(into.count).toBe(text.length);
    const packed = Buffer.from(into.strings.buffer, 0, into.stringBytes).toString('latin1');
    let expected = '';
    const build = createFoldBuilder();
    const strings = packedStrings(into);
    for (let r = 0; r < into.count; r++) {
      const base = r * RECORD_INTS + 2;
      const parsed = JSON.parse(text[r]!);
      const numbered = into.records[base + TRACE_ID_ID]! >= 0;
      const traceAt = into.records[base + TRACE_ID_PACKED]!;
      // The timestamp, then the trace id when it is packed, at the offsets the record gives.
      expect(into.records[base + TIMESTAMP_PACKED], `line ${r + 1}`).toBe(expected.length);
      expected += parsed.timestamp;
      if (numbered || r === TRACES_IDS + 900 || r === TRACES_IDS + 901) {
        expect(traceAt, `line ${r + 1}`).toBe(-1);
      } else {
        expect(traceAt, `line ${r + 1}`).toBe(expected.length);
        expected += parsed.trace_id;
      }
      const fields = build(bytes, into.records, base, strings);
      expect(fields.timestamp).toBe(parsed.timestamp);
      expect(fields.trace_id).toBe(parsed.trace_id);
    }
    expect(into.records[TRACES_IDS * RECORD_INTS + 2 + TRACE_ID_ID]).toBe(-1);
    expect(packed).toBe(expected);
  });
});
