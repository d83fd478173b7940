import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from '@selfheal/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventArb, timelineArb } from '../../test/arbitraries.js';
import { tempDir } from '../../test/helpers.js';
import { projectAll } from './projection.js';
import { replayLogs } from './replay.js';

const fixture = fileURLToPath(
  new URL('../../../../../shared/fixtures/chora-w3-timeline.jsonl', import.meta.url),
);
const T0 = Date.UTC(2026, 10, 21, 10);
const ev = (s: number, event_type: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    event_type,
    timestamp: new Date(T0 + s * 1000).toISOString(),
    trace_id: 't',
    repo: 'selfheal',
    ...fields,
  });
const write = (dir: string, name: string, lines: string[]) => {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
};

const DECISIVE = ['server_down', 'server_recovered', 'server_degraded', 'server_registered'];

describe('replayLogs', () => {
  it('replays the real W3 timeline: 69 events, none invalid, out-of-order lines counted', async () => {
    const r = await replayLogs([fixture]);
    expect(r).toMatchObject({
      events_total: 69,
      lines_total: 69,
      invalid_lines: 0,
      unknown_types: 69,
      ordering: 'sorted',
      servers: {},
    });
    expect(r.out_of_order).toBeGreaterThan(0);
    expect(r.by_repo['mcp-gateway']).toBe(15);
    expect(Object.values(r.by_type).reduce((a, b) => a + b, 0)).toBe(69);
    expect(r.by_trace).toEqual({ 'ecosystem-w3-health-monitoring': 69 });
    expect(r.time_span).toEqual({
      first: '2025-10-27T10:00:00Z',
      last: '2025-12-23T10:00:00Z',
      seconds: 4_924_800,
    });
  });

  it('replays a log written before the resend was renamed: request_replayed reads, validates and counts as a known type', async () => {
    const dir = tempDir();
    const resent = { server_name: 'a', method: 'tools/call', tool: 'lookup', cause: 'HTTP 404' };
    const file = write(dir, 'old.jsonl', [
      ev(0, 'health_check_completed', { server_name: 'a', status: 'ok', response_time_ms: 3 }),
      ev(1, 'request_replayed', { ...resent, outcome: 'answered' }),
      ev(2, 'request_resent', { ...resent, outcome: 'failed' }),
    ]);
    for (const validation of ['envelope', 'full'] as const) {
      const r = await replayLogs([file], { validation });
      expect(r).toMatchObject({ events_total: 3, invalid_lines: 0, unknown_types: 0 });
      expect(r.by_type).toMatchObject({ request_replayed: 1, request_resent: 1 });
      expect(r.servers.a?.state).toMatchObject({ last_check_status: 'ok', consecutive_ok: 1 });
    }
  });

  it('folds a health log into state, SLA and a schema-valid ecosystem roll-up', async () => {
    const dir = tempDir();
    const file = write(dir, 'log.jsonl', [
      ev(0, 'health_check_completed', { server_name: 'a', status: 'ok', response_time_ms: 3 }),
      ev(10, 'health_check_completed', {
        server_name: 'b',
        status: 'down',
        response_time_ms: 5000,
      }),
      ev(20, 'server_down', { server_name: 'b' }),
      ev(30, 'recovery_started', {
        server_name: 'b',
        reason: 'down',
        attempt: 1,
        strategy: 'restart',
      }),
      ev(40, 'server_recovered', { server_name: 'b' }),
      ev(50, 'server_down', { server_name: 'b' }),
    ]);
    const r = await replayLogs([file]);
    expect(r.ordering).toBe('streamed');
    expect(r.servers.b!.state).toMatchObject({ status: 'down', lifecycle: 'running' });
    expect(r.servers.b!.sla).toMatchObject({
      incidents: 2,
      open_incidents: 1,
      mttd_ms: 10_000,
      restarts: 1,
    });
    expect(r.ecosystem.status).toBe('degraded');
    expect(validate('ecosystem-health', JSON.parse(JSON.stringify(r.ecosystem))).issues).toEqual(
      [],
    );
  });

  it('merges several logs by timestamp, stable for ties (file order, then line order)', async () => {
    const dir = tempDir();
    const a = write(dir, 'a.jsonl', [ev(0, 'x'), ev(10, 'server_down', { server_name: 'z' })]);
    const b = write(dir, 'b.jsonl', [ev(5, 'x'), ev(10, 'server_recovered', { server_name: 'z' })]);
    const ab = await replayLogs([a, b]);
    expect(ab.ordering).toBe('streamed');
    expect(ab.servers.z!.state.status).toBe('ok');
    expect((await replayLogs([b, a])).servers.z!.state.status).toBe('down');
    // An unsorted file forces the in-memory sort, which keeps the same tie order.
    const c = write(dir, 'c.jsonl', [ev(20, 'x'), ev(1, 'x')]);
    const abc = await replayLogs([a, b, c]);
    expect(abc).toMatchObject({ ordering: 'sorted', out_of_order: 1, events_total: 6 });
    expect(abc.servers.z!.state.status).toBe('ok');
    expect((await replayLogs([b, a, c])).servers.z!.state.status).toBe('down');
    const tie = write(dir, 'tie.jsonl', [
      ev(30, 'x'),
      ev(10, 'server_recovered', { server_name: 'z' }),
      ev(10, 'server_down', { server_name: 'z' }),
    ]);
    expect((await replayLogs([tie])).servers.z!.state.status).toBe('down');
  });

  it('folds files split and shuffled any way into the state of the sorted timeline', async () => {
    const dir = tempDir();
    const unique = timelineArb.map((events) =>
      events.filter((e, i) => i === 0 || e.timestamp !== events[i - 1]!.timestamp),
    );
    await fc.assert(
      fc.asyncProperty(
        unique.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(events, { minLength: events.length }),
            fc.nat(),
          ),
        ),
        async ([sorted, shuffled, cut]) => {
          const at = cut % (shuffled.length + 1);
          const one = write(
            dir,
            'one.jsonl',
            shuffled.slice(0, at).map((e) => JSON.stringify(e)),
          );
          const two = write(
            dir,
            'two.jsonl',
            shuffled.slice(at).map((e) => JSON.stringify(e)),
          );
          const r = await replayLogs([one, two]);
          expect(r.events_total).toBe(sorted.length);
          const states = Object.fromEntries(
            Object.entries(r.servers).map(([k, v]) => [k, v.state]),
          );
          // A server that logs a decision (or its registration) before any check is exactly
          // the plain projection; checks decide for the others until they do (RFC 0020).
          const plain = projectAll(sorted).servers;
          const firstDecisive = new Map<string, string>();
          for (const e of sorted) {
            const name = e.server_name;
            if (name === undefined || firstDecisive.has(name)) continue;
            if (DECISIVE.includes(e.event_type) || e.event_type === 'health_check_completed')
              firstDecisive.set(name, e.event_type);
          }
          for (const name of Object.keys(plain))
            if (firstDecisive.get(name) !== 'health_check_completed')
              expect(states[name]).toEqual(plain[name]);
          const reference = await replayLogs([
            write(
              dir,
              'sorted.jsonl',
              sorted.map((e) => JSON.stringify(e)),
            ),
          ]);
          expect(states).toEqual(
            Object.fromEntries(Object.entries(reference.servers).map(([k, v]) => [k, v.state])),
          );
        },
      ),
      { numRuns: 40 },
    );
  }, 30_000);

  it('gives the same report with the byte scanner as with JSON.parse on every line', async () => {
    const dir = tempDir();
    const noise = fc.constantFrom(
      '{bad',
      '',
      '{"event_type":"x","timestamp":"2026-11-21T10:00:00+01:00","trace_id":"t"}',
      '{"event_type":"server_down","timestamp":"2026-11-21T10:00:00.000Z","trace_id":"t","server_name":"alpha","reason":"a \\"quoted\\" reason"}',
      '{"event_type":"x","timestamp":"2026-11-21T10:00:00Z","trace_id":""}',
    );
    const line = fc.oneof(
      { arbitrary: eventArb.map((e) => JSON.stringify(e)), weight: 6 },
      { arbitrary: noise, weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 60 }), fc.boolean(), async (lines, cut) => {
        const file = join(dir, 'log.jsonl');
        const text = `${lines.join('\n')}\n`;
        writeFileSync(file, cut ? text.slice(0, -7) : text);
        const bytes = await replayLogs([file]);
        const parsed = await replayLogs([file], { byteScanner: false });
        expect(bytes).toEqual(parsed);
      }),
      { numRuns: 120 },
    );
    const fast = await replayLogs([fixture]);
    expect(fast).toEqual(await replayLogs([fixture], { byteScanner: false }));
  }, 30_000);

  it('counts traces as JSON.parse does past the 4,096 trace ids a file numbers', async () => {
    const dir = tempDir();
    // 13,500 fresh traces over three files (4,500 a file: past the 4,096 its scanner numbers),
    // then the first seven again in every file: a trace numbered in one file comes without a
    // number in the others, and the summary (1,000 keys) must still count it by key. About
    // 2.4 MB per file: its lines come in three chunks, on this thread or from a worker.
    const files = [0, 1, 2].map((f) =>
      write(
        dir,
        `log-${f}.jsonl`,
        Array.from({ length: 5000 }, (_, i) => {
          const n = i * 3 + f;
          return ev(n, 'health_check_completed', {
            trace_id: n < 13_500 ? `trace-${n}` : `trace-${n % 7}`,
            server_name: `s-${f}`,
            status: 'ok',
            padding: 'p'.repeat(400),
          });
        }),
      ),
    );
    const parsed = await replayLogs(files, { byteScanner: false });
    for (const options of [{}, { worker: true }] as const) {
      expect(await replayLogs(files, options)).toEqual({
        ...parsed,
        files: parsed.files.map((f) => ({ ...f, worker: 'worker' in options })),
      });
    }
    for (const options of [{ server: 's-1' }, { until: T0 + 10_000_000 }]) {
      const bytes = await replayLogs(files, options);
      expect(bytes).toEqual(await replayLogs(files, { ...options, byteScanner: false }));
    }
    expect(await replayLogs([files[1]!])).toEqual(
      await replayLogs([files[1]!], { byteScanner: false }),
    );
    expect(Object.keys(parsed.by_trace)).toHaveLength(1000);
    // trace-3 once among the fresh ones, then every n >= 13,500 with n % 7 === 3.
    const again = Array.from({ length: 1500 }, (_, i) => 13_500 + i).filter((n) => n % 7 === 3);
    expect(parsed.by_trace['trace-3']).toBe(1 + again.length);
    const counted = Object.values(parsed.by_trace).reduce((a, b) => a + b, 0);
    expect(parsed.overflow).toEqual({ by_trace: 15_000 - counted });
  }, 60_000);

  it('stops at --until and keeps to --server', async () => {
    const dir = tempDir();
    const file = write(dir, 'log.jsonl', [
      ev(0, 'server_down', { server_name: 'a' }),
      ev(10, 'server_down', { server_name: 'b' }),
      ev(20, 'server_recovered', { server_name: 'a' }),
    ]);
    const until = await replayLogs([file], { until: T0 + 15_000 });
    expect(until.servers.a!.state.status).toBe('down');
    expect(until.filtered_out).toBe(1);
    expect(until.until).toBe('2026-11-21T10:00:15.000Z');
    expect(until.servers.a!.sla.window_ms).toBe(15_000);
    const onlyB = await replayLogs([file], { server: 'b' });
    expect(Object.keys(onlyB.servers)).toEqual(['b']);
    expect(onlyB.events_total).toBe(1);
    expect(onlyB.lines_total).toBe(3);
  });

  it('reports bad lines with file and line and still folds the rest', async () => {
    const dir = tempDir();
    const file = join(dir, 'torn.jsonl');
    writeFileSync(
      file,
      `${ev(0, 'server_down', { server_name: 'a' })}\nnot json\n${ev(5, 'x')}\n{"event_ty`,
    );
    const r = await replayLogs([file]);
    expect(r.events_total).toBe(2);
    expect(r.invalid_lines).toBe(2);
    expect(r.invalid.map((i) => [i.line, i.torn])).toEqual([
      [2, false],
      [4, true],
    ]);
    expect(r.files[0]).toMatchObject({ torn: true, invalid: 2, events: 2 });
  });
});
