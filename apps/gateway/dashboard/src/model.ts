import { parseTimestamp, type ServerHealth, type ServingReplicas } from '@selfheal/events/fold';
import type { SelfhealEvent } from '@selfheal/schemas';

/** An event as the page holds it: the event and its timestamp in epoch ms. */
export interface Entry {
  event: SelfhealEvent;
  ms: number;
}

/** `GET /dashboard/api/info`. */
export interface DashboardInfo {
  mode: 'live' | 'replay';
  /** The files a replay serves (replay mode). */
  files?: string[];
  /** Whether operator actions are answered (live mode with a monitor). */
  actions: boolean;
}

/** The first message of `WS /health/stream`. */
export interface Snapshot {
  event_type: 'snapshot';
  timestamp: string;
  servers: Record<string, ServerHealth>;
  /** Which replicas serve each server (absent from gateways before it). */
  serving?: ServingReplicas;
}

/**
 * The delay before reconnect attempt `attempt` (0-based): 250 ms doubling up to 8 s. Pure; the
 * page adds no jitter (one page, one gateway).
 */
export function reconnectDelay(attempt: number): number {
  return Math.min(8000, 250 * 2 ** Math.max(0, attempt));
}

/** Entries of `events` with a valid timestamp, in the order given. */
export function toEntries(events: readonly SelfhealEvent[]): Entry[] {
  const out: Entry[] = [];
  for (const event of events) {
    const ms = parseTimestamp(event.timestamp);
    if (!Number.isNaN(ms)) out.push({ event, ms });
  }
  return out;
}

let versions = 0;

/**
 * The events the page holds, in time order, appended to in place: a live batch costs work in
 * proportion to the batch, not to the history (a merge that copied the history and rebuilt its
 * set of ids at each batch kept the main thread busy under 200 events a second). Kept beside the
 * entries, updated as they come: the id index, each server's breaker state, and the server names
 * and event types the timeline filters by.
 */
export class EventHistory {
  readonly entries: Entry[] = [];
  /** A new value at each change (unique across histories): what memoised views depend on. */
  version = ++versions;
  /**
   * A new value when an entry went in before the last one: a fold kept over `entries` is then
   * no longer a prefix of them and starts again.
   */
  rewrites = 0;
  readonly servers = new Set<string>();
  readonly types = new Set<string>();
  private readonly ids = new Set<string>();
  private breakerMap = new Map<string, string>();

  /** A history of `entries` (in time order) and then `more`. */
  static of(entries: readonly Entry[], more: readonly Entry[] = []): EventHistory {
    const history = new EventHistory();
    history.add(entries);
    history.add(more);
    return history;
  }

  /**
   * Adds `incoming`, leaving out events whose `event_id` is already there: after a reconnect
   * the log read back and the live stream overlap. An entry earlier than the last one is
   * inserted at its place (stable), so the time-travel fold sees the order `selfheal replay`
   * would. Returns whether anything was added.
   */
  add(incoming: readonly Entry[]): boolean {
    let added = false;
    let inserted = false;
    for (const entry of incoming) {
      const id = entry.event.event_id;
      if (typeof id === 'string') {
        if (this.ids.has(id)) continue;
        this.ids.add(id);
      }
      added = true;
      const out = this.entries;
      let i = out.length;
      while (i > 0 && out[i - 1]!.ms > entry.ms) i--;
      if (i === out.length) {
        out.push(entry);
        if (!inserted) foldBreaker(this.breakerMap, entry.event);
      } else {
        out.splice(i, 0, entry);
        inserted = true;
      }
      if (typeof entry.event.server_name === 'string') this.servers.add(entry.event.server_name);
      this.types.add(entry.event.event_type);
    }
    if (inserted) {
      this.rewrites++;
      this.breakerMap = breakerStates(this.entries);
    }
    if (added) this.version = ++versions;
    return added;
  }

  /** Each server's breaker after the last event (see {@link breakerStates}). */
  breakers(): ReadonlyMap<string, string> {
    return this.breakerMap;
  }
}

/** Index of the last entry at or before `ms` (entries in time order); -1 when none is. */
export function lastIndexAtOrBefore(entries: readonly Entry[], ms: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.ms <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Call figures of one server over one bucket of time. */
export interface CallBucket {
  /** Bucket start, epoch seconds. */
  t: number;
  calls: number;
  callsPerSecond: number;
  /** Percent of calls whose outcome was not `ok` (`null` without calls). */
  errorPercent: number | null;
  p50: number | null;
  p99: number | null;
}

const FAILED = new Set(['error', 'timeout', 'rejected', 'tool_error']);

/**
 * The log's `call_summary` events (RFC 0009) that fill the sparklines for the time before the
 * page saw calls live: the log keeps no successful call one by one, so this is all there is.
 */
export interface EarlierCalls {
  /** `call_summary` entries, in any order. */
  summaries: readonly Entry[];
  /** Where the live calls take over (epoch ms): the summaries count only before it. */
  untilMs: number;
}

/** The `call_summary` entries of `entries` whose window ends at or after `sinceMs`. */
export function recentSummaries(entries: readonly Entry[], sinceMs: number): Entry[] {
  const out: Entry[] = [];
  // The history is in time order: walk back from its end to the first summary too old.
  for (let i = entries.length - 1; i >= 0 && entries[i]!.ms >= sinceMs; i--) {
    if (entries[i]!.event.event_type === 'call_summary') out.push(entries[i]!);
  }
  return out.reverse();
}

interface RawBucket {
  latencies: number[];
  failed: number;
  /** Calls and failures from summaries: a summary's share of the bucket, fractional. */
  summed: number;
  summedFailed: number;
  /** The latency of each summary overlapping the bucket, weighted by its calls in it. */
  summedLatency: { p50: number; p99: number; weight: number }[];
}

/**
 * Per-server call series over the `windowMs` before `nowMs`, in buckets of `bucketMs`, from
 * `call_completed` events (the live stream carries every call; the log keeps only summaries)
 * and, before `earlier.untilMs`, the log's `call_summary` events: a summary's calls are spread
 * evenly over its window (a minute), so that history is coarser than the live part. Where a
 * bucket has only summaries, p50 is their call-weighted mean and p99 their largest (percentiles
 * of separate windows do not combine exactly).
 */
export function callSeries(
  calls: readonly Entry[],
  nowMs: number,
  windowMs = 300_000,
  bucketMs = 5_000,
  earlier?: EarlierCalls,
): Map<string, CallBucket[]> {
  const buckets = Math.ceil(windowMs / bucketMs);
  const start = Math.floor(nowMs / bucketMs) * bucketMs - (buckets - 1) * bucketMs;
  const raw = new Map<string, RawBucket[]>();
  const seriesOf = (name: string) => {
    let series = raw.get(name);
    if (!series) {
      series = Array.from({ length: buckets }, () => ({
        latencies: [],
        failed: 0,
        summed: 0,
        summedFailed: 0,
        summedLatency: [],
      }));
      raw.set(name, series);
    }
    return series;
  };
  for (const { event, ms } of calls) {
    if (event.event_type !== 'call_completed' || ms < start) continue;
    const name = event.server_name;
    if (typeof name !== 'string') continue;
    const index = Math.floor((ms - start) / bucketMs);
    if (index >= buckets) continue;
    const bucket = seriesOf(name)[index]!;
    const e = event as Record<string, unknown>;
    bucket.latencies.push(typeof e.latency_ms === 'number' ? e.latency_ms : 0);
    if (FAILED.has(String(e.outcome))) bucket.failed++;
  }
  for (const { event, ms } of earlier?.summaries ?? []) {
    const name = event.server_name;
    if (event.event_type !== 'call_summary' || typeof name !== 'string') continue;
    spreadSummary(event as Record<string, unknown>, ms, {
      series: () => seriesOf(name),
      start,
      bucketMs,
      buckets,
      untilMs: earlier!.untilMs,
    });
  }
  const out = new Map<string, CallBucket[]>();
  for (const [name, series] of raw) {
    out.set(
      name,
      series.map((b, i) => {
        const sorted = b.latencies.sort((x, y) => x - y);
        const live = sorted.length;
        const n = live + b.summed;
        const weight = b.summedLatency.reduce((w, l) => w + l.weight, 0);
        return {
          t: (start + i * bucketMs) / 1000,
          calls: n,
          callsPerSecond: n / (bucketMs / 1000),
          errorPercent: n === 0 ? null : (100 * (b.failed + b.summedFailed)) / n,
          p50:
            live > 0
              ? quantile(sorted, 0.5)
              : weight > 0
                ? b.summedLatency.reduce((m, l) => m + l.p50 * l.weight, 0) / weight
                : null,
          p99:
            live > 0
              ? quantile(sorted, 0.99)
              : weight > 0
                ? Math.max(...b.summedLatency.map((l) => l.p99))
                : null,
        };
      }),
    );
  }
  return out;
}

/**
 * `next`, each server's series replaced by its series in `prev` where they hold the same
 * figures: a series that did not change keeps its identity, so its card is not drawn again.
 */
export function keepUnchangedSeries(
  prev: ReadonlyMap<string, CallBucket[]>,
  next: Map<string, CallBucket[]>,
): Map<string, CallBucket[]> {
  for (const [name, series] of next) {
    const before = prev.get(name);
    if (before && sameBuckets(before, series)) next.set(name, before);
  }
  return next;
}

function sameBuckets(a: readonly CallBucket[], b: readonly CallBucket[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.t !== y.t ||
      x.calls !== y.calls ||
      x.errorPercent !== y.errorPercent ||
      x.p50 !== y.p50 ||
      x.p99 !== y.p99
    )
      return false;
  }
  return true;
}

/** Adds a `call_summary`'s share of calls, failures and latency to each bucket it overlaps. */
function spreadSummary(
  e: Record<string, unknown>,
  endMs: number,
  at: {
    series: () => RawBucket[];
    start: number;
    bucketMs: number;
    buckets: number;
    untilMs: number;
  },
) {
  const calls = typeof e.calls === 'number' ? e.calls : 0;
  const windowMs = typeof e.window_ms === 'number' ? e.window_ms : 0;
  if (calls <= 0) return;
  const counts = (e.counts ?? {}) as Record<string, unknown>;
  let failed = 0;
  for (const [outcome, n] of Object.entries(counts))
    if (FAILED.has(outcome) && typeof n === 'number') failed += n;
  const latency = (e.latency_ms ?? {}) as Record<string, unknown>;
  const p50 = typeof latency.p50 === 'number' ? latency.p50 : null;
  const p99 = typeof latency.p99 === 'number' ? latency.p99 : null;
  // A window of no length (all calls at one instant) counts whole in the bucket of its end.
  const from = windowMs > 0 ? endMs - windowMs : endMs;
  const last = at.start + at.buckets * at.bucketMs;
  for (let i = Math.max(0, Math.floor((from - at.start) / at.bucketMs)); i < at.buckets; i++) {
    const lo = Math.max(from, at.start + i * at.bucketMs);
    const hi = Math.min(endMs, at.untilMs, last, at.start + (i + 1) * at.bucketMs);
    if (lo > hi || (lo === hi && windowMs > 0)) {
      if (lo >= Math.min(endMs, at.untilMs)) break;
      continue;
    }
    const share = windowMs > 0 ? (hi - lo) / windowMs : 1;
    const bucket = at.series()[i]!;
    bucket.summed += calls * share;
    bucket.summedFailed += failed * share;
    if (p50 !== null && p99 !== null)
      bucket.summedLatency.push({ p50, p99, weight: calls * share });
  }
}

/** Nearest-rank quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** A server_down reason split into its message and the stderr tail the supervisor appended. */
export function splitStderr(error: string | undefined): { message: string; stderr: string[] } {
  if (error === undefined) return { message: '', stderr: [] };
  const at = error.indexOf('; stderr: ');
  if (at < 0) return { message: error, stderr: [] };
  return { message: error.slice(0, at), stderr: error.slice(at + 10).split(' | ') };
}

/** A duration for people: `850ms`, `12.5s`, `3.2m`, `1.5h`, `2.0d`; `-` for null. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)}m`;
  if (ms < 172_800_000) return `${(ms / 3_600_000).toFixed(1)}h`;
  return `${(ms / 86_400_000).toFixed(1)}d`;
}

const BREAKER: Record<string, string> = {
  circuit_opened: 'open',
  circuit_half_opened: 'half-open',
  circuit_closed: 'closed',
  circuit_isolated: 'isolated',
  circuit_metrics_only: 'metrics only',
};

/**
 * Each server's breaker as its last circuit event (of the server's own breaker, not a per-tool
 * one) left it; a server without one is `closed`.
 */
export function breakerStates(entries: readonly Entry[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const { event } of entries) foldBreaker(out, event);
  return out;
}

/** Applies one event to `breakers` (server name to state), the step of {@link breakerStates}. */
function foldBreaker(breakers: Map<string, string>, event: SelfhealEvent) {
  const state = BREAKER[event.event_type];
  const name = event.server_name;
  if (state === undefined || typeof name !== 'string') return;
  const circuit = (event as Record<string, unknown>).circuit;
  if (circuit !== undefined && circuit !== name) return;
  breakers.set(name, state);
}

/**
 * The SLA panel's window: the whole log, the last span before its end, or from an instant. Its
 * end is the time-travel instant, or the last event (as `selfheal replay` without `--until`).
 */
export type SlaWindow =
  | { kind: 'all' }
  | { kind: 'last'; spanMs: number }
  | { kind: 'from'; ms: number };

/** The presets the panel offers besides the whole log and a chosen instant. */
export const SLA_PRESETS: readonly { label: string; spanMs: number }[] = [
  { label: 'last 1 h', spanMs: 3_600_000 },
  { label: 'last 24 h', spanMs: 86_400_000 },
  { label: 'last 7 d', spanMs: 604_800_000 },
];

const MINUTE_MS = 60_000;

/**
 * Where `window` starts (the `since` of `selfheal replay`), for a window ending at `endMs`;
 * undefined for the whole log. A `last` window starts on a whole minute (at most a minute
 * longer than its span): live, its start then moves once a minute, not with every event, so
 * the page folds the history again at most once a minute instead of at each event.
 */
export function windowStart(window: SlaWindow, endMs: number): number | undefined {
  if (window.kind === 'all') return undefined;
  if (window.kind === 'from') return window.ms;
  return Math.floor((endMs - window.spanMs) / MINUTE_MS) * MINUTE_MS;
}

/** Whether two sparklines' data hold the same values. */
export function sameSeries(
  a: readonly (readonly unknown[])[],
  b: readonly (readonly unknown[])[],
): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}
