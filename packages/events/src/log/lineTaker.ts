// The per-line bookkeeping of `readLog`, shared by its one-thread and worker-thread readers.
import {
  getValidator,
  type SelfhealEvent,
  toIssues,
  type ValidationIssue,
} from '@selfheal/schemas';
import { EventsError, EventsErrorCode } from '../errors.js';
import { envelopeTime } from '../model/envelope.js';
import { TRUST_EVENT_TYPES } from '../replay/trustProjection.js';
import { TRACE_ID_ID } from './foldFields.generated.js';
import { PREVIEW } from './lineChunker.js';
import { type LineRecords, RECORD_INTS } from './lineLocator.js';
import { createFoldBuilder, type FoldEvent } from './lineScanner.js';
import type { LogEntry, LogLineIssue, LogReadSummary, ReadLogOptions } from './logReader.js';
import { packedStrings } from './slotValues.js';

/** Event types the scanner's fields do not carry enough of for the fold (see `located`). */
const READ_WHOLE: ReadonlySet<string> = new Set([
  ...TRUST_EVENT_TYPES,
  'gateway_started',
  'gateway_stopped',
  'config_reloaded',
]);

/** The per-line bookkeeping both readers share: counts, issues, the exact path, the tail. */
export interface LineTaker {
  summary: LogReadSummary;
  /** Bytes read per system call (`chunkBytes`, resolved). */
  readonly chunkBytes: number;
  /** The longest line kept (`maxLineBytes`, resolved). */
  readonly maxLineBytes: number;
  /** Whether good lines go through the byte scanner (`fields: 'fold'`, not `validation: 'full'`). */
  readonly fold: boolean;
  /** Records a skipped line. */
  report(line: number, reason: string, text: string, issues?: ValidationIssue[]): LogLineIssue;
  /** Reports line `line`, longer than `maxLineBytes`, from its first bytes. */
  long(line: number, preview: string): void;
  /** Counts the long line whose end was just found. */
  longEnded(): void;
  /** The exact path: parses one line; returns the entry, or the issue when it is skipped. */
  take(text: string, line: number): LogEntry | LogLineIssue | undefined;
  /**
   * The entries of a located chunk (`bytes`, its first line at `start`; see `LineLocator`):
   * lines the scanner accepted are built from their records, the others taken the exact way.
   * `line` is the number of the line before the chunk's first.
   */
  located(bytes: Buffer, start: number, lines: LineRecords, line: number): LogEntry[];
  /** The unterminated last line: an entry, or `undefined` (then reported as torn). */
  tail(text: string, line: number): LogEntry | undefined;
}

export function createLineTaker(file: string, options: ReadLogOptions): LineTaker {
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
    const ms = envelopeTime(value);
    const bad = typeof ms === 'string';
    if (bad || (full && !validator(value))) {
      summary.lines++;
      if (bad) validator(value);
      const issues = toIssues(compiled!.errors, value);
      const reason = issues.length > 0 ? issues.map((i) => i.message).join('; ') : String(ms);
      return report(line, `not a valid event: ${reason}`, text, issues);
    }
    return accept(value as SelfhealEvent, ms, line);
  };

  const accept = (
    event: SelfhealEvent | FoldEvent,
    ms: number,
    line: number,
    trace?: number,
  ): LogEntry => {
    summary.lines++;
    summary.events++;
    if (ms < latest) summary.outOfOrder++;
    else latest = ms;
    return { event: event as SelfhealEvent, line, ms, trace };
  };

  let build: ReturnType<typeof createFoldBuilder> | undefined;
  const located = (bytes: Buffer, start: number, chunk: LineRecords, line: number) => {
    build ??= createFoldBuilder();
    const { records, ms, count } = chunk;
    const packed = packedStrings(chunk);
    const batch: LogEntry[] = [];
    let at = start;
    for (let r = 0, base = 0; r < count; r++, base += RECORD_INTS) {
      line++;
      const nl = records[base]!;
      const scanned = records[base + 1] === 1 ? build(bytes, records, base + 2, packed) : undefined;
      // The trust fold, the runs and the servers a replica serves read fields the scanner does
      // not take (pins, diffs, scores; a run's replica and servers; a reload's removed): those
      // lines, rare, are read whole.
      if (scanned !== undefined && !READ_WHOLE.has(scanned.event_type)) {
        batch.push(accept(scanned, ms[r]!, line, records[base + 2 + TRACE_ID_ID]));
      } else {
        const got = take(bytes.toString('utf8', at, nl), line);
        if (got !== undefined && 'event' in got) {
          // Read whole, but the scanner's number for its trace id holds all the same.
          if (scanned !== undefined) got.trace = records[base + 2 + TRACE_ID_ID];
          batch.push(got);
        }
      }
      at = nl + 1;
    }
    return batch;
  };

  const maxLineBytes = options.maxLineBytes ?? 1 << 24;
  return {
    summary,
    chunkBytes: options.chunkBytes ?? 1 << 20,
    maxLineBytes,
    fold: options.fields === 'fold' && !full,
    report,
    long(line, preview) {
      report(line, `line longer than ${maxLineBytes} bytes`, preview);
    },
    longEnded() {
      summary.lines++;
    },
    take,
    located,
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

/** The LOG_UNREADABLE error for `file`, with why in words. */
export function unreadable(file: string, cause: unknown): EventsError {
  return new EventsError(
    EventsErrorCode.LogUnreadable,
    `cannot read log ${file}: ${reason(cause)}`,
    {
      cause,
      data: { file },
    },
  );
}

function reason(error: unknown): string {
  const { code, message } = error as { code?: string; message?: unknown };
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return typeof message === 'string' ? message : String(error);
}
