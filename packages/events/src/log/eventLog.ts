import { type Clock, systemClock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import { getValidator } from '@selfheal/schemas';
import { EventsError, EventsErrorCode } from '../errors.js';
import { checkEnvelope } from '../model/envelope.js';
import type { StoredEvent } from '../model/eventTypes.js';
import { EVENT_EMISSION_DEFAULTS } from './logDefaults.js';
import { type LogFileHandle, type LogFileSystem, nodeLogFileSystem } from './logFileSystem.js';
import { type LogRecovery, recoverLog } from './logRecovery.js';
import { listSegments, segmentPath } from './logSegments.js';

/**
 * When an append is acknowledged (its promise resolves), and what a crash can lose.
 * - `per_event`: after the line is written and fsynced. Nothing acknowledged is lost, even on
 *   power loss. Concurrent appends share one write and one fsync (group commit).
 * - `batched`: after the line is written to the OS; an fsync follows within `flushIntervalMs`.
 *   A process crash loses nothing acknowledged; a machine crash loses at most the events
 *   acknowledged in the last `flushIntervalMs` (plus the time of one fsync).
 * - `none`: after the line is written to the OS; the OS syncs when it likes. A process crash
 *   loses nothing acknowledged; a machine crash may lose whatever the OS had not written.
 */
export type Durability = 'per_event' | 'batched' | 'none';

/** Options of {@link createEventLog}. */
export interface EventLogOptions {
  /** The active JSONL file; created with its contents kept if it exists. */
  path: string;
  /** @default 'batched' */
  durability?: Durability;
  /**
   * `batched` only: the longest time written data waits for an fsync, in milliseconds.
   * @default 100
   */
  flushIntervalMs?: number;
  /**
   * Rotate before a write that would take the file past this many bytes; 0 never.
   * @default 0
   */
  rotateMaxBytes?: number;
  /**
   * Rotate at the first append once the file has been open this long (ms); 0 never.
   * @default 0
   */
  rotateMaxAgeMs?: number;
  /**
   * `envelope`: the cheap envelope test on every append; `full`: the ajv event schema too.
   * An event that fails is rejected (INVALID_EVENT) and never written.
   * @default 'envelope'
   */
  validation?: 'envelope' | 'full';
  /** @default systemClock */
  clock?: Clock;
  /** @default nodeLogFileSystem */
  fs?: LogFileSystem;
}

/** An append-only JSONL event log. */
export interface EventLog {
  /** The active file. */
  readonly path: string;
  /** The seq of the last event accepted; -1 before any. */
  readonly lastSeq: number;
  /** What opening found on disk. */
  readonly recovery: LogRecovery;
  /**
   * Assigns the next `seq` (replacing any `seq` the event had), writes one line and resolves
   * to the stored event once acknowledged under the log's {@link Durability}. Appends are
   * written in call order. Rejects with INVALID_EVENT (nothing written, no seq used) for an
   * event with a bad envelope, LOG_CLOSED after close(), LOG_WRITE_FAILED when the disk
   * refuses (that seq is then skipped: seqs increase but may have gaps).
   */
  append(event: SelfhealEvent): Promise<StoredEvent>;
  /** Resolves when every append so far is written and fsynced, whatever the durability. */
  flush(): Promise<void>;
  /** Rotates now (if the file holds anything); resolves to the segment's path, if any. */
  rotate(): Promise<string | undefined>;
  /** Flushes and closes. Idempotent. */
  close(): Promise<void>;
}

interface Pending {
  line: string;
  stored: StoredEvent;
  resolve: (event: StoredEvent) => void;
  reject: (error: unknown) => void;
}

/**
 * Opens (or creates) the log at `options.path`. An existing file is continued: its last seq is
 * found (in rotated segments if the active file is empty) and, if it does not end with a
 * newline (a write torn by a crash), the next append starts on a fresh line, so no accepted
 * event is merged with a torn one.
 * @throws EventsError BAD_OPTION, LOG_WRITE_FAILED when the file cannot be opened.
 */
export async function createEventLog(options: EventLogOptions): Promise<EventLog> {
  const durability = options.durability ?? EVENT_EMISSION_DEFAULTS.durability;
  const flushIntervalMs = options.flushIntervalMs ?? EVENT_EMISSION_DEFAULTS.flush_interval_ms;
  const rotateMaxBytes = options.rotateMaxBytes ?? EVENT_EMISSION_DEFAULTS.rotate_max_bytes;
  const rotateMaxAgeMs =
    options.rotateMaxAgeMs ?? EVENT_EMISSION_DEFAULTS.rotate_max_age_seconds * 1000;
  const clock = options.clock ?? systemClock;
  const fs = options.fs ?? nodeLogFileSystem;
  const full = options.validation === 'full';
  const path = options.path;
  if (!['per_event', 'batched', 'none'].includes(durability)) {
    throw badOption(`durability must be per_event, batched or none, not ${String(durability)}`);
  }
  if (!(flushIntervalMs > 0))
    throw badOption(`flushIntervalMs must be > 0, not ${flushIntervalMs}`);
  if (!(rotateMaxBytes >= 0)) throw badOption(`rotateMaxBytes must be >= 0, not ${rotateMaxBytes}`);
  if (!(rotateMaxAgeMs >= 0)) throw badOption(`rotateMaxAgeMs must be >= 0, not ${rotateMaxAgeMs}`);

  let file: LogFileHandle | undefined;
  let recovery: LogRecovery;
  try {
    file = await fs.open(path);
    recovery = await recoverLog(path, file, fs);
  } catch (cause) {
    await file?.close().catch(() => {});
    throw new EventsError(
      EventsErrorCode.LogWriteFailed,
      `cannot open event log ${path}: ${String(cause)}`,
      {
        cause,
        data: { path },
      },
    );
  }

  let handle: LogFileHandle = file;
  let bytes = recovery.bytes;
  let needsNewline = recovery.unterminated;
  let lastSeq = recovery.lastSeq;
  let writtenSeq = recovery.lastSeq; // the last seq known to be in the file (or before it)
  let openedAt = clock.now();
  let queue: Pending[] = [];
  let draining: Promise<void> | undefined;
  let syncTimer: unknown;
  let syncing: Promise<void> | undefined;
  let dirty = false; // written since the last fsync
  let closed = false;
  let closing: Promise<void> | undefined;

  const sync = async () => {
    if (!dirty) return;
    dirty = false;
    await handle.sync();
  };

  const armSync = () => {
    if (syncTimer !== undefined) return;
    syncTimer = clock.setTimeout(() => {
      syncTimer = undefined;
      syncing = sync()
        .catch(() => {
          // A failed background fsync: the next flush() or close() retries and reports it.
          dirty = true;
        })
        .finally(() => {
          syncing = undefined;
        });
    }, flushIntervalMs);
  };

  const rotateNow = async (): Promise<string | undefined> => {
    if (bytes === 0) return undefined;
    const target = segmentPath(path, writtenSeq);
    // A file holding no event since the last rotation (only a torn line) would take the name
    // of the segment before it: keep writing to it instead of overwriting that segment.
    if ((await listSegments(path, fs)).some((s) => s.path === target)) return undefined;
    dirty = true;
    await sync();
    await handle.close();
    await fs.rename(path, target);
    handle = await fs.open(path);
    bytes = await handle.size();
    needsNewline = false;
    openedAt = clock.now();
    return target;
  };

  const writeBatch = async (batch: Pending[]) => {
    const text = (needsNewline ? '\n' : '') + batch.map((p) => p.line).join('');
    const data = Buffer.from(text);
    const tooOld = rotateMaxAgeMs > 0 && clock.now() - openedAt >= rotateMaxAgeMs;
    const tooBig = rotateMaxBytes > 0 && bytes + data.length > rotateMaxBytes;
    if (bytes > 0 && (tooOld || tooBig) && (await rotateNow()) !== undefined) {
      return writeBatch(batch);
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
    if (durability === 'per_event') await sync();
    else if (durability === 'batched') armSync();
  };

  const drain = async () => {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        await writeBatch(batch);
        for (const p of batch) p.resolve(p.stored);
      } catch (cause) {
        const error = new EventsError(
          EventsErrorCode.LogWriteFailed,
          `cannot write event log ${path}: ${String(cause)}`,
          { cause, data: { path } },
        );
        for (const p of batch) p.reject(error);
      }
    }
  };

  const kick = () => {
    // Started a microtask later, so that every append of the current turn joins one batch
    // (one write, one fsync under per_event).
    draining ??= Promise.resolve()
      .then(drain)
      .finally(() => {
        draining = undefined;
        if (queue.length > 0) kick();
      });
    return draining;
  };

  const flush = async () => {
    while (draining) await draining;
    if (syncTimer !== undefined) {
      clock.clearTimeout(syncTimer);
      syncTimer = undefined;
    }
    if (syncing) await syncing;
    await sync();
  };

  const validator = full ? getValidator('event') : undefined;

  return {
    path,
    get lastSeq() {
      return lastSeq;
    },
    recovery,
    append(event) {
      if (closed) {
        return Promise.reject(
          new EventsError(EventsErrorCode.LogClosed, `event log ${path} is closed`, {
            data: { path },
          }),
        );
      }
      const bad =
        checkEnvelope(event) ??
        (validator && !validator(event) ? schemaReason(validator.errors) : undefined);
      if (bad !== undefined) {
        return Promise.reject(
          new EventsError(EventsErrorCode.InvalidEvent, `not appended to ${path}: ${bad}`, {
            data: { event },
          }),
        );
      }
      const stored = { ...event, seq: lastSeq + 1 } as StoredEvent;
      let line: string;
      try {
        line = `${JSON.stringify(stored)}\n`;
      } catch (cause) {
        return Promise.reject(
          new EventsError(
            EventsErrorCode.InvalidEvent,
            `not appended to ${path}: not serialisable as JSON`,
            {
              cause,
            },
          ),
        );
      }
      lastSeq = stored.seq;
      return new Promise<StoredEvent>((resolve, reject) => {
        queue.push({ line, stored, resolve, reject });
        void kick();
      });
    },
    flush,
    async rotate() {
      // Wait for the writer, then take its place in the same turn (no await in between), so
      // no batch is written while the file is being renamed.
      while (draining) await draining;
      let result: string | undefined;
      draining = (async () => {
        result = await rotateNow();
      })().finally(() => {
        draining = undefined;
        if (queue.length > 0) kick();
      });
      await draining;
      return result;
    },
    close() {
      closed = true;
      closing ??= (async () => {
        await flush();
        await handle.close();
      })();
      return closing;
    },
  };
}

function badOption(message: string): EventsError {
  return new EventsError(EventsErrorCode.BadOption, `createEventLog: ${message}`);
}

function schemaReason(errors: unknown): string {
  const list = (errors as { instancePath: string; message?: string }[] | null) ?? [];
  return list.map((e) => `${e.instancePath || '(event)'} ${e.message ?? 'is invalid'}`).join('; ');
}
