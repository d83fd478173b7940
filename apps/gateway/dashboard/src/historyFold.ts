import {
  createHealthFold,
  type HealthFold,
  type HealthFoldResult,
  rollUpEcosystem,
  type ServerHealth,
} from '@selfheal/events/fold';
import type { EcosystemHealth } from '@selfheal/schemas';
import { useMemo, useRef } from 'preact/hooks';
import {
  breakerStates,
  type Entry,
  type EventHistory,
  lastIndexAtOrBefore,
  type SlaWindow,
  windowStart,
} from './model.js';

/** The fold options of the SLA window starting at `since` (undefined: the whole log). */
const sinceOption = (since: number | undefined) => (since === undefined ? {} : { since });

/** The fold of `entries` up to `until` (undefined: all), with the SLA window from `since`. */
export function foldUntil(
  entries: readonly Entry[],
  until: number | undefined,
  since: number | undefined,
): HealthFoldResult {
  const f = createHealthFold({ ...(until === undefined ? {} : { until }), ...sinceOption(since) });
  for (const { event, ms } of entries) f.apply(event, ms);
  return f.result();
}

/** A fold of the whole history kept between renders, so a live event costs one `apply`. */
export interface RunningFold {
  fold: HealthFold;
  /** The entries of `history` folded: a prefix while `history.rewrites` stays `rewrites`. */
  count: number;
  history: EventHistory;
  rewrites: number;
  /** The SLA window's start it folds with. */
  since: number | undefined;
}

/**
 * The fold of all of `history` (live, no `until`), advanced from `running` when `history` only
 * grew at its end, and folded again from the start otherwise (another history, an event
 * inserted earlier, or another SLA window).
 */
export function foldAll(
  history: EventHistory,
  running: { current: RunningFold | null },
  since: number | undefined,
) {
  let r = running.current;
  if (!r || r.since !== since || r.history !== history || r.rewrites !== history.rewrites) {
    r = {
      fold: createHealthFold(sinceOption(since)),
      count: 0,
      history,
      rewrites: history.rewrites,
      since,
    };
  }
  const { entries } = history;
  for (let i = r.count; i < entries.length; i++) r.fold.apply(entries[i]!.event, entries[i]!.ms);
  r.count = entries.length;
  running.current = r;
  return r.fold.result();
}

/** What the page shows of the servers at the instant it views. */
export interface FoldedView {
  /** The fold of the history up to the instant (its SLA figures and incidents). */
  folded: HealthFoldResult;
  servers: Record<string, ServerHealth>;
  ecosystem: EcosystemHealth;
  /** Each server's breaker state (`closed` when it has none). */
  breakers: ReadonlyMap<string, string>;
}

/**
 * The state at `viewing` (null: live, the running fold; a number: the fold up to that instant;
 * undefined: the whole history, a replay), with the SLA window ending there. While live and
 * connected, the servers are the live projection's (`live`) and the roll-up is taken at `now`.
 */
export function useFoldedView(
  history: EventHistory,
  viewing: number | null | undefined,
  slaWindow: SlaWindow,
  live: Record<string, ServerHealth> | null,
  now: number,
): FoldedView {
  const running = useRef<RunningFold | null>(null);
  // The SLA window ends at the instant shown, or at the last event (replay without --until).
  const entries = history.entries;
  const windowEnd = viewing ?? entries[entries.length - 1]?.ms ?? 0;
  const since = windowStart(slaWindow, windowEnd);
  const folded = useMemo(
    () =>
      viewing === null ? foldAll(history, running, since) : foldUntil(entries, viewing, since),
    [history, history.version, viewing, since],
  );
  const servers: Record<string, ServerHealth> =
    viewing === null && live
      ? live
      : Object.fromEntries(Object.entries(folded.servers).map(([n, s]) => [n, s.state]));
  const ecosystem: EcosystemHealth =
    viewing === null && live ? rollUpEcosystem({ servers }, now) : folded.ecosystem;
  const breakers = useMemo(
    () =>
      viewing === null || viewing === undefined
        ? history.breakers()
        : breakerStates(entries.slice(0, lastIndexAtOrBefore(entries, viewing) + 1)),
    [history, history.version, viewing],
  );
  return { folded, servers, ecosystem, breakers };
}
