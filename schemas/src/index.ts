// Schema names and the raw JSON Schemas

// Reading JSON and YAML documents
export {
  DocumentReadError,
  isYamlFile,
  parseDocument,
  readDocument,
  readText,
} from './document.js';
// Errors
export { SchemaError, SchemaErrorCode } from './errors.js';
export {
  describeValue,
  escapePointerToken,
  resolvePointer,
  toIssues,
  type ValidationIssue,
} from './issues.js';
export {
  isSchemaName,
  loadSchema,
  SCHEMA_NAMES,
  type SchemaName,
  schemaPath,
} from './schemaRegistry.js';

// Types generated from the schemas (see scripts/generateTypes.mjs)
export type {
  AlertDelivered,
  AlertDeliveryFailed,
  AlertFired,
  AlertResolved,
  AlertRuleFields,
  AlertSink,
  AlertsConfig,
  BulkheadRejected,
  CallCompleted,
  CallTimedOut,
  CircuitClosed,
  CircuitHalfOpened,
  CircuitIsolated,
  CircuitMetricsOnly,
  CircuitOpened,
  CircuitThresholdExceeded,
  EcosystemHealth,
  EventEmissionConfig,
  FallbackExhausted,
  FallbackUsed,
  GatewayConfig,
  GatewayStarted,
  GatewayStopped,
  HealthCheckCompleted,
  HealthCheckConfig,
  HealthCheckResponse,
  HealthStatus,
  HedgeFired,
  ProbeStatus,
  RecoveryAttemptsReset,
  RecoveryConfig,
  RecoveryExhausted,
  RecoveryFailed,
  RecoveryStarted,
  RecoverySuccessful,
  ResilienceConfig,
  RetryAttempted,
  RetryBudgetExhausted,
  SelfhealConfig,
  SelfhealEvent,
  ServerConfig,
  ServerDegraded,
  ServerDisabled,
  ServerDown,
  ServerEnabled,
  ServerHealthDetail,
  ServerRecovered,
  ServerRegistered,
  ServerReset,
  ServerStarted,
  SinkFailed,
} from './types.generated.js';
// Validation
export {
  getValidator,
  isEcosystemHealth,
  isHealthCheckResponse,
  isSelfhealConfig,
  isSelfhealEvent,
  type SchemaTypes,
  type ValidationResult,
  validate,
} from './validators.js';
