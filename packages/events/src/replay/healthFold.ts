import type { EcosystemHealth, SelfhealEvent } from '@selfheal/schemas';
import { decideFromChecks } from './checkDecisions.js';
import { rollUpEcosystem } from './ecosystemHealth.js';
import { createHealthProjector } from './projection.js';
import { initialServerHealth, type ServerHealth } from './serverHealth.js';
import { createSlaTracker, type ServerSla, type SlaIncident } from './slaReport.js';
import { initialTrustState, projectTrust, type TrustState, trustView } from './trustProjection.js';

/** Options of {@link createHealthFold}. */
export interface HealthFoldOptions {
  /** Only events at or before this time (epoch milliseconds) are folded. */
  until?: number;
  /**
   * The SLA window starts here (epoch ms): events before it are folded for the state they
   * leave (a server down at `since` is down from it on) but count in no SLA figure, incident
   * or offline time (see `SlaTrackerOptions.since`). @default the first event
   */
  since?: number;
  /** Only events of this server are folded. */
  server?: string;
}

/** What a {@link HealthFold} has folded: the `servers` and `ecosystem` of a replay report. */
export interface HealthFoldResult {
  /** Final per-server state and SLA figures, by server name (sorted). */
  servers: Record<string, { state: ServerHealth; sla: ServerSla }>;
  /**
   * The W3 roll-up of the final state, at the end of the window; each detail has the server's
   * `trust` as `/health/ecosystem` shows it (RFC 0017).
   */
  ecosystem: EcosystemHealth;
  /** Trust scores, quarantines and tool pins at the end (RFC 0017). */
  trust: TrustState;
  /** Every incident, oldest first (see `SlaTracker.incidents`). */
  incidents: SlaIncident[];
  /** Epoch ms the windows close at: `until`, else the last event folded (0 with none). */
  end_ms: number;
  /** Epoch ms the windows open at: `since`, or null for each server's first event. */
  since_ms: number | null;
  /** Gateway runs seen (`gateway_started`, RFC 0020). */
  runs: number;
  /** Time between runs, when no gateway ran, after `since`: in no SLA window, ms. */
  offline_ms: number;
  /** Status events decided from checks, for servers whose log has no decisions of its own. */
  derived_decisions: number;
}

/** Decision events: a server that has any (or a `server_registered`) decides for itself. */
const DECISIONS = new Set([
  'server_down',
  'server_recovered',
  'server_degraded',
  'server_registered',
]);

/**
 * The health half of a replay: the projection, the SLA tracker and the roll-up, fed events in
 * time order. `selfheal replay` folds with it, and so does the dashboard in the browser (time
 * travel, incidents, SLA), so both show the same figures for the same events and `until`.
 */
export interface HealthFold {
  /** Folds `event` (its timestamp `ms`); false when `until` or `server` leave it out. */
  apply(event: SelfhealEvent, ms: number): boolean;
  /** The result so far; does not change the fold. */
  result(): HealthFoldResult;
}

/**
 * Creates a {@link HealthFold}. It knows gateway runs (RFC 0020): at `gateway_started` every
 * server's state starts afresh, as the live gateway's does; a run ends at `gateway_stopped`, or
 * at its last event when the next start comes without one; the time until the next start is
 * offline, in no SLA window, and what is logged then opens none. Runs are kept per `replica`:
 * in a fleet's stream the state starts afresh and time is offline only while no replica runs. A server whose log has checks
 * but neither decisions nor `server_registered` (a W3 monitor's) is decided from its checks with
 * the W3 thresholds (see `decideFromChecks`).
 */
export function createHealthFold(options: HealthFoldOptions = {}): HealthFold {
  const { until, since, server } = options;
  let projector = createHealthProjector();
  const sla = createSlaTracker(since === undefined ? {} : { since });
  let trust = initialTrustState;
  let endMs = Number.NEGATIVE_INFINITY;
  /** Servers whose log records their status decisions: checks do not decide for them. */
  const deciding = new Set<string>();
  let derived = 0;
  let runs = 0;
  /** Servers of runs before the current one. */
  const earlier = new Set<string>();
  /**
   * The gateways running now, by `replica` ('' for a gateway that names none). A fleet's stream
   * (RFC 0018) holds the runs of several replicas at once: the fleet runs while any of them
   * does, and one replica's start or stop resets or ends nothing the others still serve.
   */
  const running = new Set<string>();
  /** When the last run ended, while no gateway runs. */
  let offlineSince: number | undefined;
  let offline = 0;
  /** The last event's time: where a run that ends without `gateway_stopped` ends. */
  let lastMs = Number.NEGATIVE_INFINITY;
  const endRun = (ms: number) => {
    sla.endRun(ms);
    offlineSince = ms;
  };
  const stopRun = (key: string, ms: number) => {
    running.delete(key);
    if (running.size === 0) endRun(ms);
  };
  const startRun = (key: string, ms: number) => {
    runs++;
    // A run of this gateway that was not stopped (the process was killed) ended at its last event.
    if (running.has(key)) stopRun(key, lastMs);
    const fleetWasDown = running.size === 0;
    running.add(key);
    if (!fleetWasDown) return;
    if (offlineSince !== undefined)
      offline += Math.max(0, ms - Math.max(offlineSince, since ?? offlineSince));
    offlineSince = undefined;
    // The live gateway starts with no state: nor does its replay.
    for (const name of Object.keys(projector.state().servers)) earlier.add(name);
    projector = createHealthProjector();
  };
  const fold = (event: SelfhealEvent, ms: number) => {
    // Between a run's gateway_stopped and the next start no gateway runs: what is logged there
    // (the run's last call_summary, flushed as its log closes) opens no SLA window.
    const online = runs === 0 || running.size > 0;
    projector.apply(event);
    if (online) sla.add(event, ms);
    const name = event.server_name;
    if (typeof name !== 'string') return;
    if (DECISIONS.has(event.event_type)) deciding.add(name);
    else if (event.event_type === 'health_check_completed' && !deciding.has(name)) {
      const view = projector.get(name);
      const decision = view && decideFromChecks(view, event);
      if (decision) {
        derived++;
        projector.apply(decision);
        if (online) sla.add(decision, ms);
      }
    }
  };
  return {
    apply(event, ms) {
      const type = event.event_type;
      const run = type === 'gateway_started' || type === 'gateway_stopped';
      // A reload names no server of its own but may remove the one asked for (RFC 0019).
      const fleetWide = run || type === 'config_reloaded';
      if (
        (until !== undefined && ms > until) ||
        (server !== undefined && event.server_name !== server && !fleetWide)
      ) {
        return false;
      }
      // Pins and trust outlive a run: a restarted gateway goes on from them (RFC 0017).
      trust = projectTrust(trust, event);
      const key = typeof event.replica === 'string' ? event.replica : '';
      if (type === 'gateway_started') startRun(key, ms);
      else if (type === 'gateway_stopped') {
        if (running.has(key)) stopRun(key, ms);
        else if (runs === 0) endRun(ms);
      } else fold(event, ms);
      // Starts and stops change no server's state, but tell the projector which replica serves
      // what, so one replica's reload does not remove a server another still serves (RFC 0018).
      if (run) projector.apply(event);
      if (ms > endMs) endMs = ms;
      lastMs = ms;
      return true;
    },
    result() {
      const end = until ?? (Number.isFinite(endMs) ? endMs : 0);
      const state = projector.state();
      const slas = sla.report(end);
      const servers: HealthFoldResult['servers'] = {};
      const at = new Date(Number.isFinite(endMs) ? endMs : 0).toISOString();
      // A server only earlier runs held keeps its SLA and shows the state of a fresh start.
      const names = new Set([...earlier, ...Object.keys(state.servers)]);
      for (const name of [...names].sort()) {
        servers[name] = {
          state: state.servers[name] ?? initialServerHealth(name, at),
          sla: slas[name]!,
        };
      }
      return {
        servers,
        ecosystem: withTrust(rollUpEcosystem(state, end), trust),
        trust,
        incidents: sla.incidents(end),
        end_ms: end,
        since_ms: since ?? null,
        runs,
        offline_ms: offline,
        derived_decisions: derived,
      };
    },
  };
}

/**
 * Each server's trust beside its health (RFC 0017), as the gateway's `/health/ecosystem` shows
 * it (the default neutral, 0.5, for a server with no score logged).
 */
function withTrust(rollUp: EcosystemHealth, trust: TrustState): EcosystemHealth {
  return {
    ...rollUp,
    details: rollUp.details.map((d) => ({ ...d, trust: trustView(trust, d.server_name) })),
  };
}
