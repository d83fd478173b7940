import type {
  GatewayStarted,
  GatewayStopped,
  HealthCheckCompleted,
  RecoveryAttemptsReset,
  RecoveryExhausted,
  RecoveryFailed,
  RecoveryStarted,
  RecoverySuccessful,
  ServerDegraded,
  ServerDisabled,
  ServerDown,
  ServerEnabled,
  ServerRecovered,
  ServerRegistered,
  ServerReset,
  ServerStarted,
  SinkFailed,
} from '@selfheal/schemas';

/** The fields of each event type Selfheal emits, keyed by `event_type` (from the schema). */
export interface EventFieldsByType {
  health_check_completed: HealthCheckCompleted;
  server_degraded: ServerDegraded;
  server_down: ServerDown;
  server_recovered: ServerRecovered;
  recovery_started: RecoveryStarted;
  recovery_successful: RecoverySuccessful;
  recovery_failed: RecoveryFailed;
  recovery_exhausted: RecoveryExhausted;
  recovery_attempts_reset: RecoveryAttemptsReset;
  server_registered: ServerRegistered;
  server_started: ServerStarted;
  server_disabled: ServerDisabled;
  server_enabled: ServerEnabled;
  server_reset: ServerReset;
  sink_failed: SinkFailed;
  gateway_started: GatewayStarted;
  gateway_stopped: GatewayStopped;
}

/** An `event_type` that the schema describes field by field. */
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
  'recovery_attempts_reset',
  'server_registered',
  'server_started',
  'server_disabled',
  'server_enabled',
  'server_reset',
  'sink_failed',
  'gateway_started',
  'gateway_stopped',
];

const known = new Set<string>(KNOWN_EVENT_TYPES);

/** Narrows a string to a {@link KnownEventType}. */
export function isKnownEventType(type: string): type is KnownEventType {
  return known.has(type);
}
