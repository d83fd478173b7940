import type { SelfhealEvent } from '@selfheal/schemas';
import { schemaEventTypes } from '../model/eventTypes.js';

/** Counts over a timeline, whatever its events are (Selfheal's or a foreign workflow's). */
export interface TimelineSummary {
  events_total: number;
  by_type: Record<string, number>;
  by_repo: Record<string, number>;
  by_trace: Record<string, number>;
  /**
   * Events counted under no key because a table was full (see `maxKeys`), per table; present
   * only when some were.
   */
  overflow?: { by_type?: number; by_repo?: number; by_trace?: number };
  /** Events of types the event schema does not describe (foreign or newer): kept and counted. */
  unknown_types: number;
  /** Earliest and latest timestamps and the seconds between; `null` before any event. */
  time_span: { first: string; last: string; seconds: number } | null;
}

/** Accumulates a {@link TimelineSummary} one event at a time, in any order. */
export interface TimelineSummarizer {
  /**
   * Counts `event`; `ms` is its timestamp in epoch milliseconds. Which traces are counted by
   * key is this summary's to decide: the first `maxKeys`, the rest in `overflow`.
   *
   * `trace` is the number a log read gave `event.trace_id` (`LogEntry.trace`) and `read` any
   * number naming that read (a file's index; numbers of different reads are unrelated): given
   * both, the trace is counted by its number, its string looked up once per read. The counts
   * are the same as without them.
   */
  add(event: SelfhealEvent, ms: number, trace?: number, read?: number): void;
  summary(): TimelineSummary;
}

/** Key for events without `repo`. */
export const NO_REPO = '(none)';

/**
 * Creates a {@link TimelineSummarizer}. Every count is order-independent. Each table keeps at
 * most `maxKeys` distinct keys (a log with a fresh trace per event must not grow memory with
 * its size); further events are counted in `overflow`.
 * @param maxKeys distinct keys per table. @default 1000
 */
export function createTimelineSummarizer(maxKeys = 1000): TimelineSummarizer {
  const tables = {
    by_type: createTable(maxKeys),
    by_repo: createTable(maxKeys),
    by_trace: createTable(maxKeys),
  };
  const traces = createTraceNumbers(tables.by_trace, maxKeys);
  let total = 0;
  let unknown = 0;
  let lastType: string | undefined;
  const known = schemaEventTypes();
  let lastKnown = false;
  // Earliest and latest so far, as plain variables: one object per event would be garbage.
  let firstMs = Number.POSITIVE_INFINITY;
  let firstAt = '';
  let lastMs = Number.NEGATIVE_INFINITY;
  let lastAt = '';

  return {
    add(event, ms, trace, read) {
      total++;
      tables.by_type.count(event.event_type);
      tables.by_repo.count(typeof event.repo === 'string' ? event.repo : NO_REPO);
      if (trace === undefined || read === undefined) tables.by_trace.count(event.trace_id);
      else traces.count(event.trace_id, trace, read);
      if (event.event_type !== lastType) {
        lastType = event.event_type;
        lastKnown = known.has(lastType);
      }
      if (!lastKnown) unknown++;
      if (total === 1 || ms < firstMs) {
        firstMs = ms;
        firstAt = event.timestamp;
      }
      if (total === 1 || ms > lastMs) {
        lastMs = ms;
        lastAt = event.timestamp;
      }
    },
    summary() {
      const result: TimelineSummary = {
        events_total: total,
        by_type: tables.by_type.sorted(),
        by_repo: tables.by_repo.sorted(),
        by_trace: tables.by_trace.sorted(),
        unknown_types: unknown,
        time_span:
          total > 0 ? { first: firstAt, last: lastAt, seconds: (lastMs - firstMs) / 1000 } : null,
      };
      const spilled = Object.entries(tables)
        .map(([name, table]) => [name, table.overflow] as const)
        .filter(([, n]) => n > 0);
      if (spilled.length > 0) result.overflow = Object.fromEntries(spilled);
      return result;
    },
  };
}

/** One key's count. */
interface Cell {
  n: number;
}

/** Counts per key, at most `maxKeys` keys; the last key's cell is kept for runs of one key. */
function createTable(maxKeys: number) {
  const cells = new Map<string, Cell>();
  let lastKey: string | undefined;
  let lastCell: Cell | undefined;
  let overflow = 0;
  /** The cell of `key`, added when new and there is room; null when the table is full of others. */
  const cellOf = (key: string): Cell | null => {
    let cell = cells.get(key);
    if (cell === undefined) {
      if (cells.size >= maxKeys) return null;
      cell = { n: 0 };
      cells.set(key, cell);
    }
    return cell;
  };
  return {
    cellOf,
    /** Counts one event under `key` (in `overflow` once the table is full of other keys). */
    count(key: string): void {
      if (key === lastKey && lastCell) {
        lastCell.n++;
        return;
      }
      const cell = cellOf(key);
      if (cell === null) {
        overflow++;
        return;
      }
      cell.n++;
      lastKey = key;
      lastCell = cell;
    },
    /** Counts one event under no key. */
    spill(): void {
      overflow++;
    },
    get overflow() {
      return overflow;
    },
    sorted(): Record<string, number> {
      return Object.fromEntries(
        [...cells].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, c]) => [k, c.n]),
      );
    },
  };
}

/** What the trace table learnt of one read's trace numbers (`LogEntry.trace`). */
interface ReadTraces {
  /** By number: the trace's cell, or null when the table was full without it (it stays so). */
  cells: (Cell | null)[];
  /** Keys of the table that have a number in this read. */
  keys: number;
}

/**
 * Counts traces by the numbers reads gave them: a number's cell is looked up by its string
 * once, then kept. A trace without a number (-1) equals none with one in its read, so once
 * every key of the full table has a number in that read it is no key: counted in overflow
 * without its string (a log with a fresh trace per event, past its first traces).
 */
function createTraceNumbers(table: ReturnType<typeof createTable>, maxKeys: number) {
  const reads: ReadTraces[] = [];
  return {
    count(trace: string, number: number, read: number): void {
      let seen = reads[read];
      if (seen === undefined) {
        seen = { cells: [], keys: 0 };
        reads[read] = seen;
      }
      if (number < 0) {
        if (seen.keys === maxKeys) table.spill();
        else table.count(trace);
        return;
      }
      let cell = seen.cells[number];
      if (cell === undefined) {
        cell = table.cellOf(trace);
        seen.cells[number] = cell;
        if (cell !== null) seen.keys++;
      }
      if (cell === null) table.spill();
      else cell.n++;
    },
  };
}
