import type { SelfhealEvent } from '@selfheal/schemas';

/** Auto-recovery counts only when the server is back within this many milliseconds. */
export const AUTO_RECOVERY_WINDOW_MS = 120_000;

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

interface Incident {
  startedMs: number;
  downMs: number;
  detectMs: number | null;
  recoveredMs: number | null;
  manual: boolean;
  /** Set when the gateway run it was in ended before it recovered (epoch ms). */
  runEndedMs?: number;
  /** Opened before the window (`since`): downtime of the window, not one of its incidents. */
  carried?: boolean;
}

interface Track {
  /** Start of the server's current online stretch, or undefined while no run holds it. */
  activeSinceMs: number | undefined;
  /** Online time of the stretches already closed. */
  windowMs: number;
  status: string;
  statusSinceMs: number;
  downMs: number;
  degradedMs: number;
  failStreakMs: number | undefined;
  incident: Incident | undefined;
  incidents: number;
  mttdSum: number;
  mttdCount: number;
  mttrSum: number;
  mttrCount: number;
  auto2m: number;
  restarts: number;
  manual: number;
  exhausted: number;
  /** Every incident, the open one included. */
  history: Incident[];
}

/** A track's figures of a window before anything happened in it. */
function emptyFigures() {
  return {
    windowMs: 0,
    downMs: 0,
    degradedMs: 0,
    incidents: 0,
    mttdSum: 0,
    mttdCount: 0,
    mttrSum: 0,
    mttrCount: 0,
    auto2m: 0,
    restarts: 0,
    manual: 0,
    exhausted: 0,
    history: [] as Incident[],
  };
}

const OPERATOR = new Set(['server_disabled', 'server_enabled', 'server_reset']);

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

/** Creates an {@link SlaTracker}. */
export function createSlaTracker(options: SlaTrackerOptions = {}): SlaTracker {
  const tracks = new Map<string, Track>();
  const { since } = options;
  /** Whether the window has started: always without `since`. */
  let windowOpen = since === undefined;

  const close = (t: Track, ms: number) => {
    if (t.status === 'down') t.downMs += ms - t.statusSinceMs;
    else if (t.status === 'degraded') t.degradedMs += ms - t.statusSinceMs;
    t.statusSinceMs = ms;
  };
  const setStatus = (t: Track, status: string, ms: number) => {
    close(t, ms);
    t.status = status;
  };
  /**
   * `t` as the window starting at `at` sees it: its status carried over, every figure from
   * zero. An open incident is kept as a carried one, so that a `server_down` repeated while
   * down opens no new incident, but left out of the history and the counts.
   */
  const openWindow = (t: Track, at: number): Track => ({
    ...t,
    ...emptyFigures(),
    activeSinceMs: t.activeSinceMs === undefined ? undefined : Math.max(at, t.activeSinceMs),
    statusSinceMs: Math.max(at, t.statusSinceMs),
    incident: t.incident === undefined ? undefined : { ...t.incident, carried: true },
  });
  /** Starts the window before an event or run end at `ms` that is in it. */
  const reach = (ms: number) => {
    if (windowOpen || since === undefined || ms < since) return;
    windowOpen = true;
    for (const [name, t] of tracks) tracks.set(name, openWindow(t, since));
  };
  /**
   * The tracks to report: with the window opened on copies when no event has opened it yet (a
   * report must not change the tracker; an end before `since` gives an empty window).
   */
  const windowed = (): Map<string, Track> => {
    if (windowOpen || since === undefined) return tracks;
    return new Map([...tracks].map(([name, t]) => [name, openWindow(t, since)]));
  };

  return {
    add(event, ms) {
      const name = event.server_name;
      if (typeof name !== 'string') return;
      reach(ms);
      let t = tracks.get(name);
      if (t && t.activeSinceMs === undefined) {
        // Its first event in a new run: online again, from an unknown status.
        t.activeSinceMs = ms;
        t.statusSinceMs = ms;
      }
      if (!t) {
        t = {
          ...emptyFigures(),
          activeSinceMs: ms,
          status: 'unknown',
          statusSinceMs: ms,
          failStreakMs: undefined,
          incident: undefined,
        };
        tracks.set(name, t);
      }
      const e = event as Record<string, unknown>;
      switch (event.event_type) {
        case 'health_check_completed':
          if (e.status === 'down') t.failStreakMs ??= ms;
          else if (e.status === 'ok' || e.status === 'degraded') t.failStreakMs = undefined;
          break;
        case 'server_down':
          if (t.incident === undefined) {
            t.incidents++;
            const detectMs = t.failStreakMs === undefined ? null : ms - t.failStreakMs;
            t.incident = {
              startedMs: t.failStreakMs ?? ms,
              downMs: ms,
              detectMs,
              recoveredMs: null,
              manual: false,
            };
            t.history.push(t.incident);
            if (detectMs !== null) {
              t.mttdSum += detectMs;
              t.mttdCount++;
            }
          }
          setStatus(t, 'down', ms);
          break;
        case 'server_degraded':
          setStatus(t, 'degraded', ms);
          break;
        case 'server_recovered':
          if (t.incident?.carried) t.incident = undefined;
          if (t.incident !== undefined) {
            const took = ms - t.incident.downMs;
            t.mttrSum += took;
            t.mttrCount++;
            if (!t.incident.manual && took <= AUTO_RECOVERY_WINDOW_MS) t.auto2m++;
            t.incident.recoveredMs = ms;
            t.incident = undefined;
          }
          t.failStreakMs = undefined;
          setStatus(t, 'ok', ms);
          break;
        case 'recovery_started':
          if (e.strategy === 'restart') t.restarts++;
          if (e.strategy === 'manual') {
            t.manual++;
            if (t.incident) t.incident.manual = true;
          }
          break;
        case 'recovery_exhausted':
          t.exhausted++;
          if (t.incident) t.incident.manual = true;
          break;
        default:
          if (OPERATOR.has(event.event_type)) {
            t.manual++;
            if (t.incident) t.incident.manual = true;
          }
      }
    },
    endRun(ms) {
      reach(ms);
      for (const t of tracks.values()) {
        if (t.activeSinceMs === undefined) continue;
        close(t, Math.max(ms, t.statusSinceMs));
        t.windowMs += Math.max(0, ms - t.activeSinceMs);
        t.activeSinceMs = undefined;
        t.status = 'unknown';
        t.failStreakMs = undefined;
        if (t.incident) t.incident.runEndedMs = ms;
        t.incident = undefined;
      }
    },
    report(endMs) {
      const out: Record<string, ServerSla> = {};
      const all = windowed();
      for (const [name, live] of [...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const t = { ...live };
        let window = t.windowMs;
        if (t.activeSinceMs !== undefined) {
          close(t, Math.max(endMs, t.statusSinceMs));
          window += Math.max(0, endMs - t.activeSinceMs);
        }
        out[name] = {
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
      return out;
    },
    incidents(endMs) {
      const out: SlaIncident[] = [];
      for (const [name, t] of windowed()) {
        for (const i of t.history) {
          const repair = i.recoveredMs === null ? null : i.recoveredMs - i.downMs;
          out.push({
            server_name: name,
            started_ms: i.startedMs,
            down_ms: i.downMs,
            recovered_ms: i.recoveredMs,
            detect_ms: i.detectMs,
            repair_ms: repair,
            duration_ms: repair ?? Math.max(0, (i.runEndedMs ?? endMs) - i.downMs),
            manual: i.manual,
            auto_recovered_within_2m:
              repair !== null && !i.manual && repair <= AUTO_RECOVERY_WINDOW_MS,
          });
        }
      }
      return out.sort((a, b) => a.down_ms - b.down_ms);
    },
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
