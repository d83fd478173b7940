// Creating and mounting the endpoint

// Time
export { type Clock, systemClock } from '@selfheal/internal';
// Types shared with @selfheal/schemas
export type { HealthCheckResponse, HealthStatus } from '@selfheal/schemas';
export { type HealthClock, processStartMs } from './clock.js';
// Component checks
export type {
  ComponentCheck,
  ComponentCheckContext,
  ComponentCheckFn,
  ComponentCheckOptions,
  ComponentResult,
} from './componentCheck.js';
// Errors
export { HealthEndpointError, HealthEndpointErrorCode } from './errors.js';
export {
  createHealthEndpoint,
  type HealthEndpoint,
  type HealthMiddleware,
  type HealthReport,
} from './healthEndpoint.js';
export { type HealthServer, type HealthServerOptions, startHealthServer } from './healthServer.js';
export { HEALTH_MEDIA_TYPE, isHealthRequest } from './httpHandler.js';
export { HEALTH_DEFAULTS, type HealthEndpointOptions } from './options.js';
// Keeping secrets out of the body
export { describeFailure, REDACTED, redactSecrets } from './redact.js';
// The W3 status rules and HTTP details
export { HEALTH_STATUSES, httpStatusFor, isHealthStatus, overallStatus } from './status.js';
