import { open } from 'node:fs/promises';
import type { EcosystemHealth, SelfhealEvent } from '@selfheal/schemas';
import { EventsError, EventsErrorCode } from '../errors.js';
import {
  type LogEntry,
  type LogLineIssue,
  type LogReadSummary,
  readLog,
} from '../log/logReader.js';
import { envelopeTime } from '../model/envelope.js';
import { createHealthFold } from './healthFold.js';
import type { ServerHealth } from './serverHealth.js';
import type { ServerSla } from './slaReport.js';
import { createTimelineSummarizer, type TimelineSummary } from './timelineSummary.js';
import type { TrustState } from './trustProjection.js';

/** Options of {@link replayLogs}. */
export interface ReplayOptions {
  /** Only events at or before this time (epoch milliseconds) are folded. */
  until?: number;
  /**
   * The report's window starts here (epoch ms): earlier events are folded for the state they
   * leave, but are in no SLA figure and no count of the summary (see `HealthFoldOptions.since`).
   */
  since?: number;
  /** Only events of this server are folded (lines are still all read and counted). */
  server?: string;
  /**
   * How each line is checked; see `ReadLogOptions.validation`.
   * @default 'envelope'
   */
  validation?: 'envelope' | 'full';
  /**
   * At most this many skipped lines are listed in the report; all are counted.
   * @default 1000
   */
  maxIssues?: number;
  /**
   * Read lines with the byte scanner (`ReadLogOptions.fields: 'fold'`); `false` sends every line
   * through JSON.parse (the reference path: same result, slower; kept for comparison).
   * @default true
   */
  byteScanner?: boolean;
  /**
   * Scan big files on a worker thread while this one folds; see `ReadLogOptions.worker`.
   * @default 'auto'
   */
  worker?: boolean | 'auto';
  /** See `ReadLogOptions.workerMinBytes`. @default 50331648 (48 MiB) */
  workerMinBytes?: number;
}

/** Per-file figures of a replay. */
export interface ReplayFile {
  file: string;
  bytes: number;
  lines: number;
  events: number;
  invalid: number;
  blank: number;
  out_of_order: number;
  torn: boolean;
  /** Whether a worker thread scanned this file's lines. */
  worker: boolean;
}

/** The result of {@link replayLogs}: JSON-serialisable, the body of `selfheal replay --json`. */
export interface ReplayReport extends TimelineSummary {
  files: ReplayFile[];
  /** Non-blank lines read, in every file. */
  lines_total: number;
  /** Lines skipped as not JSON or not an event (torn last lines included). */
  invalid_lines: number;
  /** The first skipped lines, with file, line number and reason. */
  invalid: LogLineIssue[];
  /** Good lines whose timestamp is earlier than one before them in the same file. */
  out_of_order: number;
  /**
   * `streamed`: every file was in time order and they were merged while streaming (flat
   * memory); `sorted`: some file was not, so all events were held and sorted (stable).
   */
  ordering: 'streamed' | 'sorted';
  /** Good events left out by `until` or `server`, or before `since` (folded for state only). */
  filtered_out: number;
  since?: string;
  until?: string;
  server?: string;
  /** Final per-server state and SLA figures, by server name. */
  servers: Record<string, { state: ServerHealth; sla: ServerSla }>;
  /** The W3 roll-up of the final state, at the end of the replay window. */
  ecosystem: EcosystemHealth;
  /** Trust scores, quarantines and tool pins at the end (RFC 0017), by server name. */
  trust: TrustState;
  /**
   * Gateway runs seen (`gateway_started`): each starts every server's state afresh, and the
   * time between a run's end and the next start is offline (not in any SLA window).
   */
  runs: number;
  /** Offline time between runs, ms. */
  offline_ms: number;
  /**
   * Status events replay decided from checks, for servers whose log records checks but no
   * decisions (a W3 monitor's): W3 thresholds, 3 failures down, 3 successes up.
   */
  derived_decisions: number;
}

interface Fold {
  /**
   * Folds one entry; `read` names the read it came from (see `TimelineSummarizer.add`), without
   * which its trace number is not used (entries of several reads mixed).
   */
  apply(entry: LogEntry, read?: number): void;
  report(files: LogReadSummary[], ordering: ReplayReport['ordering']): ReplayReport;
}

function createFold(options: ReplayOptions): Fold {
  const summary = createTimelineSummarizer();
  const health = createHealthFold(options);
  let filtered = 0;
  return {
    apply({ event, ms, trace }, read) {
      if (!health.apply(event, ms) || (options.since !== undefined && ms < options.since)) {
        filtered++;
        return;
      }
      summary.add(event, ms, trace, read);
    },
    report(reads, ordering) {
      const { since, until, server } = options;
      const { servers, ecosystem, trust, runs, offline_ms, derived_decisions } = health.result();
      const issues = reads.flatMap((r) => r.issues).slice(0, options.maxIssues ?? 1000);
      return {
        files: reads.map((r) => ({
          file: r.file,
          bytes: r.bytes,
          lines: r.lines,
          events: r.events,
          invalid: r.invalid,
          blank: r.blank,
          out_of_order: r.outOfOrder,
          torn: r.torn !== undefined,
          worker: r.worker,
        })),
        lines_total: reads.reduce((n, r) => n + r.lines, 0),
        invalid_lines: reads.reduce((n, r) => n + r.invalid, 0),
        invalid: issues,
        out_of_order: reads.reduce((n, r) => n + r.outOfOrder, 0),
        ordering,
        filtered_out: filtered,
        ...(since === undefined ? {} : { since: new Date(since).toISOString() }),
        ...(until === undefined ? {} : { until: new Date(until).toISOString() }),
        ...(server === undefined ? {} : { server }),
        ...summary.summary(),
        servers,
        ecosystem,
        trust,
        runs,
        offline_ms,
        derived_decisions,
      };
    },
  };
}

/** Bytes looked at for {@link refuseBinary}. */
const SNIFF_BYTES = 65_536;

/**
 * A file that is not text (a NUL byte in its first 64 KiB; gzip, zstd and zip by their magic
 * bytes) is refused with its name and what it seems to be, instead of every line of it being
 * listed as invalid with its raw bytes. Files that cannot be opened are left to the reader.
 * @throws EventsError LOG_UNREADABLE naming the file and what to do.
 */
async function refuseBinary(file: string): Promise<void> {
  let head: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return;
  }
  const kind = binaryKind(head);
  if (kind === undefined) return;
  throw new EventsError(
    EventsErrorCode.LogUnreadable,
    `${file} is not a JSONL event log: ${kind}. Give the log itself (a text file, one JSON event a line, e.g. selfheal-events.jsonl).`,
    { data: { file } },
  );
}

/** What a file's first bytes say it is, if not text. */
function binaryKind(head: Buffer): string | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b)
    return 'it is gzip-compressed (decompress it first: gunzip -k FILE)';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd)
    return 'it is zstd-compressed (decompress it first: zstd -d FILE)';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)
    return 'it is a zip archive (extract the .jsonl from it first)';
  const nul = head.indexOf(0);
  if (nul !== -1) return `it is binary (a NUL byte at offset ${nul})`;
  return undefined;
}

/** Thrown inside the streaming merge when a file turns out not to be in time order. */
const UNSORTED = Symbol('unsorted');

/**
 * Folds one or more logs in timestamp order (stable: ties keep file order, then line order)
 * into the final per-server state, an SLA report per server and a timeline summary.
 *
 * Files in time order (every log Selfheal writes) are merged while streaming, in flat memory.
 * When a file turns out not to be (foreign timelines may be unsorted), the replay starts over,
 * holding the good events of all files and sorting them; such logs are the small ones.
 * Bad lines are counted and listed, never fatal.
 * @throws EventsError LOG_UNREADABLE when a file cannot be opened or read.
 */
export async function replayLogs(
  files: string[],
  options: ReplayOptions = {},
): Promise<ReplayReport> {
  const readOptions = {
    fields: options.byteScanner === false ? ('all' as const) : ('fold' as const),
    ...(options.validation ? { validation: options.validation } : {}),
    ...(options.maxIssues !== undefined ? { maxIssues: options.maxIssues } : {}),
    ...(options.worker !== undefined ? { worker: options.worker } : {}),
    ...(options.workerMinBytes !== undefined ? { workerMinBytes: options.workerMinBytes } : {}),
  };
  for (const file of files) await refuseBinary(file);
  const streamed = await mergeStreaming(files, options, readOptions);
  if (streamed !== UNSORTED) return streamed;

  const entries: LogEntry[] = [];
  const reads: LogReadSummary[] = [];
  for (const file of files) {
    const reader = readLog(file, readOptions);
    for (;;) {
      const next = await reader.next();
      if (next.done) {
        reads.push(next.value);
        break;
      }
      for (const entry of next.value) entries.push(entry);
    }
  }
  // Array.prototype.sort is stable: ties stay in file order, then line order.
  entries.sort((a, b) => a.ms - b.ms);
  const fold = createFold(options);
  // Without the read: trace numbers of the files are mixed here (such logs are the small ones).
  for (const entry of entries) fold.apply(entry);
  return fold.report(reads, 'sorted');
}

interface Cursor {
  reader: ReturnType<typeof readLog>;
  /** The file's index: the read its entries' trace numbers belong to. */
  read: number;
  batch: LogEntry[];
  index: number;
  lastMs: number;
  summary?: LogReadSummary;
}

/**
 * Drops the entry at `i` of a batch once folded. A reader builds a batch whole (a chunk of about
 * 3,400 lines of a health log); without this the entries folded already stay alive until the
 * batch's end, and every young-generation collection meanwhile copies them.
 */
function letGo(batch: LogEntry[], i: number): void {
  (batch as (LogEntry | undefined)[])[i] = undefined;
}

async function mergeStreaming(
  files: string[],
  options: ReplayOptions,
  readOptions: Parameters<typeof readLog>[1],
): Promise<ReplayReport | typeof UNSORTED> {
  const fold = createFold(options);
  const cursors: Cursor[] = files.map((file, read) => ({
    reader: readLog(file, readOptions),
    read,
    batch: [],
    index: 0,
    lastMs: Number.NEGATIVE_INFINITY,
  }));
  /** Refills a cursor; false at the end of its file. */
  const refill = async (c: Cursor): Promise<boolean> => {
    while (c.index >= c.batch.length) {
      if (c.summary) return false;
      const next = await c.reader.next();
      if (next.done) {
        c.summary = next.value;
        return false;
      }
      c.batch = next.value;
      c.index = 0;
    }
    return true;
  };
  try {
    if (cursors.length === 1) {
      // One file: no merge to do, only the order check.
      const c = cursors[0]!;
      while (await refill(c)) {
        const { batch } = c;
        let last = c.lastMs;
        for (let i = c.index; i < batch.length; i++) {
          const entry = batch[i]!;
          if (entry.ms < last) return UNSORTED;
          last = entry.ms;
          fold.apply(entry, c.read);
          letGo(batch, i);
        }
        c.lastMs = last;
        c.index = batch.length;
      }
    } else {
      let live: Cursor[] = [];
      for (const c of cursors) if (await refill(c)) live.push(c);
      while (live.length > 0) {
        let best = live[0]!;
        for (let i = 1; i < live.length; i++) {
          const c = live[i]!;
          if (c.batch[c.index]!.ms < best.batch[best.index]!.ms) best = c;
        }
        const entry = best.batch[best.index]!;
        if (entry.ms < best.lastMs) return UNSORTED;
        best.lastMs = entry.ms;
        fold.apply(entry, best.read);
        letGo(best.batch, best.index++);
        if (best.index >= best.batch.length && !(await refill(best)))
          live = live.filter((c) => c !== best);
      }
    }
  } finally {
    for (const c of cursors)
      if (!c.summary) await c.reader.return(undefined as unknown as LogReadSummary);
  }
  return fold.report(
    cursors.map((c) => c.summary!),
    'streamed',
  );
}

/** A batch of a source that is not a file (a stream): good events, or a reason for a bad one. */
export type ReplaySourceItem = { event: SelfhealEvent } | { bad: string; position: number };

/**
 * Folds events from a source other than files (a NATS JetStream stream) **in the order the
 * source gives them**: the order in which every replica folds the same stream, so the state is
 * theirs. Each event's envelope is checked as a log line's is; a bad one is counted and listed
 * with its `position` (the stream sequence) as its line. The report has one entry in `files`,
 * named `source`; `ordering` is `streamed`.
 */
export async function replayEvents(
  source: string,
  batches: AsyncIterable<ReplaySourceItem[]>,
  options: Pick<ReplayOptions, 'since' | 'until' | 'server' | 'maxIssues'> = {},
): Promise<ReplayReport> {
  const fold = createFold(options);
  const maxIssues = options.maxIssues ?? 1000;
  const summary: LogReadSummary = {
    file: source,
    bytes: 0,
    lines: 0,
    events: 0,
    invalid: 0,
    blank: 0,
    outOfOrder: 0,
    issues: [],
    worker: false,
  };
  let lastMs = Number.NEGATIVE_INFINITY;
  let line = 0;
  for await (const batch of batches) {
    for (const item of batch) {
      line++;
      summary.lines++;
      const ms = 'event' in item ? envelopeTime(item.event) : item.bad;
      if (typeof ms === 'string') {
        summary.invalid++;
        if (summary.issues.length < maxIssues) {
          summary.issues.push({
            file: source,
            line: 'position' in item ? item.position : line,
            reason: ms,
            torn: false,
            text: 'event' in item ? JSON.stringify(item.event).slice(0, 200) : '',
          });
        }
        continue;
      }
      const { event } = item as { event: SelfhealEvent };
      summary.events++;
      if (ms < lastMs) summary.outOfOrder++;
      else lastMs = ms;
      fold.apply({ event, line, ms });
    }
  }
  return fold.report([summary], 'streamed');
}
