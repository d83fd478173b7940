import type { SelfhealEvent } from '@selfheal/schemas';

/** Auto-recovery counts only when the server is back within this many milliseconds. */
export const AUTO_RECOVERY_WINDOW_MS = 120_000;

/** One outage as the fold follows it (the report's `SlaIncident` is built from it). */
export interface TrackIncident {
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

/**
 * The SLA fold of one server: its status and since when, its online time, and the sums the
 * report averages. Plain data changed in place by the functions below, one event at a time:
 * replay folds millions of events through it, so nothing is allocated per event but an
 * incident.
 */
export interface Track {
  /** Start of the server's current online stretch, or undefined while no run holds it. */
  activeSinceMs: number | undefined;
  /** Online time of the stretches already closed. */
  windowMs: number;
  status: string;
  statusSinceMs: number;
  downMs: number;
  degradedMs: number;
  failStreakMs: number | undefined;
  incident: TrackIncident | undefined;
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
  history: TrackIncident[];
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
    history: [] as TrackIncident[],
  };
}

const OPERATOR = new Set(['server_disabled', 'server_enabled', 'server_reset']);

/** The track of a server first seen at `ms`: online from then, status unknown. */
export function createTrack(ms: number): Track {
  return {
    ...emptyFigures(),
    activeSinceMs: ms,
    status: 'unknown',
    statusSinceMs: ms,
    failStreakMs: undefined,
    incident: undefined,
  };
}

/** Adds the time since `t.statusSinceMs` to the current status's total, up to `ms`. */
export function closeStatus(t: Track, ms: number): void {
  if (t.status === 'down') t.downMs += ms - t.statusSinceMs;
  else if (t.status === 'degraded') t.degradedMs += ms - t.statusSinceMs;
  t.statusSinceMs = ms;
}

function setStatus(t: Track, status: string, ms: number): void {
  closeStatus(t, ms);
  t.status = status;
}

/** Applies one event of the track's server at `ms`. */
export function applyToTrack(t: Track, event: SelfhealEvent, ms: number): void {
  if (t.activeSinceMs === undefined) {
    // Its first event in a new run: online again, from an unknown status.
    t.activeSinceMs = ms;
    t.statusSinceMs = ms;
  }
  const e = event as Record<string, unknown>;
  switch (event.event_type) {
    case 'health_check_completed':
      if (e.status === 'down') t.failStreakMs ??= ms;
      else if (e.status === 'ok' || e.status === 'degraded') t.failStreakMs = undefined;
      break;
    case 'server_down':
      if (t.incident === undefined) openIncident(t, ms);
      setStatus(t, 'down', ms);
      break;
    case 'server_degraded':
      setStatus(t, 'degraded', ms);
      break;
    case 'server_recovered':
      if (t.incident?.carried) t.incident = undefined;
      if (t.incident !== undefined) recoverIncident(t, t.incident, ms);
      t.failStreakMs = undefined;
      setStatus(t, 'ok', ms);
      break;
    case 'recovery_started':
      if (e.strategy === 'restart') t.restarts++;
      if (e.strategy === 'manual') markManual(t);
      break;
    case 'recovery_exhausted':
      t.exhausted++;
      if (t.incident) t.incident.manual = true;
      break;
    default:
      if (OPERATOR.has(event.event_type)) markManual(t);
  }
}

/** A `server_down` that found the server up: a new incident, its detection an MTTD sample. */
function openIncident(t: Track, ms: number): void {
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

/** `server_recovered` ends the open incident: an MTTR sample, and maybe an auto-recovery. */
function recoverIncident(t: Track, incident: TrackIncident, ms: number): void {
  const took = ms - incident.downMs;
  t.mttrSum += took;
  t.mttrCount++;
  if (!incident.manual && took <= AUTO_RECOVERY_WINDOW_MS) t.auto2m++;
  incident.recoveredMs = ms;
  t.incident = undefined;
}

/** An operator acted (or a manual recovery started): counted, and the open incident is manual. */
function markManual(t: Track): void {
  t.manual++;
  if (t.incident) t.incident.manual = true;
}

/**
 * The gateway run holding the track ended at `ms`: its online stretch closes, its status is
 * forgotten, and an open incident ends with the run, without a recovery.
 */
export function endTrackRun(t: Track, ms: number): void {
  if (t.activeSinceMs === undefined) return;
  closeStatus(t, Math.max(ms, t.statusSinceMs));
  t.windowMs += Math.max(0, ms - t.activeSinceMs);
  t.activeSinceMs = undefined;
  t.status = 'unknown';
  t.failStreakMs = undefined;
  if (t.incident) t.incident.runEndedMs = ms;
  t.incident = undefined;
}

/**
 * `t` as the window starting at `at` sees it: its status carried over, every figure from
 * zero. An open incident is kept as a carried one, so that a `server_down` repeated while
 * down opens no new incident, but left out of the history and the counts.
 */
export function trackFromWindowStart(t: Track, at: number): Track {
  return {
    ...t,
    ...emptyFigures(),
    activeSinceMs: t.activeSinceMs === undefined ? undefined : Math.max(at, t.activeSinceMs),
    statusSinceMs: Math.max(at, t.statusSinceMs),
    incident: t.incident === undefined ? undefined : { ...t.incident, carried: true },
  };
}
