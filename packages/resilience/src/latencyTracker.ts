/** Options of {@link createLatencyTracker}. */
export interface LatencyTrackerOptions {
  /** Latest samples kept. @default 200 */
  size?: number;
  /** The percentile is re-sorted after this many new samples (a cheap, bounded staleness). @default 16 */
  refreshEvery?: number;
}

/** The latencies of recent successful attempts and a percentile of them. */
export interface LatencyTracker {
  record(ms: number): void;
  /** Samples held (at most `size`). */
  readonly count: number;
  /** The `p`-quantile (0 < p ≤ 1, nearest rank) of the samples held; `undefined` if none. */
  percentile(p: number): number | undefined;
}

/** A ring buffer of latencies with a lazily refreshed, sorted copy for percentiles. */
export function createLatencyTracker(options: LatencyTrackerOptions = {}): LatencyTracker {
  const size = Math.max(1, options.size ?? 200);
  const refreshEvery = Math.max(1, options.refreshEvery ?? 16);
  const samples = new Float64Array(size);
  let next = 0;
  let count = 0;
  let sorted: Float64Array | undefined;
  let sinceSort = 0;
  return {
    record(ms) {
      samples[next] = ms;
      next = (next + 1) % size;
      if (count < size) count++;
      sinceSort++;
    },
    get count() {
      return count;
    },
    percentile(p) {
      if (count === 0) return undefined;
      if (!sorted || sinceSort >= refreshEvery || sorted.length < Math.min(count, refreshEvery)) {
        sorted = samples.slice(0, count).sort();
        sinceSort = 0;
      }
      const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
      return sorted[rank - 1];
    },
  };
}
