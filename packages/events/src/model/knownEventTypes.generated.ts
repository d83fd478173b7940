// The event types and their fields, generated from schemas/json/event.schema.json by schemas/scripts/generateTypes.mjs.
// Do not edit by hand: edit the schema and run `pnpm --filter @selfheal/schemas generate`.
import type {
  AlertDelivered,
  AlertDeliveryFailed,
  AlertFired,
  AlertResolved,
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
  ConfigReloadFailed,
  ConfigReloaded,
  FallbackExhausted,
  FallbackUsed,
  GatewayStarted,
  GatewayStopped,
  HealthCheckCompleted,
  HedgeFired,
  ProtocolViolation,
  RecoveryAttemptsReset,
  RecoveryExhausted,
  RecoveryFailed,
  RecoveryStarted,
  RecoverySuccessful,
  RequestResent,
  RetryAttempted,
  RetryBudgetExhausted,
  ServerDegraded,
  ServerDisabled,
  ServerDown,
  ServerEnabled,
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
} from '@selfheal/schemas';

/** The fields of each event type Selfheal writes, keyed by `event_type`. */
export interface EventFieldsByType {
  health_check_completed: HealthCheckCompleted;
  server_degraded: ServerDegraded;
  server_down: ServerDown;
  server_recovered: ServerRecovered;
  recovery_started: RecoveryStarted;
  recovery_successful: RecoverySuccessful;
  recovery_failed: RecoveryFailed;
  recovery_exhausted: RecoveryExhausted;
  server_registered: ServerRegistered;
  server_started: ServerStarted;
  server_disabled: ServerDisabled;
  server_enabled: ServerEnabled;
  server_reset: ServerReset;
  recovery_attempts_reset: RecoveryAttemptsReset;
  sink_failed: SinkFailed;
  gateway_started: GatewayStarted;
  gateway_stopped: GatewayStopped;
  circuit_opened: CircuitOpened;
  circuit_half_opened: CircuitHalfOpened;
  circuit_closed: CircuitClosed;
  circuit_isolated: CircuitIsolated;
  circuit_metrics_only: CircuitMetricsOnly;
  circuit_threshold_exceeded: CircuitThresholdExceeded;
  retry_attempted: RetryAttempted;
  retry_budget_exhausted: RetryBudgetExhausted;
  bulkhead_rejected: BulkheadRejected;
  call_timed_out: CallTimedOut;
  hedge_fired: HedgeFired;
  fallback_used: FallbackUsed;
  fallback_exhausted: FallbackExhausted;
  call_completed: CallCompleted;
  call_summary: CallSummary;
  request_resent: RequestResent;
  client_dropped: ClientDropped;
  tool_pinned: ToolPinned;
  tool_definition_changed: ToolDefinitionChanged;
  tool_approved: ToolApproved;
  trust_changed: TrustChanged;
  server_quarantined: ServerQuarantined;
  server_released: ServerReleased;
  protocol_violation: ProtocolViolation;
  config_reloaded: ConfigReloaded;
  config_reload_failed: ConfigReloadFailed;
  alert_fired: AlertFired;
  alert_resolved: AlertResolved;
  alert_delivered: AlertDelivered;
  alert_delivery_failed: AlertDeliveryFailed;
}

/** An `event_type` that the schema describes field by field and Selfheal writes. */
export type KnownEventType = keyof EventFieldsByType;

/** Every {@link KnownEventType}, in the order of the schema. */
export const KNOWN_EVENT_TYPES: readonly KnownEventType[] = [
  'health_check_completed',
  'server_degraded',
  'server_down',
  'server_recovered',
  'recovery_started',
  'recovery_successful',
  'recovery_failed',
  'recovery_exhausted',
  'server_registered',
  'server_started',
  'server_disabled',
  'server_enabled',
  'server_reset',
  'recovery_attempts_reset',
  'sink_failed',
  'gateway_started',
  'gateway_stopped',
  'circuit_opened',
  'circuit_half_opened',
  'circuit_closed',
  'circuit_isolated',
  'circuit_metrics_only',
  'circuit_threshold_exceeded',
  'retry_attempted',
  'retry_budget_exhausted',
  'bulkhead_rejected',
  'call_timed_out',
  'hedge_fired',
  'fallback_used',
  'fallback_exhausted',
  'call_completed',
  'call_summary',
  'request_resent',
  'client_dropped',
  'tool_pinned',
  'tool_definition_changed',
  'tool_approved',
  'trust_changed',
  'server_quarantined',
  'server_released',
  'protocol_violation',
  'config_reloaded',
  'config_reload_failed',
  'alert_fired',
  'alert_resolved',
  'alert_delivered',
  'alert_delivery_failed',
];

/**
 * Types the schema still describes, so that logs written before they were renamed or retired
 * read and validate, but that Selfheal no longer writes (no constructor, not a
 * {@link KnownEventType}).
 */
export const DEPRECATED_EVENT_TYPES: readonly string[] = [
  'request_replayed',
];
