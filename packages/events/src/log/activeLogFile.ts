import type { Clock } from '@selfheal/internal';
import type { PendingAppend } from './appendQueue.js';
import type { Durability } from './eventLog.js';
import type { LogFileHandle, LogFileSystem } from './logFileSystem.js';
import type { LogRecovery } from './logRecovery.js';
import { listSegments, segmentPath } from './logSegments.js';

/** The resolved options the active file works with (each as in `EventLogOptions`). */
export interface LogFileSettings {
  path: string;
  durability: Durability;
  flushIntervalMs: number;
  rotateMaxBytes: number;
  rotateMaxAgeMs: number;
  clock: Clock;
  fs: LogFileSystem;
}

/**
 * The file an event log appends to now. It writes a batch as one append, rotates the file
 * into a segment (named after its last seq) before a write that would make it too big or
 * once it is too old, and fsyncs as the durability says: after each write (`per_event`),
 * within `flushIntervalMs` (`batched`), or when flushed. Its calls must not overlap: the
 * log's append queue runs one write or rotation at a time.
 */
export interface ActiveLogFile {
  /**
   * Writes the batch's lines, rotating first when due. After a failed write the next one
   * starts on a fresh line (part of the batch may be on disk).
   */
  write(batch: readonly PendingAppend[]): Promise<void>;
  /** Rotates now if the file holds anything; resolves to the segment's path, if any. */
  rotate(): Promise<string | undefined>;
  /** Fsyncs what is written now, in place of (or after) a pending background fsync. */
  sync(): Promise<void>;
  /** Closes the file; what is written and not yet fsynced stays unsynced (sync first). */
  close(): Promise<void>;
}

/**
 * Takes over `handle`, the log's active file as `recovery` found it: a file that does not end
 * with a newline (a write torn by a crash) gets one before the next line.
 */
export function createActiveLogFile(
  settings: LogFileSettings,
  handle: LogFileHandle,
  recovery: LogRecovery,
): ActiveLogFile {
  const { path, durability, flushIntervalMs, rotateMaxBytes, rotateMaxAgeMs, clock, fs } = settings;
  let bytes = recovery.bytes;
  let needsNewline = recovery.unterminated;
  let writtenSeq = recovery.lastSeq; // the last seq known to be in the file (or before it)
  let openedAt = clock.now();
  let syncTimer: unknown;
  let syncing: Promise<void> | undefined;
  let dirty = false; // written since the last fsync

  const syncDirty = async () => {
    if (!dirty) return;
    dirty = false;
    await handle.sync();
  };

  const armSync = () => {
    if (syncTimer !== undefined) return;
    syncTimer = clock.setTimeout(() => {
      syncTimer = undefined;
      syncing = syncDirty()
        .catch(() => {
          // A failed background fsync: the next flush() or close() retries and reports it.
          dirty = true;
        })
        .finally(() => {
          syncing = undefined;
        });
    }, flushIntervalMs);
  };

  const rotate = async (): Promise<string | undefined> => {
    if (bytes === 0) return undefined;
    const target = segmentPath(path, writtenSeq);
    // A file holding no event since the last rotation (only a torn line) would take the name
    // of the segment before it: keep writing to it instead of overwriting that segment.
    if ((await listSegments(path, fs)).some((s) => s.path === target)) return undefined;
    dirty = true;
    await syncDirty();
    await handle.close();
    await fs.rename(path, target);
    handle = await fs.open(path);
    bytes = await handle.size();
    needsNewline = false;
    openedAt = clock.now();
    return target;
  };

  const write = async (batch: readonly PendingAppend[]): Promise<void> => {
    const text = (needsNewline ? '\n' : '') + batch.map((p) => p.line).join('');
    const data = Buffer.from(text);
    const tooOld = rotateMaxAgeMs > 0 && clock.now() - openedAt >= rotateMaxAgeMs;
    const tooBig = rotateMaxBytes > 0 && bytes + data.length > rotateMaxBytes;
    if (bytes > 0 && (tooOld || tooBig) && (await rotate()) !== undefined) {
      return write(batch);
    }
    try {
      await handle.append(data);
    } catch (error) {
      // Part of the batch may be on disk: start the next write on a fresh line.
      needsNewline = true;
      bytes = await handle.size().catch(() => bytes);
      throw error;
    }
    needsNewline = false;
    bytes += data.length;
    writtenSeq = batch.at(-1)!.stored.seq;
    dirty = true;
    if (durability === 'per_event') await syncDirty();
    else if (durability === 'batched') armSync();
  };

  return {
    write,
    rotate,
    async sync() {
      if (syncTimer !== undefined) {
        clock.clearTimeout(syncTimer);
        syncTimer = undefined;
      }
      if (syncing) await syncing;
      await syncDirty();
    },
    async close() {
      await handle.close();
    },
  };
}
