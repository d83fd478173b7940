import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  getValidator,
  type SelfhealEvent,
  toIssues,
  type ValidationIssue,
} from '@selfheal/schemas';
import { envelopeTime } from './envelope.js';
import { EventsError, EventsErrorCode } from './errors.js';
import { createLineScanner, type FoldEvent } from './lineScanner.js';
import {
  type LogWorkerCredit,
  type LogWorkerData,
  type LogWorkerMessage,
  RECORD_INTS,
} from './logWorker.js';

/** One good line of a log. */
export interface LogEntry {
  event: SelfhealEvent;
  /** 1-based line number in its file. */
  line: number;
  /** `event.timestamp` in epoch milliseconds. */
  ms: number;
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
   * by a byte scanner (`createLineScanner`) and `event` holds only the fields the replay fold
   * reads ({@link FoldEvent}); lines it declines take the `all` path, so the same lines are
   * accepted and reported either way. Ignored (taken as `all`) with `validation: 'full'`.
   * @default 'all'
   */
  fields?: 'all' | 'fold';
  /**
   * With `fields: 'fold'`, scan the lines on a worker thread while this thread builds the
   * events and folds them: `auto` does so for a file of at least 16 MB on a machine with more
   * than one core. The events, summary and reports are the same either way.
   * @default 'auto'
   */
  worker?: boolean | 'auto';
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

const NEWLINE = 0x0a;
const PREVIEW = 120;

/** A file at least this big is scanned on a worker thread by default. */
const WORKER_MIN_BYTES = 16 << 20;
/** Chunks a worker may have posted and not yet had back. */
const WORKER_IN_FLIGHT = 4;

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
  if (options.fields === 'fold' && options.validation !== 'full') {
    if (await useWorker(file, options.worker ?? 'auto')) return yield* readOnWorker(lines, options);
  }
  return yield* readOnThisThread(lines, options);
}

/** The per-line bookkeeping both readers share: counts, issues, the exact path, the tail. */
interface LineTaker {
  summary: LogReadSummary;
  /** Records a skipped line. */
  report(line: number, reason: string, text: string, issues?: ValidationIssue[]): LogLineIssue;
  /** The exact path: parses one line; returns the entry, or the issue when it is skipped. */
  take(text: string, line: number): LogEntry | LogLineIssue | undefined;
  /** Counts a line the byte scanner accepted and returns its entry. */
  accept(event: FoldEvent, ms: number, line: number): LogEntry;
  /** The unterminated last line: an entry, or `undefined` (then reported as torn). */
  tail(text: string, line: number): LogEntry | undefined;
}

function createLineTaker(file: string, options: ReadLogOptions): LineTaker {
  const full = options.validation === 'full';
  const maxIssues = options.maxIssues ?? 1000;
  // Compiled on first need: a clean log in envelope mode never pays for ajv.
  let compiled: ReturnType<typeof getValidator<'event'>> | undefined;
  const validator = (value: unknown) => {
    compiled ??= getValidator('event');
    return compiled(value);
  };
  const summary: LogReadSummary = {
    file,
    bytes: 0,
    lines: 0,
    events: 0,
    blank: 0,
    invalid: 0,
    issues: [],
    outOfOrder: 0,
    worker: false,
  };
  let latest = Number.NEGATIVE_INFINITY;

  const report = (line: number, reason: string, text: string, issues?: ValidationIssue[]) => {
    summary.invalid++;
    const issue: LogLineIssue = { file, line, reason, torn: false, text: text.slice(0, PREVIEW) };
    if (issues) issue.issues = issues;
    if (summary.issues.length < maxIssues) summary.issues.push(issue);
    return issue;
  };

  const take = (text: string, line: number): LogEntry | LogLineIssue | undefined => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (text.trim() === '') {
        summary.blank++;
        return undefined;
      }
      summary.lines++;
      return report(line, `not JSON (${(error as Error).message})`, text);
    }
    summary.lines++;
    const ms = envelopeTime(value);
    const bad = typeof ms === 'string';
    if (bad || (full && !validator(value))) {
      if (bad) validator(value);
      const issues = toIssues(compiled!.errors, value);
      const reason = issues.length > 0 ? issues.map((i) => i.message).join('; ') : String(ms);
      return report(line, `not a valid event: ${reason}`, text, issues);
    }
    const event = value as SelfhealEvent;
    if (ms < latest) summary.outOfOrder++;
    else latest = ms;
    summary.events++;
    return { event, line, ms };
  };

  return {
    summary,
    report,
    take,
    accept(event, ms, line) {
      summary.lines++;
      summary.events++;
      if (ms < latest) summary.outOfOrder++;
      else latest = ms;
      return { event, line, ms };
    },
    tail(text, line) {
      const got = take(text, line);
      if (got !== undefined && 'event' in got) return got;
      if (got !== undefined) {
        got.torn = true;
        got.reason = `torn last line (no newline; a write cut short): ${got.reason}`;
        summary.torn = got;
      }
      return undefined;
    },
  };
}

async function* readOnThisThread(
  lines: LineTaker,
  options: ReadLogOptions,
): AsyncGenerator<LogEntry[], LogReadSummary, undefined> {
  const { summary } = lines;
  const file = summary.file;
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  const maxLine = options.maxLineBytes ?? 1 << 24;
  const scanner =
    options.fields === 'fold' && options.validation !== 'full' ? createLineScanner() : undefined;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (cause) {
    throw unreadable(file, cause);
  }
  try {
    let buffer = Buffer.allocUnsafe(chunkBytes);
    let kept = 0; // bytes of an unfinished line carried at the start of buffer
    let line = 0; // number of the last complete line handed out
    let skipping = false; // inside a line longer than maxLineBytes
    for (;;) {
      if (kept === buffer.length) {
        if (buffer.length >= maxLine) {
          if (!skipping)
            lines.report(
              line + 1,
              `line longer than ${maxLine} bytes`,
              buffer.toString('utf8', 0, PREVIEW),
            );
          skipping = true;
          kept = 0;
        } else {
          const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxLine));
          buffer.copy(bigger, 0, 0, kept);
          buffer = bigger;
        }
      }
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, kept, buffer.length - kept, null));
      } catch (cause) {
        throw unreadable(file, cause);
      }
      summary.bytes += bytesRead;
      if (bytesRead === 0) break;
      const end = kept + bytesRead;
      let start = 0;
      if (skipping) {
        const nl = buffer.indexOf(NEWLINE, kept);
        if (nl < 0 || nl >= end) {
          kept = 0;
          continue;
        }
        skipping = false;
        line++;
        summary.lines++;
        start = nl + 1;
      }
      const last = buffer.lastIndexOf(NEWLINE, end - 1);
      if (last < start) {
        // No complete line in the buffer yet: keep reading (growing the buffer if full).
        if (start > 0) buffer.copy(buffer, 0, start, end);
        kept = end - start;
        continue;
      }
      const batch: LogEntry[] = [];
      if (scanner) {
        // Bytes first: the scanner reads the lines it vouches for, the rest are decoded and
        // parsed one by one. Every line ends with a \n at or before `last`.
        for (let at = start; at <= last; ) {
          line++;
          const event = scanner.scan(buffer, at);
          if (event !== undefined) {
            batch.push(lines.accept(event, scanner.ms, line));
            at = scanner.end + 1;
          } else {
            const nl = buffer.indexOf(NEWLINE, at);
            const got = lines.take(buffer.toString('utf8', at, nl), line);
            if (got !== undefined && 'event' in got) batch.push(got);
            at = nl + 1;
          }
        }
      } else {
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
      buffer.copy(buffer, 0, last + 1, end);
      kept = end - last - 1;
      if (batch.length > 0) yield batch;
    }
    if (kept > 0 && !skipping) {
      const got = lines.tail(buffer.toString('utf8', 0, kept), line + 1);
      if (got) yield [got];
    }
  } finally {
    await handle.close();
  }
  return summary;
}

/** Whether to scan `file` on a worker thread. */
async function useWorker(file: string, choice: boolean | 'auto'): Promise<boolean> {
  if (choice !== 'auto') return choice;
  if (availableParallelism() < 2) return false;
  try {
    return (await stat(file)).size >= WORKER_MIN_BYTES;
  } catch {
    return false; // the read itself reports why the file cannot be read
  }
}

/**
 * The worker's script. Under a TypeScript test runner this module is `src/logReader.ts`, and
 * Node runs worker threads from JavaScript: the build's copy then.
 */
function workerScript(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? '../dist/logWorkerMain.js' : './logWorkerMain.js', here);
}

async function* readOnWorker(
  lines: LineTaker,
  options: ReadLogOptions,
): AsyncGenerator<LogEntry[], LogReadSummary, undefined> {
  const { summary } = lines;
  const file = summary.file;
  summary.worker = true;
  const data: LogWorkerData = {
    file,
    chunkBytes: options.chunkBytes ?? 1 << 20,
    maxLineBytes: options.maxLineBytes ?? 1 << 24,
    inFlight: WORKER_IN_FLIGHT,
  };
  const worker = new Worker(workerScript(), { workerData: data });
  const inbox = createInbox(worker);
  const scanner = createLineScanner();
  let line = 0;
  try {
    for (;;) {
      const message = await inbox.next();
      if (message.type === 'lines') {
        const { records, ms, count, read } = message;
        const bytes = Buffer.from(
          message.bytes.buffer,
          message.bytes.byteOffset,
          message.bytes.length,
        );
        summary.bytes += read;
        const batch: LogEntry[] = [];
        let at = message.start;
        for (let r = 0, base = 0; r < count; r++, base += RECORD_INTS) {
          line++;
          const nl = records[base]!;
          if (records[base + 1] === 1) {
            batch.push(lines.accept(scanner.build(bytes, records, base + 2), ms[r]!, line));
          } else {
            const got = lines.take(bytes.toString('utf8', at, nl), line);
            if (got !== undefined && 'event' in got) batch.push(got);
          }
          at = nl + 1;
        }
        const credit: LogWorkerCredit = { type: 'credit', bytes: message.bytes, records, ms };
        worker.postMessage(credit, [
          message.bytes.buffer as ArrayBuffer,
          records.buffer as ArrayBuffer,
          ms.buffer as ArrayBuffer,
        ]);
        if (batch.length > 0) yield batch;
      } else if (message.type === 'long') {
        lines.report(line + 1, `line longer than ${data.maxLineBytes} bytes`, message.preview);
      } else if (message.type === 'long-end') {
        line++;
        summary.lines++;
      } else if (message.type === 'end') {
        summary.bytes += message.read;
        if (message.tail) {
          const tail = Buffer.from(
            message.tail.buffer,
            message.tail.byteOffset,
            message.tail.length,
          );
          const got = lines.tail(tail.toString('utf8'), line + 1);
          if (got) yield [got];
        }
        return summary;
      } else {
        throw unreadable(file, message);
      }
    }
  } finally {
    await worker.terminate();
  }
}

/** The worker's messages as a queue to await, its failures as `error` messages. */
function createInbox(worker: Worker) {
  const queue: LogWorkerMessage[] = [];
  let waiting: ((message: LogWorkerMessage) => void) | undefined;
  const deliver = (message: LogWorkerMessage) => {
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve(message);
    } else queue.push(message);
  };
  worker.on('message', deliver);
  worker.on('error', (error) =>
    deliver({ type: 'error', message: `the scanning thread failed: ${error.message}` }),
  );
  worker.on('exit', (code) =>
    deliver({ type: 'error', message: `the scanning thread exited (code ${code})` }),
  );
  return {
    next(): Promise<LogWorkerMessage> {
      const message = queue.shift();
      if (message) return Promise.resolve(message);
      return new Promise((resolve) => (waiting = resolve));
    },
  };
}

function unreadable(file: string, cause: unknown): EventsError {
  return new EventsError(
    EventsErrorCode.LogUnreadable,
    `cannot read log ${file}: ${reason(cause)}`,
    {
      cause,
      data: { file },
    },
  );
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

function reason(error: unknown): string {
  const { code, message } = error as { code?: string; message?: unknown };
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return typeof message === 'string' ? message : String(error);
}
