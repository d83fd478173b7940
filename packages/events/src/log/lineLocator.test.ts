import { describe, expect, it } from 'vitest';
import { envelopeTime } from '../model/envelope.js';
import { createLineLocator, lineRecords, RECORD_INTS } from './lineLocator.js';
import { createFoldBuilder } from './lineScanner.js';

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
