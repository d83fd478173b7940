import type { Clock } from '@selfheal/internal';

/** Options of {@link createRepeatFilter}. */
export interface RepeatFilterOptions {
  clock: Pick<Clock, 'now'>;
  /** How long a kind stays told after its first event, ms. @default 60000 */
  windowMs?: number;
  /** The kind of an event that may repeat (undefined: always kept). */
  kindOf: (event: Record<string, unknown>) => string | undefined;
}

/**
 * Keeps the first event of each kind per window and lets the rest go: for per-call events whose
 * exact counts another event already carries (`fallback_used`, counted by `call_summary`'s
 * kinds, RFC 0009), so a failover under load writes one line per kind and minute, not one per
 * call. Memory: one entry per kind seen in the current window.
 */
export function createRepeatFilter(options: RepeatFilterOptions): {
  /** Whether `event` repeats a kind already told in this window (then it is not published). */
  repeats(event: Record<string, unknown>): boolean;
} {
  const windowMs = options.windowMs ?? 60_000;
  let windowStart = options.clock.now();
  const told = new Set<string>();
  return {
    repeats(event) {
      const kind = options.kindOf(event);
      if (kind === undefined) return false;
      const now = options.clock.now();
      if (now - windowStart >= windowMs) {
        windowStart = now;
        told.clear();
      }
      if (told.has(kind)) return true;
      told.add(kind);
      return false;
    },
  };
}
