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
   */
  add(event: SelfhealEvent, ms: number): void;
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
    add(event, ms) {
      total++;
      tables.by_type.count(event.event_type);
      tables.by_repo.count(typeof event.repo === 'string' ? event.repo : NO_REPO);
      tables.by_trace.count(event.trace_id);
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

/** Counts per key, at most `maxKeys` keys; the last key's cell is kept for runs of one key. */
function createTable(maxKeys: number) {
  const cells = new Map<string, { n: number }>();
  let lastKey: string | undefined;
  let lastCell: { n: number } | undefined;
  let overflow = 0;
  return {
    /** Counts one event under `key` (in `overflow` once the table is full of other keys). */
    count(key: string): void {
      if (key === lastKey && lastCell) {
        lastCell.n++;
        return;
      }
      let cell = cells.get(key);
      if (cell === undefined) {
        if (cells.size >= maxKeys) {
          overflow++;
          return;
        }
        cell = { n: 0 };
        cells.set(key, cell);
      }
      cell.n++;
      lastKey = key;
      lastCell = cell;
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
