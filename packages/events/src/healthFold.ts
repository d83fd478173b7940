import type { EcosystemHealth, SelfhealEvent } from '@selfheal/schemas';
import { rollUpEcosystem } from './ecosystemHealth.js';
import { createHealthProjector } from './projection.js';
import type { ServerHealth } from './serverHealth.js';
import { createSlaTracker, type ServerSla, type SlaIncident } from './slaReport.js';
import { initialTrustState, projectTrust, type TrustState, trustView } from './trustProjection.js';

/** Options of {@link createHealthFold}. */
export interface HealthFoldOptions {
  /** Only events at or before this time (epoch milliseconds) are folded. */
  until?: number;
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
}

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

/** Creates a {@link HealthFold}. */
export function createHealthFold(options: HealthFoldOptions = {}): HealthFold {
  const { until, server } = options;
  const projector = createHealthProjector();
  const sla = createSlaTracker();
  let trust = initialTrustState;
  let endMs = Number.NEGATIVE_INFINITY;
  return {
    apply(event, ms) {
      if (
        (until !== undefined && ms > until) ||
        (server !== undefined && event.server_name !== server)
      ) {
        return false;
      }
      projector.apply(event);
      trust = projectTrust(trust, event);
      sla.add(event, ms);
      if (ms > endMs) endMs = ms;
      return true;
    },
    result() {
      const end = until ?? (Number.isFinite(endMs) ? endMs : 0);
      const state = projector.state();
      const slas = sla.report(end);
      const servers: HealthFoldResult['servers'] = {};
      for (const name of Object.keys(state.servers).sort()) {
        servers[name] = { state: state.servers[name]!, sla: slas[name]! };
      }
      return {
        servers,
        ecosystem: withTrust(rollUpEcosystem(state, end), trust),
        trust,
        incidents: sla.incidents(end),
        end_ms: end,
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
