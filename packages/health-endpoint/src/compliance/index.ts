// Auditing one answer (pure)
export {
  ACCEPTED_MEDIA_TYPES,
  type AuditOptions,
  auditHealthResponse,
  type HealthAudit,
  type HealthHttpResponse,
} from './auditHealthResponse.js';
// Fetching and checking a live endpoint
export {
  type CheckHealthOptions,
  type ComplianceReport,
  checkHealthEndpoint,
} from './checkHealthEndpoint.js';
export {
  type FetchedHealthResponse,
  type FetchHealthOptions,
  fetchHealthResponse,
} from './fetchHealthResponse.js';
// Findings
export {
  type ComplianceFinding,
  type ComplianceRule,
  fixForIssue,
  schemaFindings,
} from './findings.js';
