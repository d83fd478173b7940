import type { ValidationIssue } from '@selfheal/schemas';

/** The rules `selfheal check` applies; each finding names one. */
export type ComplianceRule =
  | 'content-type'
  | 'json'
  | 'schema'
  | 'stale-timestamp'
  | 'future-timestamp'
  | 'overall-status'
  | 'http-status'
  | 'missing-error'
  | 'error-leak'
  | 'require-ok';

/** One reason an answer does not conform (`error`) or should be improved (`warning`). */
export interface ComplianceFinding {
  rule: ComplianceRule;
  severity: 'error' | 'warning';
  /**
   * RFC 6901 pointer into the response body; `""` is the whole body. Findings about the
   * HTTP envelope (content type) also use `""` and name the header in `message`.
   */
  pointer: string;
  /** What is wrong, for people: `<pointer>: ...`. */
  message: string;
  /** What to change so the finding goes away. */
  fix: string;
}

const FIELD_HINTS: Record<string, string> = {
  '/status': '"status": "ok" (or "degraded", "down")',
  '/timestamp':
    '"timestamp": the time of this answer in ISO 8601 UTC, e.g. new Date().toISOString()',
  '/uptime_seconds': '"uptime_seconds": whole seconds since the process started (integer >= 0)',
};

/** A fix for one schema issue, phrased after the keyword that failed. */
export function fixForIssue(issue: ValidationIssue): string {
  const { pointer, keyword, expected } = issue;
  const name = pointer.split('/').pop()?.replaceAll('~1', '/').replaceAll('~0', '~') ?? '';
  if (pointer === '' && keyword === 'type') {
    return 'answer a JSON object with "status", "timestamp" and "uptime_seconds"';
  }
  if (keyword === 'required') return `add ${FIELD_HINTS[pointer] ?? `"${name}"`}`;
  if (keyword === 'pattern' && pointer.startsWith('/checks/')) {
    const suggestion = name.toLowerCase().replace(/[^a-z_]+/g, '_');
    return `rename component "${name}" to lower case letters and "_" only, e.g. "${suggestion}"`;
  }
  if (pointer === '/timestamp') return `set ${FIELD_HINTS['/timestamp']}`;
  if (pointer === '/uptime_seconds') return `set ${FIELD_HINTS['/uptime_seconds']}`;
  return `set ${pointer} to ${expected}`;
}

/** Converts schema issues to findings (all errors). */
export function schemaFindings(issues: readonly ValidationIssue[]): ComplianceFinding[] {
  return issues.map((issue) => ({
    rule: 'schema',
    severity: 'error',
    pointer: issue.pointer,
    message: issue.message,
    fix: fixForIssue(issue),
  }));
}
