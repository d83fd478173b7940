// Schema names and the raw JSON Schemas

// The config schema's section defaults
export { type ConfigSectionName, configDefaults } from './configDefaults.js';
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
// Validating schemas from outside (tools' outputSchema)
export { compileForeignSchema, type ForeignValidator } from './foreignSchema.js';
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
  CallSummary,
  CallTimedOut,
  CircuitClosed,
  CircuitHalfOpened,
  CircuitIsolated,
  CircuitMetricsOnly,
  CircuitOpened,
  CircuitThresholdExceeded,
  ClientDropped,
  ConfigReloaded,
  ConfigReloadFailed,
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
  ProtocolViolation,
  RecoveryAttemptsReset,
  RecoveryConfig,
  RecoveryExhausted,
  RecoveryFailed,
  RecoveryStarted,
  RecoverySuccessful,
  RequestResent,
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
  ServerQuarantined,
  ServerRecovered,
  ServerRegistered,
  ServerReleased,
  ServerReset,
  ServerStarted,
  SinkFailed,
  ToolApproved,
  ToolDefinitionChanged,
  ToolPinned,
  TrustChanged,
  TrustConfig,
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
