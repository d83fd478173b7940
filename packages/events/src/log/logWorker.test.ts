import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { EventsError } from '../errors.js';
import { replayLogs } from '../replay/replay.js';
import { type LogEntry, type ReadLogOptions, readLog, scanLog } from './logReader.js';
import { type LogWorkerMessage, runLogWorker } from './logWorker.js';

// The worker thread runs the build (dist/logWorkerMain.js): `pnpm test` builds first.

const line = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    event_type: i % 5 === 0 ? 'server_down' : 'health_check_completed',
    timestamp: new Date(Date.UTC(2026, 10, 21, 23, 59, 50) + i * 1000).toISOString(),
    trace_id: `t${i}`,
    repo: 'monitor',
    server_name: `server-${i % 3}`,
    status: i % 4 === 0 ? 'down' : 'ok',
    response_time_ms: i / 4,
    attempt: i % 2,
    seq: i,
    ...extra,
  });

async function readAll(file: string, options: ReadLogOptions) {
  const entries: LogEntry[] = [];
  const summary = await scanLog(file, (e) => entries.push(e), { fields: 'fold', ...options });
  return { entries, summary };
}

describe('readLog on a worker thread', () => {
  it('accepts and reports the same lines, with the same fields, as on one thread', async () => {
    const dir = tempDir();
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 99 }).map((i) => line(i, { note: 'é✓'.repeat(i % 3) })),
            fc.integer({ min: 0, max: 99 }).map((i) => line(i, { error: 'a\\"b' })),
            fc.integer({ min: 0, max: 99 }).map((i) => line(i, { blob: 'x'.repeat(700) })),
            fc.constantFrom('', '{bad', '  ', '{"event_type":"x"}', '\r', '[]', '{}'),
          ),
          { maxLength: 40 },
        ),
        fc.boolean(),
        fc.integer({ min: 1, max: 400 }),
        async (lines, newlineAtEnd, chunkBytes) => {
          const file = join(dir, 'w.jsonl');
          writeFileSync(file, lines.join('\n') + (newlineAtEnd ? '\n' : ''));
          const options = { chunkBytes, maxLineBytes: 512 };
          const worker = await readAll(file, { ...options, worker: true });
          const here = await readAll(file, { ...options, worker: false });
          expect(worker.summary.worker).toBe(true);
          expect(here.summary.worker).toBe(false);
          expect({ ...worker.summary, worker: false }).toEqual(here.summary);
          expect(worker.entries).toEqual(here.entries);
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);

  it('ends the worker when the reader stops early', async () => {
    const file = join(tempDir(), 'early.jsonl');
    writeFileSync(file, `${Array.from({ length: 5000 }, (_, i) => line(i)).join('\n')}\n`);
    const threads = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker').length;
    const before = threads();
    const reader = readLog(file, { fields: 'fold', worker: true, chunkBytes: 4096 });
    const first = await reader.next();
    expect(first.done).toBe(false);
    expect(threads()).toBeGreaterThan(before);
    await reader.return(undefined as never);
    expect(threads()).toBe(before);
  });

  it('throws LOG_UNREADABLE naming the file, as on one thread', async () => {
    const missing = join(tempDir(), 'missing.jsonl');
    const read = scanLog(missing, () => {}, { fields: 'fold', worker: true });
    await expect(read).rejects.toThrow(EventsError);
    await expect(scanLog(missing, () => {}, { fields: 'fold', worker: true })).rejects.toThrow(
      `cannot read log ${missing}: no such file`,
    );
  });

  it('is used by default from workerMinBytes on, and the replay is the same', async () => {
    const dir = tempDir();
    const big = join(dir, 'big.jsonl');
    const lines: string[] = [];
    for (let i = 0, bytes = 0; bytes < 4 * 2 ** 20; i++) {
      const text = line(i, { checks: { database: 'ok' } });
      lines.push(text);
      bytes += text.length + 1;
    }
    writeFileSync(big, `${lines.join('\n')}\n`);
    const small = join(dir, 'small.jsonl');
    writeFileSync(small, `${lines.slice(0, 1000).join('\n')}\n`);

    const workerMinBytes = 4 * 2 ** 20;
    const auto = await replayLogs([big], { workerMinBytes });
    const oneThread = await replayLogs([big], { worker: false });
    expect(auto.files[0]!.worker).toBe(true);
    expect(auto.events_total).toBe(lines.length);
    expect({ ...auto, files: [] }).toEqual({ ...oneThread, files: [] });
    expect((await replayLogs([small], { workerMinBytes })).files[0]!.worker).toBe(false);
    // The default threshold (48 MiB) keeps this 4 MiB file on one thread.
    expect((await replayLogs([big])).files[0]!.worker).toBe(false);
  }, 30_000);
});

describe('trace numbers on a worker thread', () => {
  it('keeps a trace its number across chunks, past the 4,096 the scanner numbers', async () => {
    const file = join(tempDir(), 'traces.jsonl');
    // 5,000 fresh traces, then early, late and past-the-bound ones again, in 4 KiB chunks: a
    // trace's lines fall in many chunks, each posted by the worker apart.
    const trace = (i: number) => `trace-${i < 5000 ? i : [0, 7, 4095, 4096, 4999][i % 5]}`;
    const lines = Array.from({ length: 6000 }, (_, i) => line(i, { trace_id: trace(i) }));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const worker = await readAll(file, { worker: true, chunkBytes: 4096 });
    const here = await readAll(file, { worker: false });
    expect(worker.summary.worker).toBe(true);
    expect(worker.entries).toEqual(here.entries);
    const { entries } = worker;
    expect(entries.map((e) => e.event.trace_id)).toEqual(lines.map((_, i) => trace(i)));
    expect(entries.slice(0, 4096).map((e) => e.trace)).toEqual([...Array(4096).keys()]);
    expect(new Set(entries.slice(4096, 5000).map((e) => e.trace))).toEqual(new Set([-1]));
    // Again after the fresh ones: trace-0, 7 and 4095 keep their numbers, 4096 and 4999 have none.
    expect(entries.slice(5000, 5005).map((e) => e.trace)).toEqual([0, 7, 4095, -1, -1]);
  }, 30_000);
});

describe('runLogWorker', () => {
  it('posts no more chunks than it has credits for, then goes on when given one back', async () => {
    const file = join(tempDir(), 'credits.jsonl');
    writeFileSync(file, `${Array.from({ length: 200 }, (_, i) => line(i)).join('\n')}\n`);
    const { port1, port2 } = new MessageChannel();
    const got: LogWorkerMessage[] = [];
    let onMessage: () => void = () => {};
    port1.on('message', (m: LogWorkerMessage) => {
      got.push(m);
      onMessage();
    });
    const chunks = () => got.filter((m) => m.type === 'lines').length;
    const done = runLogWorker(port2, {
      file,
      chunkBytes: 2048,
      maxLineBytes: 1 << 20,
      inFlight: 2,
    });
    await new Promise<void>((resolve) => {
      onMessage = () => chunks() === 2 && resolve();
    });
    // Without a credit the worker waits: let every pending message and I/O callback run.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(chunks()).toBe(2);
    // Hand every chunk back as it comes: the worker reads to the end.
    const credit = (m: LogWorkerMessage) => {
      if (m.type === 'lines') {
        port1.postMessage({
          type: 'credit',
          bytes: m.bytes,
          records: m.records,
          ms: m.ms,
          strings: m.strings,
        });
      }
    };
    const ended = new Promise<void>((resolve) => {
      onMessage = () => {
        const m = got.at(-1)!;
        credit(m);
        if (m.type === 'end') resolve();
      };
    });
    for (const m of got) credit(m);
    await Promise.all([done, ended]);
    const lines = got.reduce((n, m) => n + (m.type === 'lines' ? m.count : 0), 0);
    expect(lines).toBe(200);
    port1.close();
  });
});
