import type { EventFactory } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import { evaluate, initialConditions, nextChange, observe } from './alertConditions.js';
import type { AlertRule, AlertSettings } from './alertConfig.js';
import {
  type AlertLedger,
  alertKey,
  applyAlertEvent,
  deliveryKey,
  initialLedger,
  type PendingDelivery,
} from './alertLedger.js';

/** Options of {@link createAlertEngine}. */
export interface AlertEngineOptions {
  settings: AlertSettings;
  clock: Clock;
  /** Builds the `alert_fired` and `alert_resolved` events. */
  events: EventFactory;
  /** Where those events go (the bus: the log keeps them). */
  publish(event: SelfhealEvent): void;
  /** Told of each delivery a new notice owes, in order. */
  owe(delivery: PendingDelivery): void;
  /** The ledger read back from the log. @default an empty one */
  ledger?: AlertLedger;
  /** In a fleet of replicas (RFC 0018): which alerts are this replica's. @default all */
  fleet?: AlertFleet;
}

/**
 * One replica's share of a fleet's alerts (RFC 0018, RFC 0015). A shared (remote) server's
 * alerts are the fleet's: judged, fired, resolved and delivered by the replica holding the probe
 * lease, from the stream every replica folds, so an outage pages once and an alert fired by a
 * holder that died is resolved and delivered by the next. A stdio server is a process of each
 * replica: its alerts are that replica's, named so.
 */
export interface AlertFleet {
  /** This replica's name. */
  replica: string;
  /** Whether `server` is shared by the replicas (not a stdio server of each). */
  isShared(server: string): boolean;
  /** Whether this replica holds the lease now. */
  holdsLease(): boolean;
}

/** Whether this replica decides and delivers `server`'s alerts. */
export function ownsAlertsOf(fleet: AlertFleet | undefined, server: string): boolean {
  return fleet === undefined || !fleet.isShared(server) || fleet.holdsLease();
}

/** The rules at work on a live stream: opens and resolves alerts as conditions change. */
export interface AlertEngine {
  readonly ledger: AlertLedger;
  /** Takes one event of the stream (the engine's own `alert_*` echoes included). */
  observe(event: SelfhealEvent): void;
  /**
   * Resolves every open alert (from the log) whose rule no longer applies to its server (the
   * rule was removed or turned off for it) or whose server left the config. Call once at start.
   */
  resolveOrphans(): void;
  /**
   * Called when this replica gains the lease (RFC 0018): decides the shared servers' rules now
   * (a threshold may have passed while the old holder was dying), resolves orphans, and owes
   * what the fleet's ledger still owes for them, fired by whichever replica.
   */
  takeOver(): void;
  /** Stops its timer. */
  stop(): void;
}

/**
 * Creates an {@link AlertEngine}: folds every event into the rules' conditions and the
 * `alert_*` events into the ledger, then, for the event's server, fires an alert for each rule
 * whose condition holds and that has none open, and resolves each open one whose condition
 * cleared. Conditions that change with time alone (a down threshold, a window) are decided
 * again at their next change, on one timer.
 */
export function createAlertEngine(options: AlertEngineOptions): AlertEngine {
  const { settings, clock, events, fleet } = options;
  const owns = (server: string) => ownsAlertsOf(fleet, server);
  // In a fleet, an alert of a replica's own stdio server names the replica: every replica has
  // a server of that name.
  const local = (server: string) => fleet !== undefined && server !== '' && !fleet.isShared(server);
  const named = (server: string, summary: string) =>
    local(server) ? `${summary} (replica ${fleet!.replica})` : summary;
  const idOf = (rule: string, server: string, now: number) =>
    `${rule}/${server || '-'}${local(server) ? `@${fleet!.replica}` : ''}/${now.toString(36)}`;
  const conditions = initialConditions();
  const ledger = options.ledger ?? initialLedger();
  let wakeAt: number | undefined;
  let timer: unknown;
  let stopped = false;

  const emit = (event: SelfhealEvent) => {
    // Applied here first, so a decision made before the bus echoes it back sees it; the echo
    // is then a no-op (the ledger is idempotent per notice).
    applyAlertEvent(ledger, event);
    const sinks = (event as { sinks?: string[] }).sinks ?? [];
    for (const sink of sinks) {
      const owed = ledger.pending.get(deliveryKey(event.event_id as string, sink));
      if (owed) options.owe(owed);
    }
    options.publish(event);
  };

  const decide = (server: string, rules: readonly AlertRule[], now: number) => {
    if (!owns(server)) return;
    for (const rule of rules) {
      const condition = evaluate(conditions, rule, server, now);
      const open = ledger.open.get(alertKey(rule.name, server));
      if (condition.status === 'firing' && !open) {
        emit(
          events.alertFired({
            trace_id: `alert-${rule.name}/${server || '-'}`,
            ...(server !== '' ? { server_name: server } : {}),
            alert_id: idOf(rule.name, server, now),
            rule: rule.name,
            rule_type: rule.type,
            severity: condition.severity,
            summary: named(server, condition.summary),
            sinks: rule.sinks,
            details: local(server)
              ? { ...condition.details, replica: fleet!.replica }
              : condition.details,
          }),
        );
      } else if (condition.status === 'clear' && open) {
        emit(
          events.alertResolved({
            trace_id: `alert-${rule.name}/${server || '-'}`,
            ...(server !== '' ? { server_name: server } : {}),
            alert_id: open.alertId,
            rule: rule.name,
            summary: named(server, condition.summary),
            sinks: open.sinks,
            open_seconds: Math.max(0, (now - open.firedAt) / 1000),
          }),
        );
      }
    }
  };

  const schedule = (at: number | undefined) => {
    if (stopped || at === undefined || (wakeAt !== undefined && wakeAt <= at)) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    wakeAt = at;
    timer = clock.setTimeout(wake, Math.max(0, at - clock.now()));
  };

  const nextOf = (server: string, rules: readonly AlertRule[], now: number) => {
    let next: number | undefined;
    for (const rule of rules) {
      const at = nextChange(conditions, rule, server, now);
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  };

  function wake() {
    timer = undefined;
    wakeAt = undefined;
    const now = clock.now();
    let next: number | undefined;
    for (const server of conditions.servers.keys()) {
      const rules = settings.rulesFor(server);
      decide(server, rules, now);
      const at = nextOf(server, rules, now);
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    schedule(next);
  }

  const engine: AlertEngine = {
    ledger,
    observe(event) {
      if (stopped) return;
      if (event.event_type.startsWith('alert_')) {
        const known = typeof event.event_id === 'string' && ledger.notices.has(event.event_id);
        const server = typeof event.server_name === 'string' ? event.server_name : '';
        if (applyAlertEvent(ledger, event) && !known && owns(server)) {
          // A notice fired elsewhere (another process on the same bus, or the replica that held
          // the lease before): owed here too.
          for (const owed of ledger.pending.values()) {
            if (owed.noticeId === event.event_id) options.owe(owed);
          }
        }
        return;
      }
      const server = typeof event.server_name === 'string' ? event.server_name : '';
      const rules = settings.rulesFor(server);
      if (rules.length === 0) return;
      const changed = observe(conditions, event, rules);
      if (changed === 'none') return;
      const now = clock.now();
      // Burn rates are decided on their bucket ticks (nextChange), not per call or check: a
      // call only counts, and makes sure a tick is coming.
      if (changed === 'counts') {
        // A tick already due sooner is kept (schedule only moves the timer earlier).
        if (wakeAt === undefined || wakeAt > now + 1000) schedule(nextOf(server, rules, now));
        return;
      }
      decide(
        server,
        rules.some((r) => r.type === 'slo_burn')
          ? rules.filter((r) => r.type !== 'slo_burn')
          : rules,
        now,
      );
      schedule(nextOf(server, rules, now));
    },
    resolveOrphans() {
      const now = clock.now();
      for (const open of [...ledger.open.values()]) {
        if (!owns(open.server)) continue;
        const gone = open.server !== '' && !settings.servers.has(open.server);
        if (!gone && settings.rulesFor(open.server).some((rule) => rule.name === open.rule)) {
          continue;
        }
        emit(
          events.alertResolved({
            trace_id: `alert-${open.rule}/${open.server || '-'}`,
            ...(open.server !== '' ? { server_name: open.server } : {}),
            alert_id: open.alertId,
            rule: open.rule,
            summary: gone
              ? `${open.server} is no longer in the config`
              : `${open.server || 'the gateway'}: rule ${open.rule} no longer applies (config changed)`,
            sinks: open.sinks,
            open_seconds: Math.max(0, (now - open.firedAt) / 1000),
          }),
        );
      }
    },
    takeOver() {
      if (stopped) return;
      engine.resolveOrphans();
      if (timer !== undefined) clock.clearTimeout(timer);
      wake();
      for (const owed of ledger.pending.values()) {
        const server = typeof owed.notice.server_name === 'string' ? owed.notice.server_name : '';
        if (fleet?.isShared(server)) options.owe(owed);
      }
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
  return engine;
}
