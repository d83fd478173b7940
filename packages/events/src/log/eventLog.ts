import { type Clock, systemClock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import { getValidator } from '@selfheal/schemas';
import { EventsError, EventsErrorCode } from '../errors.js';
import { checkEnvelope } from '../model/envelope.js';
import type { StoredEvent } from '../model/eventTypes.js';
import { createActiveLogFile, type LogFileSettings } from './activeLogFile.js';
import { createAppendQueue } from './appendQueue.js';
import { EVENT_EMISSION_DEFAULTS } from './logDefaults.js';
import { type LogFileHandle, type LogFileSystem, nodeLogFileSystem } from './logFileSystem.js';
import { type LogRecovery, recoverLog } from './logRecovery.js';

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

/**
 * Opens (or creates) the log at `options.path`. An existing file is continued: its last seq is
 * found (in rotated segments if the active file is empty) and, if it does not end with a
 * newline (a write torn by a crash), the next append starts on a fresh line, so no accepted
 * event is merged with a torn one. Its parts: the active file (`activeLogFile.ts`: writes,
 * rotation, fsync) and the group commit (`appendQueue.ts`); `append` checks and numbers events.
 * @throws EventsError BAD_OPTION, LOG_WRITE_FAILED when the file cannot be opened.
 */
export async function createEventLog(options: EventLogOptions): Promise<EventLog> {
  const settings = resolveSettings(options);
  const { path } = settings;
  const { handle, recovery } = await openActiveFile(path, settings.fs);
  const file = createActiveLogFile(settings, handle, recovery);
  const queue = createAppendQueue(path, file.write);
  const validator = options.validation === 'full' ? getValidator('event') : undefined;
  let lastSeq = recovery.lastSeq;
  let closed = false;
  let closing: Promise<void> | undefined;

  const flush = async () => {
    await queue.idle();
    await file.sync();
  };

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
      });
    },
    flush,
    rotate() {
      return queue.exclusive(file.rotate);
    },
    close() {
      closed = true;
      closing ??= (async () => {
        await flush();
        await file.close();
      })();
      return closing;
    },
  };
}

/** The options with their defaults, checked. @throws EventsError BAD_OPTION */
function resolveSettings(options: EventLogOptions): LogFileSettings {
  const durability = options.durability ?? EVENT_EMISSION_DEFAULTS.durability;
  const flushIntervalMs = options.flushIntervalMs ?? EVENT_EMISSION_DEFAULTS.flush_interval_ms;
  const rotateMaxBytes = options.rotateMaxBytes ?? EVENT_EMISSION_DEFAULTS.rotate_max_bytes;
  const rotateMaxAgeMs =
    options.rotateMaxAgeMs ?? EVENT_EMISSION_DEFAULTS.rotate_max_age_seconds * 1000;
  if (!['per_event', 'batched', 'none'].includes(durability)) {
    throw badOption(`durability must be per_event, batched or none, not ${String(durability)}`);
  }
  if (!(flushIntervalMs > 0))
    throw badOption(`flushIntervalMs must be > 0, not ${flushIntervalMs}`);
  if (!(rotateMaxBytes >= 0)) throw badOption(`rotateMaxBytes must be >= 0, not ${rotateMaxBytes}`);
  if (!(rotateMaxAgeMs >= 0)) throw badOption(`rotateMaxAgeMs must be >= 0, not ${rotateMaxAgeMs}`);
  return {
    path: options.path,
    durability,
    flushIntervalMs,
    rotateMaxBytes,
    rotateMaxAgeMs,
    clock: options.clock ?? systemClock,
    fs: options.fs ?? nodeLogFileSystem,
  };
}

/**
 * Opens the active file and reads what is in it and its segments.
 * @throws EventsError LOG_WRITE_FAILED, the file closed again
 */
async function openActiveFile(
  path: string,
  fs: LogFileSystem,
): Promise<{ handle: LogFileHandle; recovery: LogRecovery }> {
  let file: LogFileHandle | undefined;
  try {
    file = await fs.open(path);
    return { handle: file, recovery: await recoverLog(path, file, fs) };
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
}

function badOption(message: string): EventsError {
  return new EventsError(EventsErrorCode.BadOption, `createEventLog: ${message}`);
}

function schemaReason(errors: unknown): string {
  const list = (errors as { instancePath: string; message?: string }[] | null) ?? [];
  return list.map((e) => `${e.instancePath || '(event)'} ${e.message ?? 'is invalid'}`).join('; ');
}
