import { open } from 'node:fs/promises';
import type { SelfhealEvent, ValidationIssue } from '@selfheal/schemas';
import { createLineChunker } from './lineChunker.js';
import { createLineLocator, lineRecords } from './lineLocator.js';
import { createLineTaker, type LineTaker, unreadable } from './lineTaker.js';
import { readOnWorker, useWorker } from './workerReader.js';

/** One good line of a log. */
export interface LogEntry {
  event: SelfhealEvent;
  /** 1-based line number in its file. */
  line: number;
  /** `event.timestamp` in epoch milliseconds. */
  ms: number;
  /**
   * With `fields: 'fold'`, for a line the byte scanner took: the number this read gave
   * `event.trace_id` (in the order trace ids first appear, from 0; entries of one read with the
   * same number have the same trace id), or -1 for a trace id past the read's first 4,096, longer
   * than 64 bytes or not ASCII, which then equals no trace id that has a number in this read.
   * A count by trace (`TimelineSummarizer.add`) looks each string up once per read with it.
   * Undefined for lines taken the exact way.
   */
  trace?: number;
}

/** A line that was skipped, and why. */
export interface LogLineIssue {
  file: string;
  /** 1-based line number. */
  line: number;
  /** Why it was skipped, in words. */
  reason: string;
  /** The last line had no newline and did not parse: a write cut short by a crash. */
  torn: boolean;
  /** The start of the line, for the report. */
  text: string;
  /** The schema issues, when the line is JSON but not a valid event. */
  issues?: ValidationIssue[];
}

/** Options of {@link readLog} and {@link scanLog}. */
export interface ReadLogOptions {
  /**
   * `envelope`: the hand-written envelope test on every line, ajv only on lines that fail it
   * (for the message); fast. `full`: ajv on every line, so the fields of known types are checked
   * too; about half the speed (figures in rfcs/0003-event-log.md).
   * @default 'envelope'
   */
  validation?: 'envelope' | 'full';
  /**
   * Bytes read per system call.
   * @default 1048576
   */
  chunkBytes?: number;
  /**
   * A line longer than this is reported and skipped, so one runaway line cannot exhaust memory.
   * @default 16777216
   */
  maxLineBytes?: number;
  /**
   * At most this many skipped lines are kept in {@link LogReadSummary.issues}; all are counted.
   * @default 1000
   */
  maxIssues?: number;
  /**
   * `all`: each entry's `event` is the whole object JSON.parse made. `fold`: good lines are read
   * by a byte scanner (`createLineLocator`, `createFoldBuilder`) and `event` holds only the
   * fields the replay fold reads ({@link FoldEvent}); lines it declines take the `all` path, so
   * the same lines are accepted and reported either way. Ignored (taken as `all`) with
   * `validation: 'full'`.
   * @default 'all'
   */
  fields?: 'all' | 'fold';
  /**
   * With `fields: 'fold'`, scan the lines on a worker thread while this thread builds the
   * events and folds them: `auto` does so for a file of at least `workerMinBytes` on a machine
   * with more than one core. The events, summary and reports are the same either way.
   * @default 'auto'
   */
  worker?: boolean | 'auto';
  /**
   * The file size from which `worker: 'auto'` uses the worker thread.
   * @default 50331648 (48 MiB)
   */
  workerMinBytes?: number;
}

/** What a whole read of one file found. */
export interface LogReadSummary {
  file: string;
  bytes: number;
  /** Lines that held anything but whitespace. */
  lines: number;
  /** Lines that were good events. */
  events: number;
  /** Whitespace-only lines (ignored). */
  blank: number;
  /** Lines skipped as not JSON or not an event, the torn last line included. */
  invalid: number;
  /** The first {@link ReadLogOptions.maxIssues} skipped lines, in file order. */
  issues: LogLineIssue[];
  /** The torn last line, if there was one (also in `issues`). */
  torn?: LogLineIssue;
  /** Good events whose timestamp is earlier than one on a line before them. */
  outOfOrder: number;
  /** Whether a worker thread scanned the lines (see {@link ReadLogOptions.worker}). */
  worker: boolean;
}

/**
 * Streams the events of a JSONL log in batches (one per chunk read), never holding the whole
 * file. Lines that are not JSON or not an event are reported and skipped, never thrown: a
 * middle line with its number, an unterminated last line that does not parse as `torn`. An
 * unterminated last line that does parse is an event (the newline is all a crash cut off).
 * The generator's return value is the {@link LogReadSummary}.
 * @throws EventsError LOG_UNREADABLE when the file cannot be opened or read.
 */
export async function* readLog(
  file: string,
  options: ReadLogOptions = {},
): AsyncGenerator<LogEntry[], LogReadSummary, undefined> {
  const lines = createLineTaker(file, options);
  if (lines.fold && (await useWorker(file, options.worker ?? 'auto', options.workerMinBytes))) {
    return yield* readOnWorker(lines);
  }
  return yield* readOnThisThread(lines);
}

async function* readOnThisThread(
  lines: LineTaker,
): AsyncGenerator<LogEntry[], LogReadSummary, undefined> {
  const { summary } = lines;
  const file = summary.file;
  const locator = lines.fold ? createLineLocator() : undefined;
  const located = locator ? lineRecords() : undefined;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (cause) {
    throw unreadable(file, cause);
  }
  const chunks = createLineChunker(lines.chunkBytes, lines.maxLineBytes, Buffer.allocUnsafe);
  try {
    let line = 0; // number of the last complete line handed out
    for (;;) {
      const { buffer, offset, length, long } = chunks.target();
      if (long !== undefined) lines.long(line + 1, long);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, offset, length, null));
      } catch (cause) {
        throw unreadable(file, cause);
      }
      summary.bytes += bytesRead;
      if (bytesRead === 0) break;
      const step = chunks.took(bytesRead);
      if (step.longEnded) {
        line++;
        lines.longEnded();
      }
      if (!step.lines) continue;
      const { start, last } = step.lines;
      let batch: LogEntry[];
      if (locator && located) {
        // Bytes first: the scanner vouches for lines, the rest are decoded and parsed one by one.
        locator.locate(buffer, start, last, located);
        batch = lines.located(buffer, start, located, line);
        line += located.count;
      } else {
        batch = [];
        const text = buffer.toString('utf8', start, last);
        let from = 0;
        for (;;) {
          const nl = text.indexOf('\n', from);
          const piece = nl < 0 ? text.slice(from) : text.slice(from, nl);
          line++;
          const got = lines.take(piece, line);
          if (got !== undefined && 'event' in got) batch.push(got);
          if (nl < 0) break;
          from = nl + 1;
        }
      }
      chunks.carry();
      if (batch.length > 0) yield batch;
    }
    const tail = chunks.tail();
    if (tail) {
      const got = lines.tail(tail.toString('utf8'), line + 1);
      if (got) yield [got];
    }
  } finally {
    await handle.close();
  }
  return summary;
}

/**
 * Reads a whole log, calling `onEvent` for each good event in file order, and resolves to the
 * {@link LogReadSummary}. Memory stays flat whatever the file size.
 * @throws EventsError LOG_UNREADABLE when the file cannot be opened or read.
 */
export async function scanLog(
  file: string,
  onEvent: (entry: LogEntry) => void,
  options: ReadLogOptions = {},
): Promise<LogReadSummary> {
  const reader = readLog(file, options);
  for (;;) {
    const next = await reader.next();
    if (next.done) return next.value;
    for (const entry of next.value) onEvent(entry);
  }
}
