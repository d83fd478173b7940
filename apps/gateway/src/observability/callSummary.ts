import { createEventFactory, type EventFactory, type EventSink } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';

/** Options of {@link createCallSummarySink}. */
export interface CallSummaryOptions {
  /** Where kept events and summaries go (the JSONL file sink). */
  inner: EventSink;
  /** Schedules the window flushes. */
  clock: Clock;
  /** Length of a summary window, in milliseconds. @default 60000 */
  windowMs?: number;
  /**
   * Builds the summary events, envelope and all: the gateway's own factory (`gateway.events`),
   * so a summary has an `event_id`, `repo` and `replica` like every other event.
   * @default createEventFactory({ clock, repo, validate: false })
   */
  events?: Pick<EventFactory, 'callSummary'>;
  /** `repo` of the summary events when no `events` is given. @default 'selfheal' */
  repo?: string;
  /** Trace ids kept per kind of unusual call and window, as exemplars. @default 3 */
  exemplars?: number;
}

/** The calls of one kind that is not a plain success: an outcome, error code and fallback. */
interface Kind {
  outcome: string;
  error_code?: string;
  fallback_server?: string;
  calls: number;
  trace_ids: string[];
}

interface Window {
  server_name: string;
  tool: string | undefined;
  method: string;
  counts: Record<string, number>;
  latencies: number[];
  kinds: Map<string, Kind>;
}

/**
 * A filter in front of the JSONL file sink so the log grows with neither successful calls nor
 * an outage's failed ones (RFC 0009). Every event other than `call_completed` is passed on
 * unchanged. Every call is counted per server, tool and method, and at the end of each window
 * of `windowMs` a `call_summary` event per (server, tool, method) that saw calls is written:
 * exact counts by outcome, latency p50/p95/p99/max (nearest rank), and `kinds`: for each kind
 * of call that is not a plain success (outcome, error code, fallback server), its exact count
 * and the trace ids of its first few calls. Plain successes are never written one by one; of
 * the other kinds, the first call of each in a window is written as it is, so an operator sees
 * a new failure at once, and the rest only in the summary. Closing flushes the open window.
 */
export function createCallSummarySink(options: CallSummaryOptions): EventSink {
  const { inner, clock } = options;
  const windowMs = options.windowMs ?? 60_000;
  const events =
    options.events ??
    createEventFactory({ clock, repo: options.repo ?? 'selfheal', validate: false });
  const exemplars = options.exemplars ?? 3;
  let windows = new Map<string, Window>();
  let windowStart = clock.now();
  let timer: unknown;

  const flush = async () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    const done = windows;
    const start = windowStart;
    windows = new Map();
    windowStart = clock.now();
    // Written in the flushing turn (a sync inner sink sees them at once), awaited together.
    const pending = [...done.values()].map((w) =>
      inner.write(summaryEvent(events, w, start, windowStart)),
    );
    await Promise.all(pending);
  };
  const schedule = () => {
    timer ??= clock.setTimeout(() => {
      timer = undefined;
      void flush().catch(() => {});
    }, windowMs);
  };

  /** Counts a call into its window; whether the event still goes to the file (first of a kind). */
  const keep = (event: SelfhealEvent): boolean => {
    if (event.event_type !== 'call_completed') return true;
    const e = event as Record<string, unknown>;
    const server = typeof e.server_name === 'string' ? e.server_name : '';
    const tool = typeof e.tool === 'string' ? e.tool : undefined;
    const method = typeof e.method === 'string' ? e.method : '';
    const key = JSON.stringify([server, tool, method]);
    let w = windows.get(key);
    if (!w) {
      if (windows.size === 0) windowStart = clock.now();
      w = { server_name: server, tool, method, counts: {}, latencies: [], kinds: new Map() };
      windows.set(key, w);
    }
    const outcome = typeof e.outcome === 'string' ? e.outcome : 'error';
    w.counts[outcome] = (w.counts[outcome] ?? 0) + 1;
    if (typeof e.latency_ms === 'number' && Number.isFinite(e.latency_ms))
      w.latencies.push(e.latency_ms);
    schedule();
    const fallback = typeof e.fallback_server === 'string' ? e.fallback_server : undefined;
    if (outcome === 'ok' && fallback === undefined) return false;
    const code = typeof e.error_code === 'string' ? e.error_code : undefined;
    const kindKey = JSON.stringify([outcome, code, fallback]);
    const kind = w.kinds.get(kindKey);
    if (kind) {
      kind.calls++;
      if (kind.trace_ids.length < exemplars) kind.trace_ids.push(event.trace_id);
      return false;
    }
    w.kinds.set(kindKey, {
      outcome,
      ...(code === undefined ? {} : { error_code: code }),
      ...(fallback === undefined ? {} : { fallback_server: fallback }),
      calls: 1,
      trace_ids: exemplars > 0 ? [event.trace_id] : [],
    });
    return true;
  };
  const { writeBatch } = inner;

  return {
    name: inner.name,
    write: (event) => (keep(event) ? inner.write(event) : undefined),
    // The inner sink's batching (the file sink's one write per window) is kept, not bypassed.
    ...(writeBatch && {
      writeBatch: (events: SelfhealEvent[]) => {
        const kept = events.filter(keep);
        return kept.length > 0 ? writeBatch.call(inner, kept) : undefined;
      },
    }),
    ...(inner.batchWindowMs !== undefined && { batchWindowMs: inner.batchWindowMs }),
    async close() {
      await flush();
      await inner.close?.();
    },
  };
}

/** The `call_summary` of window `w`, from `start` to `end` (now: its timestamp). */
function summaryEvent(
  events: Pick<EventFactory, 'callSummary'>,
  w: Window,
  start: number,
  end: number,
): SelfhealEvent {
  const sorted = w.latencies.sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
  const calls = Object.values(w.counts).reduce((a, b) => a + b, 0);
  return events.callSummary({
    trace_id: `summary-${w.server_name}`,
    server_name: w.server_name,
    ...(w.tool === undefined ? {} : { tool: w.tool }),
    method: w.method,
    window_start: new Date(start).toISOString(),
    window_ms: end - start,
    calls,
    counts: w.counts,
    ...(w.kinds.size === 0 ? {} : { kinds: [...w.kinds.values()] }),
    latency_ms: { p50: rank(0.5), p95: rank(0.95), p99: rank(0.99), max: sorted.at(-1) ?? 0 },
  });
}
