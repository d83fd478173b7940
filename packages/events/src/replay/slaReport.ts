import type { SelfhealEvent } from '@selfheal/schemas';
import {
  AUTO_RECOVERY_WINDOW_MS,
  applyToTrack,
  closeStatus,
  createTrack,
  endTrackRun,
  type Track,
  type TrackIncident,
  trackFromWindowStart,
} from './slaTrack.js';

export { AUTO_RECOVERY_WINDOW_MS } from './slaTrack.js';

/**
 * Service figures of one server over its observed window (definitions in
 * rfcs/0003-event-log.md). Durations are milliseconds; `null` where there is nothing to
 * average or no window.
 */
export interface ServerSla {
  /**
   * From the server's first event (or the window's start, `--since`, when it came before) to
   * the end of the replay (the last event, or `--until`), less the time no gateway ran (between
   * a run's end and the next `gateway_started`).
   */
  window_ms: number;
  /** Time with status `down`: from `server_down` to `server_degraded`/`server_recovered`. */
  down_ms: number;
  /** Time with status `degraded`. */
  degraded_ms: number;
  /** 100 × (window − down) / window; degraded counts as up. */
  uptime_percent: number | null;
  /** `server_down` events that found the server not already down. */
  incidents: number;
  /** Incidents with no `server_recovered` yet at the end of the window. */
  open_incidents: number;
  /** Mean of first failed check (of the failing streak) -> `server_down`. */
  mttd_ms: number | null;
  /** Incidents that had a failed check before `server_down` (the MTTD samples). */
  mttd_samples: number;
  /** Mean of `server_down` -> `server_recovered`, over the incidents that ended. */
  mttr_ms: number | null;
  /** Incidents ended by `server_recovered` within 2 minutes with no operator action, over all. */
  auto_recovered_within_2m: number | null;
  /** `recovery_started` with strategy `restart`. */
  restarts: number;
  /** Operator actions: `server_disabled`, `server_enabled`, `server_reset`, and manual recovery. */
  manual_interventions: number;
  /** `recovery_exhausted` events: times recovery gave up. */
  recovery_exhausted: number;
}

/** Accumulates {@link ServerSla} per server from events in time order. */
export interface SlaTracker {
  /** Applies `event` (timestamp `ms`); events without `server_name` are ignored. */
  add(event: SelfhealEvent, ms: number): void;
  /**
   * A gateway run ended at `ms` (`gateway_stopped`, or its last event when the next run starts
   * without one): every server's window closes there and its status is forgotten; the time
   * until its next event (in the next run) is offline, counted neither up nor down. An
   * incident still open ends with the run, without a recovery.
   */
  endRun(ms: number): void;
  /** The figures with every window closed at `endMs`; does not change the tracker. */
  report(endMs: number): Record<string, ServerSla>;
  /**
   * Every incident counted in {@link ServerSla.incidents}, oldest first, with the samples its
   * server's MTTD and MTTR average: the mean of `detect_ms` over the incidents that have one is
   * `mttd_ms`, that of `repair_ms` over the ended ones is `mttr_ms`. Open ones end at `endMs`.
   */
  incidents(endMs: number): SlaIncident[];
}

/** One outage of a server: from the `server_down` that found it up to its `server_recovered`. */
export interface SlaIncident {
  server_name: string;
  /** Epoch ms of the failing streak's first failed check, or of `server_down` without one. */
  started_ms: number;
  /** Epoch ms of the `server_down` that opened it. */
  down_ms: number;
  /** Epoch ms of the `server_recovered` that ended it; `null` while open. */
  recovered_ms: number | null;
  /** First failed check -> `server_down` (an MTTD sample); `null` without a failed check. */
  detect_ms: number | null;
  /** `server_down` -> `server_recovered` (an MTTR sample); `null` while open. */
  repair_ms: number | null;
  /** Down so far: `repair_ms`, or up to `endMs` while open. */
  duration_ms: number;
  /** An operator acted, or recovery gave up, during it. */
  manual: boolean;
  /** Ended by `server_recovered` within 2 minutes with no operator action. */
  auto_recovered_within_2m: boolean;
}

/** Options of {@link createSlaTracker}. */
export interface SlaTrackerOptions {
  /**
   * The window starts here (epoch ms): events before it only set each server's status, so time
   * down from before it counts from it on; the incidents, samples and counts are those of the
   * events in the window. An outage already open at `since` is downtime of the window but not
   * one of its incidents (its start is not in it), so its recovery gives no MTTR sample.
   * Events must come in time order across it. @default the first event
   */
  since?: number;
}

/**
 * Creates an {@link SlaTracker}: one {@link Track} per server (`slaTrack.ts` folds its events),
 * and the window that `since` opens on them.
 */
export function createSlaTracker(options: SlaTrackerOptions = {}): SlaTracker {
  const tracks = new Map<string, Track>();
  const { since } = options;
  /** Whether the window has started: always without `since`. */
  let windowOpen = since === undefined;

  /** Starts the window before an event or run end at `ms` that is in it. */
  const reach = (ms: number) => {
    if (windowOpen || since === undefined || ms < since) return;
    windowOpen = true;
    for (const [name, t] of tracks) tracks.set(name, trackFromWindowStart(t, since));
  };
  /**
   * The tracks to report: with the window opened on copies when no event has opened it yet (a
   * report must not change the tracker; an end before `since` gives an empty window).
   */
  const windowed = (): Map<string, Track> => {
    if (windowOpen || since === undefined) return tracks;
    return new Map([...tracks].map(([name, t]) => [name, trackFromWindowStart(t, since)]));
  };

  return {
    add(event, ms) {
      const name = event.server_name;
      if (typeof name !== 'string') return;
      reach(ms);
      let t = tracks.get(name);
      if (t === undefined) {
        t = createTrack(ms);
        tracks.set(name, t);
      }
      applyToTrack(t, event, ms);
    },
    endRun(ms) {
      reach(ms);
      for (const t of tracks.values()) endTrackRun(t, ms);
    },
    report(endMs) {
      const out: Record<string, ServerSla> = {};
      const all = windowed();
      for (const [name, live] of [...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        out[name] = serverSla(live, endMs);
      }
      return out;
    },
    incidents(endMs) {
      const out: SlaIncident[] = [];
      for (const [name, t] of windowed()) {
        for (const i of t.history) out.push(slaIncident(name, i, endMs));
      }
      return out.sort((a, b) => a.down_ms - b.down_ms);
    },
  };
}

/** The figures of one track with its window closed at `endMs`; `live` is not changed. */
function serverSla(live: Track, endMs: number): ServerSla {
  const t = { ...live };
  let window = t.windowMs;
  if (t.activeSinceMs !== undefined) {
    closeStatus(t, Math.max(endMs, t.statusSinceMs));
    window += Math.max(0, endMs - t.activeSinceMs);
  }
  return {
    window_ms: window,
    down_ms: t.downMs,
    degraded_ms: t.degradedMs,
    uptime_percent: window > 0 ? round((100 * (window - t.downMs)) / window, 3) : null,
    incidents: t.incidents,
    open_incidents: t.incident === undefined || t.incident.carried ? 0 : 1,
    mttd_ms: t.mttdCount > 0 ? round(t.mttdSum / t.mttdCount, 1) : null,
    mttd_samples: t.mttdCount,
    mttr_ms: t.mttrCount > 0 ? round(t.mttrSum / t.mttrCount, 1) : null,
    auto_recovered_within_2m: t.incidents > 0 ? round(t.auto2m / t.incidents, 4) : null,
    restarts: t.restarts,
    manual_interventions: t.manual,
    recovery_exhausted: t.exhausted,
  };
}

/** One incident of `server` as reported; an open one lasts until its run's end or `endMs`. */
function slaIncident(server: string, i: TrackIncident, endMs: number): SlaIncident {
  const repair = i.recoveredMs === null ? null : i.recoveredMs - i.downMs;
  return {
    server_name: server,
    started_ms: i.startedMs,
    down_ms: i.downMs,
    recovered_ms: i.recoveredMs,
    detect_ms: i.detectMs,
    repair_ms: repair,
    duration_ms: repair ?? Math.max(0, (i.runEndedMs ?? endMs) - i.downMs),
    manual: i.manual,
    auto_recovered_within_2m: repair !== null && !i.manual && repair <= AUTO_RECOVERY_WINDOW_MS,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
