import type { SelfhealEvent } from '@selfheal/schemas';

/** An alert between its `alert_fired` and its `alert_resolved`. */
export interface OpenAlert {
  alertId: string;
  rule: string;
  /** `''` for an alert that names no server. */
  server: string;
  /** Epoch ms of its `alert_fired`. */
  firedAt: number;
  sinks: string[];
  /** The `alert_fired` event itself. */
  fired: SelfhealEvent;
}

/** One notice (an `alert_fired` or `alert_resolved`) still owed to one sink. */
export interface PendingDelivery {
  /** `event_id` of the notice. */
  noticeId: string;
  alertId: string;
  action: 'trigger' | 'resolve';
  sink: string;
  /** The notice event: what is sent. */
  notice: SelfhealEvent;
  /** For a resolve, its alert's `alert_fired` (the sinks show what is resolved). */
  fired: SelfhealEvent | undefined;
  /** Attempts made so far (from `alert_delivery_failed`). */
  attempts: number;
  /** Epoch ms of the notice. */
  since: number;
}

/**
 * Which alerts are open and which deliveries are owed: a fold of the `alert_*` events alone,
 * so reading them back from the log after a restart gives the same answer as the live
 * gateway had (RFC 0015). Idempotent per event: an event applied twice (a live echo of one
 * already applied) changes nothing.
 */
export interface AlertLedger {
  /** By {@link alertKey}. */
  readonly open: Map<string, OpenAlert>;
  /** By {@link deliveryKey}, in the order the notices were fired. */
  readonly pending: Map<string, PendingDelivery>;
  /** Notice ids already applied (so an echo or a second read is a no-op). */
  readonly notices: Set<string>;
  /** Deliveries already ended (delivered or given up): a late echo never reopens them. */
  readonly ended: Set<string>;
}

/** The key of the one alert a rule may have open for a server. */
export const alertKey = (rule: string, server: string) => `${rule}\u0000${server}`;
/** The key of one notice's delivery to one sink. */
export const deliveryKey = (noticeId: string, sink: string) => `${noticeId}\u0000${sink}`;

/** An empty {@link AlertLedger}. */
export function initialLedger(): AlertLedger {
  return { open: new Map(), pending: new Map(), notices: new Set(), ended: new Set() };
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const sinksOf = (v: unknown) =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];

/** Applies one event (others than `alert_*` are ignored); returns whether it changed anything. */
export function applyAlertEvent(ledger: AlertLedger, event: SelfhealEvent): boolean {
  const e = event as Record<string, unknown>;
  switch (event.event_type) {
    case 'alert_fired':
    case 'alert_resolved': {
      const noticeId = str(event.event_id);
      const alertId = str(e.alert_id);
      const rule = str(e.rule);
      if (!noticeId || !alertId || !rule || ledger.notices.has(noticeId)) return false;
      ledger.notices.add(noticeId);
      const server = str(event.server_name) ?? '';
      const key = alertKey(rule, server);
      const firing = event.event_type === 'alert_fired';
      const since = Date.parse(event.timestamp);
      let fired: SelfhealEvent | undefined;
      if (firing) {
        ledger.open.set(key, {
          alertId,
          rule,
          server,
          firedAt: since,
          sinks: sinksOf(e.sinks),
          fired: event,
        });
      } else {
        const open = ledger.open.get(key);
        if (open?.alertId === alertId) {
          fired = open.fired;
          ledger.open.delete(key);
        }
      }
      for (const sink of sinksOf(e.sinks)) {
        const dk = deliveryKey(noticeId, sink);
        if (ledger.ended.has(dk)) continue;
        ledger.pending.set(dk, {
          noticeId,
          alertId,
          action: firing ? 'trigger' : 'resolve',
          sink,
          notice: event,
          fired,
          attempts: 0,
          since,
        });
      }
      return true;
    }
    case 'alert_delivered':
    case 'alert_delivery_failed': {
      const noticeId = str(e.notice_id);
      const sink = str(e.sink);
      if (!noticeId || !sink) return false;
      const dk = deliveryKey(noticeId, sink);
      if (event.event_type === 'alert_delivered' || e.final === true) {
        ledger.ended.add(dk);
        return ledger.pending.delete(dk);
      }
      const pending = ledger.pending.get(dk);
      if (!pending) return false;
      const attempt = typeof e.attempt === 'number' ? e.attempt : pending.attempts + 1;
      pending.attempts = Math.max(pending.attempts, attempt);
      return true;
    }
    default:
      return false;
  }
}
