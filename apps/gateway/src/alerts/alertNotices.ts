import type { EventInput } from '@selfheal/events';
import type { Condition } from './alertConditions.js';
import type { AlertRule } from './alertConfig.js';
import type { AlertFleet } from './alertEngine.js';
import type { OpenAlert } from './alertLedger.js';

/**
 * How a replica names its alerts. In a fleet, an alert of a replica's own stdio server names
 * the replica (in its id, summary and details): every replica has a server of that name.
 */
export interface AlertNaming {
  /** Whether `server` is this replica's own (a stdio server in a fleet). */
  isLocal(server: string): boolean;
  /** `summary`, with the replica named for a local server. */
  summary(server: string, summary: string): string;
  /** A new alert's id: rule, server (and replica for a local one), and the time in base 36. */
  alertId(rule: string, server: string, now: number): string;
  /** The replica's name, for a local server's details. */
  readonly replica: string | undefined;
}

/** The {@link AlertNaming} of `fleet`'s replica (without a fleet, names are as given). */
export function alertNaming(fleet: AlertFleet | undefined): AlertNaming {
  const isLocal = (server: string) =>
    fleet !== undefined && server !== '' && !fleet.isShared(server);
  return {
    isLocal,
    summary: (server, summary) =>
      isLocal(server) ? `${summary} (replica ${fleet!.replica})` : summary,
    alertId: (rule, server, now) =>
      `${rule}/${server || '-'}${isLocal(server) ? `@${fleet!.replica}` : ''}/${now.toString(36)}`,
    replica: fleet?.replica,
  };
}

/** The fields of the `alert_fired` that opens `rule`'s alert for `server` at `now`. */
export function firedFields(
  naming: AlertNaming,
  rule: AlertRule,
  server: string,
  condition: Extract<Condition, { status: 'firing' }>,
  now: number,
): EventInput<'alert_fired'> {
  return {
    trace_id: `alert-${rule.name}/${server || '-'}`,
    ...(server !== '' ? { server_name: server } : {}),
    alert_id: naming.alertId(rule.name, server, now),
    rule: rule.name,
    rule_type: rule.type,
    severity: condition.severity,
    summary: naming.summary(server, condition.summary),
    sinks: rule.sinks,
    details: naming.isLocal(server)
      ? { ...condition.details, replica: naming.replica }
      : condition.details,
  };
}

/**
 * The fields of the `alert_resolved` that ends `open` (rule `rule` of `server`) at `now`, sent
 * to the sinks its `alert_fired` went to.
 */
export function resolvedFields(
  rule: string,
  server: string,
  open: OpenAlert,
  summary: string,
  now: number,
): EventInput<'alert_resolved'> {
  return {
    trace_id: `alert-${rule}/${server || '-'}`,
    ...(server !== '' ? { server_name: server } : {}),
    alert_id: open.alertId,
    rule,
    summary,
    sinks: open.sinks,
    open_seconds: Math.max(0, (now - open.firedAt) / 1000),
  };
}
