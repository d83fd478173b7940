import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManualClock, tempDir } from '../../test/helpers.js';
import { EventsError } from '../errors.js';
import { createEventFactory } from '../model/createEvent.js';
import { replayLogs } from '../replay/replay.js';
import { createEventLog, type EventLogOptions } from './eventLog.js';
import { type LogFileSystem, nodeLogFileSystem } from './logFileSystem.js';
import { type LogEntry, scanLog } from './logReader.js';
import { listLogFiles } from './logSegments.js';

const clock = createManualClock();
const events = createEventFactory({ clock });
const down = (server_name = 'a') => events.serverDown({ server_name });

async function readAll(path: string) {
  const entries: LogEntry[] = [];
  const summary = await scanLog(path, (e) => entries.push(e));
  return { seqs: entries.map((e) => e.event.seq), entries, summary };
}

/** The real file system, recording what the log asks of it. */
function recordingFs() {
  const calls: string[] = [];
  let failWrites = false;
  const fs: LogFileSystem = {
    ...nodeLogFileSystem,
    async open(path) {
      const handle = await nodeLogFileSystem.open(path);
      return {
        ...handle,
        size: () => handle.size(),
        readTail: (n) => handle.readTail(n),
        close: () => handle.close(),
        async append(data) {
          calls.push('write');
          if (failWrites) {
            // A disk that takes half the batch and then fails.
            await handle.append(data.subarray(0, Math.floor(data.length / 2)));
            throw new Error('ENOSPC: no space left on device');
          }
          await handle.append(data);
        },
        async sync() {
          calls.push('sync');
          await handle.sync();
        },
      };
    },
  };
  return {
    fs,
    calls,
    failWrites(on: boolean) {
      failWrites = on;
    },
  };
}

const open = (path: string, options: Partial<EventLogOptions> = {}) =>
  createEventLog({ path, clock, ...options });

describe('createEventLog', () => {
  it('assigns seq from 0, writes one line per event, and continues the seq on reopen', async () => {
    const path = join(tempDir(), 'events.jsonl');
    const log = await open(path);
    const stored = await Promise.all([log.append(down()), log.append(down('b'))]);
    expect(stored.map((e) => e.seq)).toEqual([0, 1]);
    await log.close();
    const again = await open(path);
    expect(again.recovery).toEqual({
      bytes: readFileSync(path).length,
      lastSeq: 1,
      unterminated: false,
    });
    expect((await again.append(down())).seq).toBe(2);
    await again.close();
    expect((await readAll(path)).seqs).toEqual([0, 1, 2]);
  });

  it('writes concurrent appends in call order', async () => {
    const path = join(tempDir(), 'events.jsonl');
    const log = await open(path, { durability: 'per_event' });
    await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(down(`s${i}`))));
    await log.close();
    const { entries } = await readAll(path);
    expect(entries.map((e) => e.event.server_name)).toEqual(
      Array.from({ length: 200 }, (_, i) => `s${i}`),
    );
    expect(entries.map((e) => e.event.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('per_event: the line is fsynced before the append resolves; concurrent appends share a sync', async () => {
    const path = join(tempDir(), 'events.jsonl');
    const rec = recordingFs();
    const log = await open(path, { durability: 'per_event', fs: rec.fs });
    await log.append(down());
    expect(rec.calls).toEqual(['write', 'sync']);
    await Promise.all([log.append(down()), log.append(down()), log.append(down())]);
    expect(rec.calls.filter((c) => c === 'sync').length).toBeLessThanOrEqual(3);
    expect(rec.calls.at(-1)).toBe('sync');
    await log.close();
  });

  it('batched: fsyncs within one flush interval of a write, not before', async () => {
    const path = join(tempDir(), 'events.jsonl');
    const rec = recordingFs();
    const log = await open(path, { durability: 'batched', flushIntervalMs: 100, fs: rec.fs });
    await log.append(down());
    expect(rec.calls).toEqual(['write']);
    clock.advance(99);
    expect(rec.calls).toEqual(['write']);
    clock.advance(1);
    await log.flush();
    expect(rec.calls).toEqual(['write', 'sync']);
    expect(clock.pending).toBe(0);
    await log.close();
  });

  it('none: never fsyncs on its own; flush() and close() do', async () => {
    const path = join(tempDir(), 'events.jsonl');
    const rec = recordingFs();
    const log = await open(path, { durability: 'none', fs: rec.fs });
    await log.append(down());
    clock.advance(60_000);
    expect(rec.calls).toEqual(['write']);
    await log.close();
    expect(rec.calls).toEqual(['write', 'sync']);
  });

  it('after a torn last line, the next append starts on a fresh line and nothing merges', async () => {
    const path = join(tempDir(), 'events.jsonl');
    const log = await open(path);
    await log.append(down());
    await log.close();
    appendFileSync(path, '{"event_type":"server_do');
    const again = await open(path);
    expect(again.recovery).toMatchObject({ lastSeq: 0, unterminated: true });
    const stored = await again.append(down('b'));
    expect(stored.seq).toBe(1);
    await again.close();
    const { seqs, summary } = await readAll(path);
    expect(seqs).toEqual([0, 1]);
    expect(summary.invalid).toBe(1);
    expect(summary.issues[0]).toMatchObject({ line: 2, torn: false });
  });

  it('rejects an event with a bad envelope without writing it or using a seq', async () => {
    const path = join(tempDir(), 'events.jsonl');
    const log = await open(path);
    const bad = { ...down(), timestamp: 'yesterday' };
    await expect(log.append(bad)).rejects.toThrow(/not appended to .*: bad or missing timestamp/);
    const strict = await open(join(tempDir(), 'strict.jsonl'), { validation: 'full' });
    await expect(strict.append({ ...down(), server_name: undefined } as never)).rejects.toThrow(
      EventsError,
    );
    await strict.close();
    expect((await log.append(down())).seq).toBe(0);
    await log.close();
    await expect(log.append(down())).rejects.toThrow(/is closed/);
  });

  it('a failed write rejects those appends, and later ones start on a fresh line', async () => {
    const path = join(tempDir(), 'events.jsonl');
    const rec = recordingFs();
    const log = await open(path, { durability: 'none', fs: rec.fs });
    await log.append(down());
    rec.failWrites(true);
    await expect(log.append(down())).rejects.toThrow(/cannot write event log .*ENOSPC/);
    rec.failWrites(false);
    expect((await log.append(down())).seq).toBe(2);
    await log.close();
    const { seqs, summary } = await readAll(path);
    expect(seqs).toEqual([0, 2]);
    expect(summary.invalid).toBe(1);
  });

  it('rotates by size: segments named by their last seq, the whole log replays in order', async () => {
    const dir = tempDir();
    const path = join(dir, 'events.jsonl');
    const log = await open(path, { rotateMaxBytes: 600 });
    for (let i = 0; i < 10; i++) await log.append(down(`s${i}`));
    await log.close();
    const files = await listLogFiles(path);
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) expect(readFileSync(f).length).toBeLessThanOrEqual(600);
    const seqs: unknown[] = [];
    for (const f of files) seqs.push(...(await readAll(f)).seqs);
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const replayed = await replayLogs(files);
    expect(replayed).toMatchObject({ ordering: 'streamed', events_total: 10, invalid_lines: 0 });
    // Reopening after a rotation left the active file empty still continues the seq.
    const reopened = await open(path, { rotateMaxBytes: 600 });
    await reopened.rotate();
    await reopened.close();
    const last = await open(path);
    expect(last.lastSeq).toBe(9);
    await last.close();
  });

  it('rotate() racing appends loses nothing and damages no line', async () => {
    const path = join(tempDir(), 'events.jsonl');
    const log = await open(path, { durability: 'per_event' });
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      pending.push(log.append(down(`s${i}`)));
      if (i % 10 === 5) pending.push(log.rotate());
    }
    await Promise.all(pending);
    await log.close();
    const seqs: unknown[] = [];
    let invalid = 0;
    for (const f of await listLogFiles(path)) {
      const r = await readAll(f);
      seqs.push(...r.seqs);
      invalid += r.summary.invalid;
    }
    expect(invalid).toBe(0);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('rotates by age at the first append after the age is reached', async () => {
    const dir = tempDir();
    const path = join(dir, 'events.jsonl');
    const log = await open(path, { rotateMaxAgeMs: 60_000 });
    await log.append(down());
    clock.advance(59_999);
    await log.append(down());
    expect(readdirSync(dir)).toEqual(['events.jsonl']);
    clock.advance(1);
    await log.append(down());
    expect(readdirSync(dir).sort()).toEqual(['events.000000000001.jsonl', 'events.jsonl']);
    await log.close();
    expect((await readAll(path)).seqs).toEqual([2]);
  });

  it('finds the last seq in a file whose tail has none (foreign lines at the end)', async () => {
    const path = join(tempDir(), 'events.jsonl');
    const log = await open(path);
    await log.append(down());
    await log.close();
    appendFileSync(
      path,
      `${'{"event_type":"x","timestamp":"2026-11-21T10:00:00Z","trace_id":"t"}\n'.repeat(2000)}`,
    );
    const again = await open(path);
    expect(again.lastSeq).toBe(0);
    await again.close();
  });

  it('refuses bad options with a message naming the option', async () => {
    const path = join(tempDir(), 'events.jsonl');
    await expect(open(path, { durability: 'sometimes' as never })).rejects.toThrow(
      /durability must be/,
    );
    await expect(open(path, { flushIntervalMs: 0 })).rejects.toThrow(/flushIntervalMs must be > 0/);
    writeFileSync(path, '');
  });
});
