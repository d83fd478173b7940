import type { Notice } from './notice.js';

/**
 * The generic webhook's JSON body (the README documents it). `notice_id` is the same on every
 * attempt of one notice, so a receiver can drop a repeat.
 */
export function webhookBody(notice: Notice): Record<string, unknown> {
  return {
    version: 1,
    action: notice.action,
    test: notice.test,
    notice_id: notice.noticeId,
    summary: notice.summary,
    alert: {
      id: notice.alertId,
      rule: notice.rule,
      rule_type: notice.ruleType,
      severity: notice.severity,
      summary: notice.firedSummary,
      server_name: notice.server ?? null,
      fired_at: notice.firedAt ?? null,
      ...(notice.action === 'resolve' ? { resolved_at: notice.at } : {}),
      details: notice.details,
    },
  };
}

const ICON = {
  critical: ':red_circle:',
  error: ':large_orange_circle:',
  warning: ':warning:',
  info: ':information_source:',
};

/** Slack's incoming-webhook body: `text` in mrkdwn (a fallback for notifications too). */
export function slackBody(notice: Notice): Record<string, unknown> {
  const head =
    notice.action === 'resolve'
      ? `:white_check_mark: *Resolved* ${notice.rule}`
      : `${ICON[notice.severity]} *${notice.test ? 'Test' : notice.severity.toUpperCase()}* ${notice.rule}`;
  return { text: `${head}: ${escapeSlack(notice.summary)} (alert ${notice.alertId})` };
}

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A PagerDuty Events API v2 event: `trigger` with `payload` (summary, source, severity, ...) or
 * `resolve`, both by `dedup_key` (the alert id), so the resolve closes the trigger's incident.
 */
export function pagerDutyBody(
  notice: Notice,
  routingKey: string,
  source: string | undefined,
): Record<string, unknown> {
  if (notice.action === 'resolve') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: notice.alertId };
  }
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: notice.alertId,
    client: 'Selfheal',
    payload: {
      // The API's bound on summary.
      summary: notice.summary.slice(0, 1024),
      source: source ?? notice.server ?? 'selfheal',
      severity: notice.severity,
      timestamp: notice.at,
      ...(notice.server !== undefined ? { component: notice.server } : {}),
      group: 'selfheal',
      class: notice.ruleType,
      custom_details: { rule: notice.rule, ...notice.details },
    },
  };
}
