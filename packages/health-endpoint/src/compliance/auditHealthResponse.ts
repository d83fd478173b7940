import { describeValue, type HealthStatus, validate } from '@selfheal/schemas';
import { HEALTH_MEDIA_TYPE } from '../httpHandler.js';
import { redactSecrets } from '../redact.js';
import { isHealthStatus, overallStatus } from '../status.js';
import { type ComplianceFinding, schemaFindings } from './findings.js';

/** An HTTP answer as received: what the audit looks at. */
export interface HealthHttpResponse {
  httpStatus: number;
  /** The `Content-Type` header, or undefined when absent. */
  contentType: string | undefined;
  bodyText: string;
}

/** Options of {@link auditHealthResponse}. */
export interface AuditOptions {
  /** The time to judge `timestamp` freshness against, in epoch ms. */
  now: number;
  /**
   * Also require `status` to be `ok` (`selfheal check --require-ok`).
   * @default false
   */
  requireOk?: boolean;
  /**
   * Age past which `timestamp` is stale (W3: 60 s); the same bound, forward, for a warning
   * about a timestamp in the future (clock skew).
   * @default 60000
   */
  staleAfterMs?: number;
}

/** The verdict on one answer: `conforms` is true exactly when there are no violations. */
export interface HealthAudit {
  conforms: boolean;
  violations: ComplianceFinding[];
  warnings: ComplianceFinding[];
  /** The parsed body, when it was JSON. */
  body?: unknown;
}

/** Media types a conforming endpoint may answer with. */
export const ACCEPTED_MEDIA_TYPES: readonly string[] = [HEALTH_MEDIA_TYPE, 'application/json'];

/**
 * Audits one `/health` answer against the W3 contract: content type, JSON, the
 * `health-check` schema, timestamp freshness, the overall-vs-components rule and
 * status/HTTP-code agreement. Pure: the time comes from `options.now`.
 */
export function auditHealthResponse(
  response: HealthHttpResponse,
  options: AuditOptions,
): HealthAudit {
  const findings: ComplianceFinding[] = [];
  const add = (f: Omit<ComplianceFinding, 'severity'>, severity: 'error' | 'warning' = 'error') =>
    findings.push({ ...f, severity });

  const mediaType = response.contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (!mediaType || !ACCEPTED_MEDIA_TYPES.includes(mediaType)) {
    add({
      rule: 'content-type',
      pointer: '',
      message: `Content-Type: expected ${ACCEPTED_MEDIA_TYPES.join(' or ')}, found ${mediaType ? JSON.stringify(response.contentType) : 'no header'}`,
      fix: `send "Content-Type: ${HEALTH_MEDIA_TYPE}" with the JSON body`,
    });
  }

  let body: unknown;
  try {
    body = JSON.parse(response.bodyText);
  } catch {
    add({
      rule: 'json',
      pointer: '',
      message: `(document): expected a JSON object, found ${describeText(response.bodyText)} (HTTP ${response.httpStatus})`,
      fix: 'answer every /health request, including failures, with the JSON health body (status, timestamp, uptime_seconds)',
    });
    return verdict(findings);
  }

  const result = validate('health-check', body);
  findings.push(...schemaFindings(result.issues));
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return verdict(findings, body);
  }
  const doc = body as Record<string, unknown>;
  const badAt = new Set(result.issues.map((i) => i.pointer));
  const status = isHealthStatus(doc.status) ? doc.status : undefined;

  auditTimestamp(doc.timestamp, badAt.has('/timestamp'), options, add);
  if (status) {
    auditOverall(status, doc.checks, add);
    auditHttpStatus(status, response.httpStatus, add);
    auditError(status, doc.error, add);
    if (options.requireOk && status !== 'ok') {
      add({
        rule: 'require-ok',
        pointer: '/status',
        message: `/status: expected "ok" (--require-ok), found ${JSON.stringify(status)}`,
        fix: 'bring the failing components back (see /error), or drop --require-ok to accept degraded and down answers that conform',
      });
    }
  }
  return verdict(findings, body);
}

type Add = (f: Omit<ComplianceFinding, 'severity'>, severity?: 'error' | 'warning') => void;

function auditTimestamp(value: unknown, invalid: boolean, options: AuditOptions, add: Add) {
  if (invalid || typeof value !== 'string') return;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return;
  const limit = options.staleAfterMs ?? 60_000;
  const age = options.now - at;
  if (age > limit) {
    add({
      rule: 'stale-timestamp',
      pointer: '/timestamp',
      message: `/timestamp: ${value} is ${seconds(age)} old; a monitor treats answers older than ${seconds(limit)} as stale`,
      fix: 'compute timestamp when answering each request (not at start-up, and not from a cache older than 60 s)',
    });
  } else if (-age > limit) {
    add(
      {
        rule: 'future-timestamp',
        pointer: '/timestamp',
        message: `/timestamp: ${value} is ${seconds(-age)} ahead of this machine's clock`,
        fix: "check the server's clock (NTP) and that timestamp is in UTC",
      },
      'warning',
    );
  }
}

function auditOverall(status: HealthStatus, checks: unknown, add: Add) {
  if (checks === null || typeof checks !== 'object' || Array.isArray(checks)) return;
  const entries = Object.entries(checks).filter((e): e is [string, HealthStatus] =>
    isHealthStatus(e[1]),
  );
  if (entries.length === 0) return;
  const expected = overallStatus(entries.map(([, s]) => s));
  if (expected === status) return;
  const culprits = entries.filter(([, s]) => s !== 'ok').map(([n, s]) => `${n} is ${s}`);
  add({
    rule: 'overall-status',
    pointer: '/status',
    message: `/status: expected ${JSON.stringify(expected)} from /checks (${culprits.join(', ') || 'all ok'}), found ${JSON.stringify(status)}`,
    fix: `set status to ${JSON.stringify(expected)}: all checks ok -> "ok", any down -> "down", otherwise "degraded"`,
  });
}

function auditHttpStatus(status: HealthStatus, code: number, add: Add) {
  const ok2xx = code >= 200 && code < 300;
  if (status !== 'down' && !ok2xx) {
    add({
      rule: 'http-status',
      pointer: '/status',
      message: `/status: ${JSON.stringify(status)} was answered with HTTP ${code}; monitors count any non-2xx as a failed check`,
      fix: `answer HTTP 200 for "ok" and "degraded"`,
    });
  } else if (status === 'down' && ok2xx) {
    add(
      {
        rule: 'http-status',
        pointer: '/status',
        message: `/status: "down" was answered with HTTP ${code}; W3 allows it, but plain HTTP probes will read it as healthy`,
        fix: 'answer HTTP 503 for "down"',
      },
      'warning',
    );
  } else if (status === 'down' && code < 500) {
    add({
      rule: 'http-status',
      pointer: '/status',
      message: `/status: "down" was answered with HTTP ${code}, which says the request was wrong, not the server`,
      fix: 'answer HTTP 503 for "down"',
    });
  }
}

function auditError(status: HealthStatus, error: unknown, add: Add) {
  if (status !== 'ok' && error === undefined) {
    add(
      {
        rule: 'missing-error',
        pointer: '/error',
        message: `/error: absent while status is ${JSON.stringify(status)}`,
        fix: 'add "error" naming the failing components and why, e.g. "db: down (timed out after 2000 ms)"',
      },
      'warning',
    );
  }
  if (typeof error === 'string' && (/\n\s*at\s/.test(error) || redactSecrets(error) !== error)) {
    add(
      {
        rule: 'error-leak',
        pointer: '/error',
        message: '/error: looks like it holds a stack trace, a URL, a credential or a token',
        fix: 'keep error to one line naming the component and the reason; never include stack traces, connection strings or tokens',
      },
      'warning',
    );
  }
}

function verdict(findings: ComplianceFinding[], body?: unknown): HealthAudit {
  const violations = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  const audit: HealthAudit = { conforms: violations.length === 0, violations, warnings };
  if (body !== undefined) audit.body = body;
  return audit;
}

function describeText(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return 'an empty body';
  if (/^<(!doctype|html)/i.test(trimmed)) return 'an HTML page';
  return `text that is not JSON (${describeValue(trimmed.slice(0, 40))})`;
}

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s >= 2 * 86_400) return `${Math.round(s / 86_400)} days`;
  if (s >= 2 * 3600) return `${Math.round(s / 3600)} h`;
  return `${s} s`;
}
