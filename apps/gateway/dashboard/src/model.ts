import { parseTimestamp, type ServerHealth } from '@selfheal/events/fold';
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

/**
 * Appends `incoming` to `history` (both in time order) leaving out events whose `event_id` is
 * already there: after a reconnect the log read back and the live stream overlap. An entry
 * earlier than the last one is inserted at its place (stable), so the time-travel fold sees
 * the order `selfheal replay` would.
 */
export function mergeEntries(history: readonly Entry[], incoming: readonly Entry[]): Entry[] {
  const seen = new Set<string>();
  for (const { event } of history) if (typeof event.event_id === 'string') seen.add(event.event_id);
  const out = history.slice();
  for (const entry of incoming) {
    const id = entry.event.event_id;
    if (typeof id === 'string') {
      if (seen.has(id)) continue;
      seen.add(id);
    }
    let i = out.length;
    while (i > 0 && out[i - 1]!.ms > entry.ms) i--;
    out.splice(i, 0, entry);
  }
  return out;
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
 * Per-server call series over the `windowMs` before `nowMs`, in buckets of `bucketMs`, from
 * `call_completed` events (the live stream carries every call; the log keeps only summaries).
 */
export function callSeries(
  calls: readonly Entry[],
  nowMs: number,
  windowMs = 300_000,
  bucketMs = 5_000,
): Map<string, CallBucket[]> {
  const buckets = Math.ceil(windowMs / bucketMs);
  const start = Math.floor(nowMs / bucketMs) * bucketMs - (buckets - 1) * bucketMs;
  const raw = new Map<string, { latencies: number[]; failed: number }[]>();
  for (const { event, ms } of calls) {
    if (event.event_type !== 'call_completed' || ms < start) continue;
    const name = event.server_name;
    if (typeof name !== 'string') continue;
    const index = Math.floor((ms - start) / bucketMs);
    if (index >= buckets) continue;
    let series = raw.get(name);
    if (!series) {
      series = Array.from({ length: buckets }, () => ({ latencies: [], failed: 0 }));
      raw.set(name, series);
    }
    const bucket = series[index]!;
    const e = event as Record<string, unknown>;
    bucket.latencies.push(typeof e.latency_ms === 'number' ? e.latency_ms : 0);
    if (FAILED.has(String(e.outcome))) bucket.failed++;
  }
  const out = new Map<string, CallBucket[]>();
  for (const [name, series] of raw) {
    out.set(
      name,
      series.map(({ latencies, failed }, i) => {
        const sorted = latencies.sort((a, b) => a - b);
        const n = sorted.length;
        return {
          t: (start + i * bucketMs) / 1000,
          calls: n,
          callsPerSecond: n / (bucketMs / 1000),
          errorPercent: n === 0 ? null : (100 * failed) / n,
          p50: n === 0 ? null : quantile(sorted, 0.5),
          p99: n === 0 ? null : quantile(sorted, 0.99),
        };
      }),
    );
  }
  return out;
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
  for (const { event } of entries) {
    const state = BREAKER[event.event_type];
    const name = event.server_name;
    if (state === undefined || typeof name !== 'string') continue;
    const circuit = (event as Record<string, unknown>).circuit;
    if (circuit !== undefined && circuit !== name) continue;
    out.set(name, state);
  }
  return out;
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
