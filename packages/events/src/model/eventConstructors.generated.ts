// A typed constructor per event type, generated from schemas/json/event.schema.json by schemas/scripts/generateTypes.mjs.
// Do not edit by hand: edit the schema and run `pnpm --filter @selfheal/schemas generate`.
import type { EventInput } from './createEvent.js';
import type { EventOf, KnownEventType } from './eventTypes.js';

/** Builds one event of type `T` from its fields (the envelope is filled in). */
export type EventConstructor<T extends KnownEventType> = (fields: EventInput<T>) => EventOf<T>;

/** A typed constructor per {@link KnownEventType}, named in camelCase. */
export interface EventConstructors {
  /**
   * A probe finished. status is what the probe saw, not the server's settled state.
   * `health_check_completed`: see `HealthCheckCompleted` in @selfheal/schemas.
   */
  healthCheckCompleted: EventConstructor<'health_check_completed'>;
  /**
   * `server_degraded`: see `ServerDegraded` in @selfheal/schemas.
   */
  serverDegraded: EventConstructor<'server_degraded'>;
  /**
   * `server_down`: see `ServerDown` in @selfheal/schemas.
   */
  serverDown: EventConstructor<'server_down'>;
  /**
   * `server_recovered`: see `ServerRecovered` in @selfheal/schemas.
   */
  serverRecovered: EventConstructor<'server_recovered'>;
  /**
   * `recovery_started`: see `RecoveryStarted` in @selfheal/schemas.
   */
  recoveryStarted: EventConstructor<'recovery_started'>;
  /**
   * `recovery_successful`: see `RecoverySuccessful` in @selfheal/schemas.
   */
  recoverySuccessful: EventConstructor<'recovery_successful'>;
  /**
   * `recovery_failed`: see `RecoveryFailed` in @selfheal/schemas.
   */
  recoveryFailed: EventConstructor<'recovery_failed'>;
  /**
   * `recovery_exhausted`: see `RecoveryExhausted` in @selfheal/schemas.
   */
  recoveryExhausted: EventConstructor<'recovery_exhausted'>;
  /**
   * A server entered the configuration (at start-up or on reload).
   * `server_registered`: see `ServerRegistered` in @selfheal/schemas.
   */
  serverRegistered: EventConstructor<'server_registered'>;
  /**
   * The server's process was spawned or its connection opened: running, not yet known healthy.
   * `server_started`: see `ServerStarted` in @selfheal/schemas.
   */
  serverStarted: EventConstructor<'server_started'>;
  /**
   * An operator took the server out of service; nothing recovers it until server_enabled.
   * `server_disabled`: see `ServerDisabled` in @selfheal/schemas.
   */
  serverDisabled: EventConstructor<'server_disabled'>;
  /**
   * An operator put a disabled server back in service; it starts again.
   * `server_enabled`: see `ServerEnabled` in @selfheal/schemas.
   */
  serverEnabled: EventConstructor<'server_enabled'>;
  /**
   * An operator cleared requires_manual and the recovery and check counters of a server.
   * `server_reset`: see `ServerReset` in @selfheal/schemas.
   */
  serverReset: EventConstructor<'server_reset'>;
  /**
   * The server stayed ok for recovery.reset_after_seconds after a recovery: the attempt counter
   * starts again from zero.
   * `recovery_attempts_reset`: see `RecoveryAttemptsReset` in @selfheal/schemas.
   */
  recoveryAttemptsReset: EventConstructor<'recovery_attempts_reset'>;
  /**
   * An event sink (file, WebSocket, metrics, ...) failed to take events; the other sinks were not
   * affected.
   * `sink_failed`: see `SinkFailed` in @selfheal/schemas.
   */
  sinkFailed: EventConstructor<'sink_failed'>;
  /**
   * A gateway (or monitor) run began: every server's state starts afresh from here, as the live
   * process's does. Replay takes the time between a run's end and the next gateway_started as
   * offline, neither up nor down.
   * `gateway_started`: see `GatewayStarted` in @selfheal/schemas.
   */
  gatewayStarted: EventConstructor<'gateway_started'>;
  /**
   * A gateway (or monitor) run ended cleanly. A run that ends without one (the process was killed)
   * ends at its last event.
   * `gateway_stopped`: see `GatewayStopped` in @selfheal/schemas.
   */
  gatewayStopped: EventConstructor<'gateway_stopped'>;
  /**
   * A breaker opened: calls are rejected (or fall back) until open_until, when it half-opens.
   * `circuit_opened`: see `CircuitOpened` in @selfheal/schemas.
   */
  circuitOpened: EventConstructor<'circuit_opened'>;
  /**
   * The open time passed (a timer, with or without traffic): up to probes calls are admitted to
   * test the upstream.
   * `circuit_half_opened`: see `CircuitHalfOpened` in @selfheal/schemas.
   */
  circuitHalfOpened: EventConstructor<'circuit_half_opened'>;
  /**
   * A breaker closed: every probe succeeded, an operator released it, or the server answers again
   * after a restart.
   * `circuit_closed`: see `CircuitClosed` in @selfheal/schemas.
   */
  circuitClosed: EventConstructor<'circuit_closed'>;
  /**
   * An operator isolated the circuit: every call is rejected until it is released.
   * `circuit_isolated`: see `CircuitIsolated` in @selfheal/schemas.
   */
  circuitIsolated: EventConstructor<'circuit_isolated'>;
  /**
   * The breaker records and reports but never rejects (dry run).
   * `circuit_metrics_only`: see `CircuitMetricsOnly` in @selfheal/schemas.
   */
  circuitMetricsOnly: EventConstructor<'circuit_metrics_only'>;
  /**
   * A metrics-only breaker would have opened.
   * `circuit_threshold_exceeded`: see `CircuitThresholdExceeded` in @selfheal/schemas.
   */
  circuitThresholdExceeded: EventConstructor<'circuit_threshold_exceeded'>;
  /**
   * A retry starts, delay_ms after the attempt before it failed (the retry budget had room).
   * `retry_attempted`: see `RetryAttempted` in @selfheal/schemas.
   */
  retryAttempted: EventConstructor<'retry_attempted'>;
  /**
   * A retry was not made: the upstream's retries in flight reached max(budget_min, budget_ratio x
   * active calls).
   * `retry_budget_exhausted`: see `RetryBudgetExhausted` in @selfheal/schemas.
   */
  retryBudgetExhausted: EventConstructor<'retry_budget_exhausted'>;
  /**
   * A call was refused at once: max_concurrent calls were running and max_queue waiting.
   * `bulkhead_rejected`: see `BulkheadRejected` in @selfheal/schemas.
   */
  bulkheadRejected: EventConstructor<'bulkhead_rejected'>;
  /**
   * An attempt or a whole call passed its deadline and was aborted.
   * `call_timed_out`: see `CallTimedOut` in @selfheal/schemas.
   */
  callTimedOut: EventConstructor<'call_timed_out'>;
  /**
   * A read-only call was slower than the observed percentile: a second attempt was started beside
   * it.
   * `hedge_fired`: see `HedgeFired` in @selfheal/schemas.
   */
  hedgeFired: EventConstructor<'hedge_fired'>;
  /**
   * An alternative of a fallback chain is tried because the one before it could not answer.
   * `fallback_used`: see `FallbackUsed` in @selfheal/schemas.
   */
  fallbackUsed: EventConstructor<'fallback_used'>;
  /**
   * Every alternative of a fallback chain failed.
   * `fallback_exhausted`: see `FallbackExhausted` in @selfheal/schemas.
   */
  fallbackExhausted: EventConstructor<'fallback_exhausted'>;
  /**
   * One downstream request finished, after every policy (retries, hedge, fallback). Published on
   * the bus for every call; the JSONL log may keep only a sample or a summary of successful ones.
   * Never carries arguments or results.
   * `call_completed`: see `CallCompleted` in @selfheal/schemas.
   */
  callCompleted: EventConstructor<'call_completed'>;
  /**
   * The calls of one server, tool and method over a window, written to the JSONL log in place of
   * their call_completed events: counts are exact over every call; of each kind of call that is not
   * a plain success (see kinds), only the first in the window is also logged as its own
   * call_completed.
   * `call_summary`: see `CallSummary` in @selfheal/schemas.
   */
  callSummary: EventConstructor<'call_summary'>;
  /**
   * A client session's link to a server broke under a request (its process exited, the server
   * forgot the session: HTTP 404, the connection dropped), and the request was sent again, once, on
   * a new session (a resend; not to be confused with the replay of a log).
   * `request_resent`: see `RequestResent` in @selfheal/schemas.
   */
  requestResent: EventConstructor<'request_resent'>;
  /**
   * A client did not read one of its streams and the bytes waiting for it passed
   * gateway.max_client_buffer_bytes: the gateway closed that stream (or WebSocket connection)
   * rather than buffer without bound.
   * `client_dropped`: see `ClientDropped` in @selfheal/schemas.
   */
  clientDropped: EventConstructor<'client_dropped'>;
  /**
   * A tool's definition (name, description, inputSchema, outputSchema, annotations) is approved and
   * pinned by its hash: the first time the server lists the tool (unless approval is required), or
   * again when the server goes back to the pinned definition (which ends a pending change). RFC
   * 0017.
   * `tool_pinned`: see `ToolPinned` in @selfheal/schemas.
   */
  toolPinned: EventConstructor<'tool_pinned'>;
  /**
   * A server listed a tool whose definition is not its pinned one (or a new tool where approval is
   * required): the tool, not the server, is quarantined (not listed, calls refused) until an
   * operator approves it (selfheal approve SERVER TOOL). RFC 0017.
   * `tool_definition_changed`: see `ToolDefinitionChanged` in @selfheal/schemas.
   */
  toolDefinitionChanged: EventConstructor<'tool_definition_changed'>;
  /**
   * An operator approved a tool's pending definition: it is pinned and served again. RFC 0017.
   * `tool_approved`: see `ToolApproved` in @selfheal/schemas.
   */
  toolApproved: EventConstructor<'tool_approved'>;
  /**
   * A server's trust score moved into another step (trust.step wide). The score routing and
   * quarantine use is the last of these. RFC 0017.
   * `trust_changed`: see `TrustChanged` in @selfheal/schemas.
   */
  trustChanged: EventConstructor<'trust_changed'>;
  /**
   * A server's trust fell below trust.quarantine_below: its tools are hidden or refused
   * (trust.quarantine) until a probation of good checks or an operator (selfheal approve SERVER).
   * RFC 0017.
   * `server_quarantined`: see `ServerQuarantined` in @selfheal/schemas.
   */
  serverQuarantined: EventConstructor<'server_quarantined'>;
  /**
   * A server left quarantine, after trust.probation_checks good checks in a row or by an operator;
   * its evidence starts again from neutral. RFC 0017.
   * `server_released`: see `ServerReleased` in @selfheal/schemas.
   */
  serverReleased: EventConstructor<'server_released'>;
  /**
   * A server broke the protocol: a tool result that does not conform to the tool's outputSchema
   * (output_schema), or a message that is not JSON-RPC (invalid_message: a line on a stdio server's
   * stdout, an HTTP answer or SSE event). Each one is a protocol_violation trust signal; repeats of
   * the same kind (and tool) within a minute are neither logged nor counted. RFC 0017.
   * `protocol_violation`: see `ProtocolViolation` in @selfheal/schemas.
   */
  protocolViolation: EventConstructor<'protocol_violation'>;
  /**
   * The gateway took a new config (the file changed, or SIGHUP): servers whose entry changed were
   * restarted, added ones started, removed ones stopped; every other server, session and call in
   * flight went on untouched.
   * `config_reloaded`: see `ConfigReloaded` in @selfheal/schemas.
   */
  configReloaded: EventConstructor<'config_reloaded'>;
  /**
   * A new config was refused (unreadable, or invalid against the config schema): the gateway keeps
   * running on the config it had.
   * `config_reload_failed`: see `ConfigReloadFailed` in @selfheal/schemas.
   */
  configReloadFailed: EventConstructor<'config_reload_failed'>;
  /**
   * An alert rule's condition holds for a server (or for the gateway, without server_name): one
   * alert is open for the rule and server until alert_resolved. Its notice is delivered to each
   * sink in sinks; alert_delivered or a final alert_delivery_failed per sink ends each delivery, so
   * a log tells which deliveries are still owed (RFC 0015).
   * `alert_fired`: see `AlertFired` in @selfheal/schemas.
   */
  alertFired: EventConstructor<'alert_fired'>;
  /**
   * The condition of an open alert cleared: its resolve notice goes to the same sinks as its
   * alert_fired.
   * `alert_resolved`: see `AlertResolved` in @selfheal/schemas.
   */
  alertResolved: EventConstructor<'alert_resolved'>;
  /**
   * A sink took one notice (a 2xx answer, or a command's exit code 0).
   * `alert_delivered`: see `AlertDelivered` in @selfheal/schemas.
   */
  alertDelivered: EventConstructor<'alert_delivered'>;
  /**
   * One delivery attempt failed. Unless final, it is tried again after retry_in_ms; final: the sink
   * refused it for good (an HTTP 4xx other than 408 and 429) or it was owed longer than
   * alerts.delivery.give_up_after_seconds.
   * `alert_delivery_failed`: see `AlertDeliveryFailed` in @selfheal/schemas.
   */
  alertDeliveryFailed: EventConstructor<'alert_delivery_failed'>;
}

/** The constructors, each a call of `create` with its type. */
export function eventConstructors(
  create: <T extends KnownEventType>(type: T, fields: EventInput<T>) => EventOf<T>,
): EventConstructors {
  return {
    healthCheckCompleted: (fields) => create('health_check_completed', fields),
    serverDegraded: (fields) => create('server_degraded', fields),
    serverDown: (fields) => create('server_down', fields),
    serverRecovered: (fields) => create('server_recovered', fields),
    recoveryStarted: (fields) => create('recovery_started', fields),
    recoverySuccessful: (fields) => create('recovery_successful', fields),
    recoveryFailed: (fields) => create('recovery_failed', fields),
    recoveryExhausted: (fields) => create('recovery_exhausted', fields),
    serverRegistered: (fields) => create('server_registered', fields),
    serverStarted: (fields) => create('server_started', fields),
    serverDisabled: (fields) => create('server_disabled', fields),
    serverEnabled: (fields) => create('server_enabled', fields),
    serverReset: (fields) => create('server_reset', fields),
    recoveryAttemptsReset: (fields) => create('recovery_attempts_reset', fields),
    sinkFailed: (fields) => create('sink_failed', fields),
    gatewayStarted: (fields) => create('gateway_started', fields),
    gatewayStopped: (fields) => create('gateway_stopped', fields),
    circuitOpened: (fields) => create('circuit_opened', fields),
    circuitHalfOpened: (fields) => create('circuit_half_opened', fields),
    circuitClosed: (fields) => create('circuit_closed', fields),
    circuitIsolated: (fields) => create('circuit_isolated', fields),
    circuitMetricsOnly: (fields) => create('circuit_metrics_only', fields),
    circuitThresholdExceeded: (fields) => create('circuit_threshold_exceeded', fields),
    retryAttempted: (fields) => create('retry_attempted', fields),
    retryBudgetExhausted: (fields) => create('retry_budget_exhausted', fields),
    bulkheadRejected: (fields) => create('bulkhead_rejected', fields),
    callTimedOut: (fields) => create('call_timed_out', fields),
    hedgeFired: (fields) => create('hedge_fired', fields),
    fallbackUsed: (fields) => create('fallback_used', fields),
    fallbackExhausted: (fields) => create('fallback_exhausted', fields),
    callCompleted: (fields) => create('call_completed', fields),
    callSummary: (fields) => create('call_summary', fields),
    requestResent: (fields) => create('request_resent', fields),
    clientDropped: (fields) => create('client_dropped', fields),
    toolPinned: (fields) => create('tool_pinned', fields),
    toolDefinitionChanged: (fields) => create('tool_definition_changed', fields),
    toolApproved: (fields) => create('tool_approved', fields),
    trustChanged: (fields) => create('trust_changed', fields),
    serverQuarantined: (fields) => create('server_quarantined', fields),
    serverReleased: (fields) => create('server_released', fields),
    protocolViolation: (fields) => create('protocol_violation', fields),
    configReloaded: (fields) => create('config_reloaded', fields),
    configReloadFailed: (fields) => create('config_reload_failed', fields),
    alertFired: (fields) => create('alert_fired', fields),
    alertResolved: (fields) => create('alert_resolved', fields),
    alertDelivered: (fields) => create('alert_delivered', fields),
    alertDeliveryFailed: (fields) => create('alert_delivery_failed', fields),
  };
}
