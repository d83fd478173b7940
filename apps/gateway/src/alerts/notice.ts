import type { SelfhealEvent } from '@selfheal/schemas';
import type { Severity } from './alertConfig.js';
import type { PendingDelivery } from './alertLedger.js';

/** One notice as the sinks send it: a trigger or the resolve of one alert. */
export interface Notice {
  action: 'trigger' | 'resolve';
  /** Names the alert from trigger to resolve (PagerDuty's dedup_key). */
  alertId: string;
  /** `event_id` of the `alert_fired`/`alert_resolved`: the same on every attempt. */
  noticeId: string;
  rule: string;
  ruleType: string;
  severity: Severity;
  /** This notice's line for a person (the resolve has its own). */
  summary: string;
  /** The alert's line when it fired. */
  firedSummary: string;
  server: string | undefined;
  firedAt: string | undefined;
  /** The notice's time (ISO 8601). */
  at: string;
  details: Record<string, unknown>;
  /** From `selfheal alerts test`: not an alert of any rule. */
  test: boolean;
}

/** What a sink answered to one attempt. */
export interface DeliveryResult {
  ok: boolean;
  /** The HTTP status, or a command's exit code. */
  status?: number;
  /** Why it failed, for `alert_delivery_failed`. */
  error?: string;
  /** The sink will never take it (an HTTP 4xx but 408 and 429): no retry. */
  permanent?: boolean;
  /** The start of the answer's body, for `selfheal alerts test`. */
  body?: string;
}

/** Sends notices to one sink. */
export interface AlertTransport {
  /** One attempt; resolves (never rejects) with the answer; `signal` aborts it on timeout. */
  send(notice: Notice, signal: AbortSignal): Promise<DeliveryResult>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The notice a pending delivery sends, from its event (and, for a resolve, its alert_fired). */
export function noticeOf(p: PendingDelivery): Notice {
  const e = p.notice as Record<string, unknown>;
  const fired = (p.action === 'trigger' ? p.notice : p.fired) as
    | (SelfhealEvent & Record<string, unknown>)
    | undefined;
  return {
    action: p.action,
    alertId: p.alertId,
    noticeId: p.noticeId,
    rule: str(e.rule) ?? 'unknown',
    ruleType: str(fired?.rule_type) ?? 'unknown',
    severity: (str(fired?.severity) ?? 'error') as Severity,
    summary: str(e.summary) ?? p.alertId,
    firedSummary: str(fired?.summary) ?? str(e.summary) ?? p.alertId,
    server: str(p.notice.server_name),
    firedAt: fired?.timestamp,
    at: p.notice.timestamp,
    details: (fired?.details as Record<string, unknown> | undefined) ?? {},
    test: false,
  };
}
