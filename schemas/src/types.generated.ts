// Generated from json/*.schema.json by scripts/generateTypes.mjs. Do not edit by hand:
// edit the schema and run `pnpm --filter @selfheal/schemas generate`.
/* eslint-disable */

// --- health-check ---
/**
 * This interface was referenced by `HealthCheckResponse`'s JSON-Schema
 * via the `definition` "HealthStatus".
 */
export type HealthStatus = 'ok' | 'degraded' | 'down';

/**
 * Body of GET /health per the W3 health contract (v1). Overall status with checks: all ok -> ok; any down -> down; else degraded. Extra fields are allowed.
 */
export interface HealthCheckResponse {
  status: HealthStatus;
  /**
   * When this status was computed (ISO 8601, UTC). Older than 60 s counts as stale.
   */
  timestamp: string;
  /**
   * Whole seconds since the server process started.
   */
  uptime_seconds: number;
  /**
   * The server's version.
   */
  version?: string;
  /**
   * Component name -> component status.
   */
  checks?: {
    [k: string]: HealthStatus;
  };
  /**
   * What is wrong, when status is not ok. Never a stack trace or a secret.
   */
  error?: string;
  /**
   * Free-form extra information.
   */
  metadata?: {};
  [k: string]: unknown;
}

// --- ecosystem-health ---
/**
 * Body of GET /health/ecosystem: the W3 roll-up over every upstream server. Any server down -> degraded; more than half degraded -> degraded; else ok.
 */
export interface EcosystemHealth {
  status: 'ok' | 'degraded' | 'down';
  timestamp: string;
  servers: {
    total: number;
    healthy: number;
    degraded: number;
    down: number;
    [k: string]: unknown;
  };
  details: ServerHealthDetail[];
  [k: string]: unknown;
}
/**
 * This interface was referenced by `EcosystemHealth`'s JSON-Schema
 * via the `definition` "ServerHealthDetail".
 */
export interface ServerHealthDetail {
  server_name: string;
  /**
   * Last known health; unknown before the first completed check.
   */
  status: 'ok' | 'degraded' | 'down' | 'unknown';
  /**
   * Where the server is in its life: starting, running, recovering, failed, disabled.
   */
  lifecycle?: string;
  last_check?: string;
  response_time_ms?: number;
  consecutive_failures?: number;
  recovery_attempts?: number;
  requires_manual?: boolean;
  error?: string;
  [k: string]: unknown;
}

// --- event ---
/**
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ProbeStatus".
 */
export type ProbeStatus = 'ok' | 'degraded' | 'down';
/**
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ServerNames".
 */
export type ServerNames = string[];
/**
 * Servers whose resolved entry changed (their own section, or a global section they inherit).
 */
export type ServerNames1 = string[];

/**
 * One line of an append-only JSONL event log. The envelope is checked for every event; the fields of known event types are checked when event_type names one. Unknown event types and extra fields are valid as long as the envelope is.
 */
export interface SelfhealEvent {
  /**
   * snake_case name of what happened.
   */
  event_type: string;
  /**
   * ISO 8601, UTC.
   */
  timestamp: string;
  /**
   * Groups the events of one causal chain.
   */
  trace_id: string;
  /**
   * The emitting component.
   */
  repo?: string;
  /**
   * Unique and sortable: later events compare greater.
   */
  event_id?: string;
  /**
   * Monotonic position within one log.
   */
  seq?: number;
  /**
   * The server concerned, if any.
   */
  server_name?: string;
  /**
   * The gateway replica that emitted the event, when several share a NATS JetStream stream (RFC 0018); a NATS subject token.
   */
  replica?: string;
  [k: string]: unknown;
}
/**
 * A probe finished. status is what the probe saw, not the server's settled state.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "HealthCheckCompleted".
 */
export interface HealthCheckCompleted {
  event_type: 'health_check_completed';
  server_name: string;
  status: ProbeStatus;
  response_time_ms: number;
  /**
   * Component statuses reported by the server, if any.
   */
  checks?: {
    [k: string]: ProbeStatus;
  };
  /**
   * Why the check failed, if it did.
   */
  error?: string | null;
  /**
   * Which probe ran: http, ping, tools, process.
   */
  probe?: string;
  /**
   * tools/list deep check: how many tools the server listed.
   */
  tool_count?: number;
}
/**
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ServerDegraded".
 */
export interface ServerDegraded {
  event_type: 'server_degraded';
  server_name: string;
  previous_status?: string;
  reason?: string;
}
/**
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ServerDown".
 */
export interface ServerDown {
  event_type: 'server_down';
  server_name: string;
  previous_status?: string;
  reason?: string;
  consecutive_failures?: number;
}
/**
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ServerRecovered".
 */
export interface ServerRecovered {
  event_type: 'server_recovered';
  server_name: string;
  previous_status?: string;
  downtime_seconds?: number;
}
/**
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "RecoveryStarted".
 */
export interface RecoveryStarted {
  event_type: 'recovery_started';
  server_name: string;
  reason: string;
  attempt: number;
  strategy: 'restart' | 'command' | 'manual';
  /**
   * Backoff waited before this attempt.
   */
  delay_ms?: number;
  /**
   * Set when the backoff wait was skipped: the server had been up this many seconds when it went down, at least recovery.stable_after_seconds.
   */
  stable_seconds?: number;
}
/**
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "RecoverySuccessful".
 */
export interface RecoverySuccessful {
  event_type: 'recovery_successful';
  server_name: string;
  attempts: number;
  duration_ms?: number;
}
/**
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "RecoveryFailed".
 */
export interface RecoveryFailed {
  event_type: 'recovery_failed';
  server_name: string;
  error: string;
  attempt?: number;
}
/**
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "RecoveryExhausted".
 */
export interface RecoveryExhausted {
  event_type: 'recovery_exhausted';
  server_name: string;
  requires_manual: true;
  attempts?: number;
  /**
   * True when recovery stopped without trying because the cause cannot pass by itself (the command is missing or not executable).
   */
  permanent?: boolean;
  /**
   * Why recovery stopped, when it stopped before its attempts ran out.
   */
  reason?: string;
}
/**
 * A server entered the configuration (at start-up or on reload).
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ServerRegistered".
 */
export interface ServerRegistered {
  event_type: 'server_registered';
  server_name: string;
  transport?: 'stdio' | 'http' | 'streamable-http' | 'sse';
}
/**
 * The server's process was spawned or its connection opened: running, not yet known healthy.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ServerStarted".
 */
export interface ServerStarted {
  event_type: 'server_started';
  server_name: string;
  pid?: number;
}
/**
 * An operator took the server out of service; nothing recovers it until server_enabled.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ServerDisabled".
 */
export interface ServerDisabled {
  event_type: 'server_disabled';
  server_name: string;
  /**
   * Who acted: the name the operator gave, else uid and pid of the caller ("uid 1000 (pid 4242)").
   */
  operator?: string;
  /**
   * The user id of the process that sent the control request, as it reported it; where the monitor can read the process's own record (/proc), the user id found there. Only that user or root can reach the control socket.
   */
  operator_uid?: number;
  /**
   * The process id of the process that sent the control request, as it reported it.
   */
  operator_pid?: number;
  reason?: string;
}
/**
 * An operator put a disabled server back in service; it starts again.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ServerEnabled".
 */
export interface ServerEnabled {
  event_type: 'server_enabled';
  server_name: string;
  /**
   * Who acted: the name the operator gave, else uid and pid of the caller ("uid 1000 (pid 4242)").
   */
  operator?: string;
  /**
   * The user id of the process that sent the control request, as it reported it; where the monitor can read the process's own record (/proc), the user id found there. Only that user or root can reach the control socket.
   */
  operator_uid?: number;
  /**
   * The process id of the process that sent the control request, as it reported it.
   */
  operator_pid?: number;
  reason?: string;
}
/**
 * The server stayed ok for recovery.reset_after_seconds after a recovery: the attempt counter starts again from zero.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "RecoveryAttemptsReset".
 */
export interface RecoveryAttemptsReset {
  event_type: 'recovery_attempts_reset';
  server_name: string;
  /**
   * How long the server had been ok.
   */
  stable_seconds?: number;
}
/**
 * An operator cleared requires_manual and the recovery and check counters of a server.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ServerReset".
 */
export interface ServerReset {
  event_type: 'server_reset';
  server_name: string;
  /**
   * Who acted: the name the operator gave, else uid and pid of the caller ("uid 1000 (pid 4242)").
   */
  operator?: string;
  /**
   * The user id of the process that sent the control request, as it reported it; where the monitor can read the process's own record (/proc), the user id found there. Only that user or root can reach the control socket.
   */
  operator_uid?: number;
  /**
   * The process id of the process that sent the control request, as it reported it.
   */
  operator_pid?: number;
  reason?: string;
}
/**
 * An event sink (file, WebSocket, metrics, ...) failed to take events; the other sinks were not affected.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "SinkFailed".
 */
export interface SinkFailed {
  event_type: 'sink_failed';
  sink: string;
  /**
   * The last error, or why events were dropped.
   */
  error: string;
  /**
   * Events this sink failed or dropped since its previous sink_failed.
   */
  failures: number;
  /**
   * Of those, events dropped because the sink's buffer was full.
   */
  dropped?: number;
  /**
   * event_id of the last event the sink failed to take.
   */
  failed_event_id?: string;
}
/**
 * A gateway (or monitor) run began: every server's state starts afresh from here, as the live process's does. Replay takes the time between a run's end and the next gateway_started as offline, neither up nor down.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "GatewayStarted".
 */
export interface GatewayStarted {
  event_type: 'gateway_started';
  pid: number;
  /**
   * The gateway's package version.
   */
  version?: string;
  /**
   * The config file, or <embedded demo>.
   */
  config?: string;
  /**
   * The configured servers' names.
   */
  servers: string[];
}
/**
 * A gateway (or monitor) run ended cleanly. A run that ends without one (the process was killed) ends at its last event.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "GatewayStopped".
 */
export interface GatewayStopped {
  event_type: 'gateway_stopped';
  uptime_seconds: number;
  /**
   * Why: a signal's name, or stop.
   */
  reason?: string;
}
/**
 * A breaker opened: calls are rejected (or fall back) until open_until, when it half-opens.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "CircuitOpened".
 */
export interface CircuitOpened {
  event_type: 'circuit_opened';
  server_name: string;
  /**
   * Which breaker: the server name, or server/tool for a per-tool breaker.
   */
  circuit: string;
  /**
   * The upstream tool, for a per-tool breaker.
   */
  tool?: string;
  reason: 'consecutive_failures' | 'failure_rate' | 'slow_call_rate' | 'probe_failed';
  /**
   * Consecutive ejections, this one included; the open time grows with it.
   */
  ejections: number;
  /**
   * How long it stays open (jitter applied).
   */
  open_ms: number;
  open_until?: string;
  consecutive_failures?: number;
  failure_rate?: number;
  slow_call_rate?: number;
  /**
   * Calls in the window when it tripped.
   */
  calls?: number;
}
/**
 * The open time passed (a timer, with or without traffic): up to probes calls are admitted to test the upstream.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "CircuitHalfOpened".
 */
export interface CircuitHalfOpened {
  event_type: 'circuit_half_opened';
  server_name: string;
  /**
   * Which breaker: the server name, or server/tool for a per-tool breaker.
   */
  circuit: string;
  /**
   * The upstream tool, for a per-tool breaker.
   */
  tool?: string;
  probes: number;
}
/**
 * A breaker closed: every probe succeeded, an operator released it, or the server answers again after a restart.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "CircuitClosed".
 */
export interface CircuitClosed {
  event_type: 'circuit_closed';
  server_name: string;
  /**
   * Which breaker: the server name, or server/tool for a per-tool breaker.
   */
  circuit: string;
  /**
   * The upstream tool, for a per-tool breaker.
   */
  tool?: string;
  /**
   * probes_succeeded: every half-open probe answered; operator: released by hand; server_recovered: the server answers again after a restart or an outage (a new session opened, or a good check), so its breaker closes at once.
   */
  reason: 'probes_succeeded' | 'operator' | 'server_recovered';
  /**
   * Past ejections still remembered; they decay while the circuit stays closed.
   */
  ejections?: number;
}
/**
 * An operator isolated the circuit: every call is rejected until it is released.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "CircuitIsolated".
 */
export interface CircuitIsolated {
  event_type: 'circuit_isolated';
  server_name: string;
  /**
   * Which breaker: the server name, or server/tool for a per-tool breaker.
   */
  circuit: string;
  /**
   * The upstream tool, for a per-tool breaker.
   */
  tool?: string;
  reason: string;
}
/**
 * The breaker records and reports but never rejects (dry run).
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "CircuitMetricsOnly".
 */
export interface CircuitMetricsOnly {
  event_type: 'circuit_metrics_only';
  server_name: string;
  /**
   * Which breaker: the server name, or server/tool for a per-tool breaker.
   */
  circuit: string;
  /**
   * The upstream tool, for a per-tool breaker.
   */
  tool?: string;
  reason?: string;
}
/**
 * A metrics-only breaker would have opened.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "CircuitThresholdExceeded".
 */
export interface CircuitThresholdExceeded {
  event_type: 'circuit_threshold_exceeded';
  server_name: string;
  /**
   * Which breaker: the server name, or server/tool for a per-tool breaker.
   */
  circuit: string;
  /**
   * The upstream tool, for a per-tool breaker.
   */
  tool?: string;
  reason: 'consecutive_failures' | 'failure_rate' | 'slow_call_rate';
  consecutive_failures?: number;
  failure_rate?: number;
  slow_call_rate?: number;
  calls?: number;
}
/**
 * A retry starts, delay_ms after the attempt before it failed (the retry budget had room).
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "RetryAttempted".
 */
export interface RetryAttempted {
  event_type: 'retry_attempted';
  server_name: string;
  /**
   * The attempt about to start.
   */
  attempt: number;
  delay_ms: number;
  /**
   * Why the previous attempt failed.
   */
  reason: string;
  /**
   * What the upstream asked for with Retry-After, if it did.
   */
  retry_after_ms?: number;
  /**
   * The MCP method of the call, e.g. tools/call.
   */
  method?: string;
  /**
   * The upstream tool, for tools/call.
   */
  tool?: string;
}
/**
 * A retry was not made: the upstream's retries in flight reached max(budget_min, budget_ratio x active calls).
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "RetryBudgetExhausted".
 */
export interface RetryBudgetExhausted {
  event_type: 'retry_budget_exhausted';
  server_name: string;
  active_calls: number;
  retries_in_flight: number;
  limit: number;
  /**
   * The MCP method of the call, e.g. tools/call.
   */
  method?: string;
  /**
   * The upstream tool, for tools/call.
   */
  tool?: string;
}
/**
 * A call was refused at once: max_concurrent calls were running and max_queue waiting.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "BulkheadRejected".
 */
export interface BulkheadRejected {
  event_type: 'bulkhead_rejected';
  server_name: string;
  max_concurrent: number;
  max_queue: number;
  /**
   * The MCP method of the call, e.g. tools/call.
   */
  method?: string;
  /**
   * The upstream tool, for tools/call.
   */
  tool?: string;
}
/**
 * An attempt or a whole call passed its deadline and was aborted.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "CallTimedOut".
 */
export interface CallTimedOut {
  event_type: 'call_timed_out';
  server_name: string;
  scope: 'attempt' | 'call';
  timeout_ms: number;
  attempt?: number;
  /**
   * The MCP method of the call, e.g. tools/call.
   */
  method?: string;
  /**
   * The upstream tool, for tools/call.
   */
  tool?: string;
}
/**
 * A read-only call was slower than the observed percentile: a second attempt was started beside it.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "HedgeFired".
 */
export interface HedgeFired {
  event_type: 'hedge_fired';
  server_name: string;
  delay_ms: number;
  percentile?: number;
  /**
   * The MCP method of the call, e.g. tools/call.
   */
  method?: string;
  /**
   * The upstream tool, for tools/call.
   */
  tool?: string;
}
/**
 * An alternative of a fallback chain is tried because the one before it could not answer.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "FallbackUsed".
 */
export interface FallbackUsed {
  event_type: 'fallback_used';
  server_name: string;
  /**
   * The alternative that failed.
   */
  from: string;
  /**
   * The alternative tried next.
   */
  to: string;
  /**
   * The error code of the failed alternative.
   */
  reason: string;
  /**
   * More than half of the chain was ejected, so every alternative is tried regardless of its breaker.
   */
  panic?: boolean;
  /**
   * The MCP method of the call, e.g. tools/call.
   */
  method?: string;
  /**
   * The upstream tool, for tools/call.
   */
  tool?: string;
}
/**
 * Every alternative of a fallback chain failed.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "FallbackExhausted".
 */
export interface FallbackExhausted {
  event_type: 'fallback_exhausted';
  server_name: string;
  /**
   * @minItems 1
   */
  attempts: [
    {
      name: string;
      code?: string;
      message: string;
      [k: string]: unknown;
    },
    ...{
      name: string;
      code?: string;
      message: string;
      [k: string]: unknown;
    }[]
  ];
  panic?: boolean;
  /**
   * The MCP method of the call, e.g. tools/call.
   */
  method?: string;
  /**
   * The upstream tool, for tools/call.
   */
  tool?: string;
}
/**
 * A tool's definition (name, description, inputSchema, outputSchema, annotations) is approved and pinned by its hash: the first time the server lists the tool (unless approval is required), or again when the server goes back to the pinned definition (which ends a pending change). RFC 0017.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ToolPinned".
 */
export interface ToolPinned {
  event_type: 'tool_pinned';
  server_name: string;
  /**
   * The tool's upstream name.
   */
  tool: string;
  /**
   * sha256 of the canonical JSON (sorted keys) of the definition.
   */
  hash: string;
  /**
   * The definition pinned, so a later change can be shown as a diff.
   */
  definition: {};
}
/**
 * A server listed a tool whose definition is not its pinned one (or a new tool where approval is required): the tool, not the server, is quarantined (not listed, calls refused) until an operator approves it (selfheal approve SERVER TOOL). RFC 0017.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ToolDefinitionChanged".
 */
export interface ToolDefinitionChanged {
  event_type: 'tool_definition_changed';
  server_name: string;
  tool: string;
  /**
   * The hash of the definition listed now.
   */
  hash: string;
  /**
   * The pinned hash; absent for a new tool held for approval.
   */
  previous_hash?: string;
  /**
   * The definition listed now.
   */
  definition: {};
  /**
   * One line per changed field, by JSON pointer: '~ /description: "old" -> "new"', '+ /path: value', '- /path: value'.
   */
  diff: string[];
  /**
   * changed: the pinned definition changed; new_tool, new_server: approval is required for it.
   */
  reason?: 'changed' | 'new_tool' | 'new_server';
}
/**
 * An operator approved a tool's pending definition: it is pinned and served again. RFC 0017.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ToolApproved".
 */
export interface ToolApproved {
  event_type: 'tool_approved';
  server_name: string;
  tool: string;
  /**
   * The definition now pinned.
   */
  hash: string;
  /**
   * Who acted: the name the operator gave, else uid and pid of the caller ("uid 1000 (pid 4242)").
   */
  operator?: string;
  /**
   * The user id of the process that sent the control request, as it reported it.
   */
  operator_uid?: number;
  /**
   * The process id of the process that sent the control request, as it reported it.
   */
  operator_pid?: number;
}
/**
 * A server's trust score moved into another step (trust.step wide). The score routing and quarantine use is the last of these. RFC 0017.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "TrustChanged".
 */
export interface TrustChanged {
  event_type: 'trust_changed';
  server_name: string;
  score: number;
  /**
   * The score of the previous trust_changed (neutral before the first).
   */
  previous: number;
  /**
   * What moved it: call_ok, call_failed, slow_call, check_ok, check_failed, incident, recovery, protocol_violation, definition_changed, or released (evidence cleared when a quarantine ends).
   */
  signal: string;
}
/**
 * A server's trust fell below trust.quarantine_below: its tools are hidden or refused (trust.quarantine) until a probation of good checks or an operator (selfheal approve SERVER). RFC 0017.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ServerQuarantined".
 */
export interface ServerQuarantined {
  event_type: 'server_quarantined';
  server_name: string;
  score: number;
  threshold: number;
  /**
   * The signal that took it below.
   */
  reason?: string;
}
/**
 * A server left quarantine, after trust.probation_checks good checks in a row or by an operator; its evidence starts again from neutral. RFC 0017.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ServerReleased".
 */
export interface ServerReleased {
  event_type: 'server_released';
  server_name: string;
  by: 'probation' | 'operator';
  /**
   * Good checks in a row, for probation.
   */
  checks?: number;
  /**
   * Who acted: the name the operator gave, else uid and pid of the caller ("uid 1000 (pid 4242)").
   */
  operator?: string;
  /**
   * The user id of the process that sent the control request, as it reported it.
   */
  operator_uid?: number;
  /**
   * The process id of the process that sent the control request, as it reported it.
   */
  operator_pid?: number;
}
/**
 * A server broke the protocol: a tool result that does not conform to the tool's outputSchema (output_schema), or a message that is not JSON-RPC (invalid_message: a line on a stdio server's stdout, an HTTP answer or SSE event). Each one is a protocol_violation trust signal; repeats of the same kind (and tool) within a minute are neither logged nor counted. RFC 0017.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ProtocolViolation".
 */
export interface ProtocolViolation {
  event_type: 'protocol_violation';
  server_name: string;
  kind: 'output_schema' | 'invalid_message';
  /**
   * The tool's upstream name (output_schema).
   */
  tool?: string;
  /**
   * The hash of the definition whose outputSchema the result was checked against (output_schema).
   */
  hash?: string;
  /**
   * What was wrong: the first schema error (JSON pointer, expected, found), or why the message is not JSON-RPC.
   */
  error: string;
  /**
   * What the client got (output_schema): a tool error in its place, or the result as sent (trust.on_violation).
   */
  action?: 'error' | 'pass';
}
/**
 * One downstream request finished, after every policy (retries, hedge, fallback). Published on the bus for every call; the JSONL log may keep only a sample or a summary of successful ones. Never carries arguments or results.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "CallCompleted".
 */
export interface CallCompleted {
  event_type: 'call_completed';
  /**
   * The server that answered, or the first one tried when none did.
   */
  server_name: string;
  /**
   * The MCP method, e.g. tools/call.
   */
  method: string;
  /**
   * The exposed tool name, for tools/call.
   */
  tool?: string;
  latency_ms: number;
  /**
   * Upstream attempts made, hedges and fallbacks included.
   */
  attempts: number;
  /**
   * ok; tool_error (the tool answered isError); error; timeout; rejected (breaker open, bulkhead full, server down); cancelled by the client.
   */
  outcome: 'ok' | 'tool_error' | 'error' | 'timeout' | 'rejected' | 'cancelled';
  /**
   * A stable code for a failed call.
   */
  error_code?: string;
  /**
   * Set when a fallback answered instead of the first choice.
   */
  fallback_server?: string;
  /**
   * The downstream session.
   */
  session_id?: string;
}
/**
 * A client session's link to a server broke under a request (its process exited, the server forgot the session: HTTP 404, the connection dropped), and the request was sent again, once, on a new session (a resend; not to be confused with the replay of a log).
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "RequestResent".
 */
export interface RequestResent {
  event_type: 'request_resent';
  server_name: string;
  /**
   * The MCP method, e.g. tools/call.
   */
  method: string;
  /**
   * The upstream tool, for tools/call.
   */
  tool?: string;
  /**
   * How the first session broke.
   */
  cause: string;
  /**
   * The client session the request came from, when it has an id (its trace_id is the call's).
   */
  session_id?: string;
  /**
   * answered: a result; error: any other error (the upstream's JSON-RPC error, the request timeout); failed: the new session broke too; aborted: the request was aborted meanwhile (the client cancelled it, or its attempt timed out or lost a hedge).
   */
  outcome: 'answered' | 'error' | 'failed' | 'aborted';
}
/**
 * @deprecated
 * The earlier name of request_resent, in logs written before the rename: read, never written.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "RequestReplayed".
 */
export interface RequestReplayed {
  event_type: 'request_replayed';
  server_name: string;
  /**
   * The MCP method, e.g. tools/call.
   */
  method: string;
  /**
   * The upstream tool, for tools/call.
   */
  tool?: string;
  /**
   * How the first session broke.
   */
  cause: string;
  /**
   * The client session the request came from, when it has an id (its trace_id is the call's).
   */
  session_id?: string;
  /**
   * answered: a result; error: any other error (the upstream's JSON-RPC error, the request timeout); failed: the new session broke too; aborted: the request was aborted meanwhile (the client cancelled it, or its attempt timed out or lost a hedge).
   */
  outcome: 'answered' | 'error' | 'failed' | 'aborted';
}
/**
 * The gateway took a new config (the file changed, or SIGHUP): servers whose entry changed were restarted, added ones started, removed ones stopped; every other server, session and call in flight went on untouched.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ConfigReloaded".
 */
export interface ConfigReloaded {
  event_type: 'config_reloaded';
  /**
   * The config file.
   */
  source: string;
  /**
   * file: the file changed; signal: SIGHUP; request: an embedder asked.
   */
  trigger?: 'file' | 'signal' | 'request';
  added: ServerNames;
  removed: ServerNames;
  restarted: ServerNames1;
  /**
   * Changed settings a reload cannot apply (the listening address, auth, the event log), as config paths such as gateway.port; they keep their old values until the gateway restarts.
   */
  restart_required?: string[];
}
/**
 * A new config was refused (unreadable, or invalid against the config schema): the gateway keeps running on the config it had.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ConfigReloadFailed".
 */
export interface ConfigReloadFailed {
  event_type: 'config_reload_failed';
  /**
   * The config file.
   */
  source: string;
  trigger?: 'file' | 'signal' | 'request';
  /**
   * What is wrong, each problem with its JSON pointer and the fix.
   */
  error: string;
}
/**
 * A client did not read one of its streams and the bytes waiting for it passed gateway.max_client_buffer_bytes: the gateway closed that stream (or WebSocket connection) rather than buffer without bound.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "ClientDropped".
 */
export interface ClientDropped {
  event_type: 'client_dropped';
  /**
   * post: the SSE answer of a POST to /mcp; get: the session's GET stream of /mcp; health_stream: a WS /health/stream connection.
   */
  stream: 'post' | 'get' | 'health_stream';
  /**
   * The MCP session, for post and get.
   */
  session_id?: string;
  /**
   * The client's address and port, e.g. 127.0.0.1:53122.
   */
  client?: string;
  /**
   * Bytes waiting to be sent when it was dropped, the message that did not fit included.
   */
  pending_bytes: number;
  limit_bytes: number;
}
/**
 * The calls of one server, tool and method over a window, written to the JSONL log in place of their call_completed events: counts are exact over every call; of each kind of call that is not a plain success (see kinds), only the first in the window is also logged as its own call_completed.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "CallSummary".
 */
export interface CallSummary {
  event_type: 'call_summary';
  server_name: string;
  /**
   * The exposed tool name, for tools/call.
   */
  tool?: string;
  /**
   * The MCP method, e.g. tools/call.
   */
  method: string;
  window_start: string;
  window_ms: number;
  /**
   * Calls in the window, every outcome.
   */
  calls: number;
  /**
   * Calls by outcome (ok, tool_error, error, timeout, rejected, cancelled).
   */
  counts: {
    [k: string]: number;
  };
  /**
   * Each kind of call in the window that is not a plain success (failed, refused, timed out, served by a fallback): exact counts, and exemplars. The first call of each kind in the window is also logged as its own call_completed; the others only here.
   */
  kinds?: {
    outcome: string;
    error_code?: string;
    fallback_server?: string;
    calls: number;
    /**
     * Trace ids of the kind's first calls in the window (a few).
     */
    trace_ids: string[];
  }[];
  /**
   * Latency over the window's calls, nearest-rank percentiles.
   */
  latency_ms: {
    p50: number;
    p95: number;
    p99: number;
    max: number;
  };
}
/**
 * An alert rule's condition holds for a server (or for the gateway, without server_name): one alert is open for the rule and server until alert_resolved. Its notice is delivered to each sink in sinks; alert_delivered or a final alert_delivery_failed per sink ends each delivery, so a log tells which deliveries are still owed (RFC 0015).
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "AlertFired".
 */
export interface AlertFired {
  event_type: 'alert_fired';
  /**
   * Names this alert from fire to resolve; the PagerDuty dedup_key and the webhook's alert.id.
   */
  alert_id: string;
  /**
   * The rule's name under alerts.rules.
   */
  rule: string;
  rule_type: 'down' | 'recovery_exhausted' | 'flapping' | 'event' | 'slo_burn' | 'test';
  severity: 'critical' | 'error' | 'warning' | 'info';
  /**
   * One line for a person.
   */
  summary: string;
  /**
   * The sinks the notice goes to (none: recorded only).
   */
  sinks: string[];
  /**
   * What the rule saw (counts, burn rates, the matched event).
   */
  details?: {};
}
/**
 * The condition of an open alert cleared: its resolve notice goes to the same sinks as its alert_fired.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "AlertResolved".
 */
export interface AlertResolved {
  event_type: 'alert_resolved';
  /**
   * The alert_id of its alert_fired.
   */
  alert_id: string;
  rule: string;
  summary: string;
  sinks: string[];
  /**
   * Time since its alert_fired.
   */
  open_seconds?: number;
}
/**
 * A sink took one notice (a 2xx answer, or a command's exit code 0).
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "AlertDelivered".
 */
export interface AlertDelivered {
  event_type: 'alert_delivered';
  alert_id: string;
  /**
   * event_id of the alert_fired or alert_resolved delivered; with sink, names the delivery.
   */
  notice_id: string;
  action: 'trigger' | 'resolve';
  sink: string;
  attempt: number;
  /**
   * The HTTP status, or the command's exit code.
   */
  status?: number;
  latency_ms?: number;
}
/**
 * One delivery attempt failed. Unless final, it is tried again after retry_in_ms; final: the sink refused it for good (an HTTP 4xx other than 408 and 429) or it was owed longer than alerts.delivery.give_up_after_seconds.
 *
 * This interface was referenced by `SelfhealEvent`'s JSON-Schema
 * via the `definition` "AlertDeliveryFailed".
 */
export interface AlertDeliveryFailed {
  event_type: 'alert_delivery_failed';
  alert_id: string;
  notice_id: string;
  action: 'trigger' | 'resolve';
  sink: string;
  attempt: number;
  error: string;
  /**
   * The HTTP status or exit code, when there was one.
   */
  status?: number;
  final: boolean;
  retry_in_ms?: number;
}

// --- config ---
/**
 * One rule. down: a server down longer than after_seconds (default 60). recovery_exhausted: recovery gave up and the server waits for an operator. flapping: incidents server_down events within window_seconds (default 3 in 600). event: any event type in fire_on, until one in clear_on or resolve_after_seconds (quarantine, tool definition changes). slo_burn: multi-window burn rate of an objective.
 *
 * This interface was referenced by `SelfhealConfig`'s JSON-Schema
 * via the `definition` "AlertRule".
 */
export type AlertRule = AlertRuleFields;
/**
 * The fields of a rule for one server; type is the rule's.
 *
 * This interface was referenced by `SelfhealConfig`'s JSON-Schema
 * via the `definition` "AlertRuleOverride".
 */
export type AlertRuleOverride = AlertRuleFields;

/**
 * Gateway and monitor configuration, JSON or YAML. Servers use the mcpServers shape desktop MCP clients already use, so an existing config can be pasted; Selfheal's own sections sit beside it, globally and per server (a per-server section overrides the global one key by key). A running gateway reloads the file when it changes or on SIGHUP (RFC 0019).
 */
export interface SelfhealConfig {
  $schema?: string;
  /**
   * Upstream MCP servers by name.
   */
  mcpServers: {
    [k: string]: ServerConfig;
  };
  health_check?: HealthCheckConfig;
  recovery?: RecoveryConfig;
  resilience?: ResilienceConfig;
  event_emission?: EventEmissionConfig;
  gateway?: GatewayConfig;
  trust?: TrustConfig;
  alerts?: AlertsConfig;
  /**
   * Tool-level fallback chains: exposed tool name -> exposed tool names tried in order.
   */
  fallbacks?: {
    /**
     * @minItems 1
     */
    [k: string]: [string, ...string[]];
  };
}
/**
 * One upstream: command/args/env for stdio, url/headers for Streamable HTTP or SSE. Keys other desktop clients add (autoApprove, timeout, ...) are allowed and ignored.
 *
 * This interface was referenced by `SelfhealConfig`'s JSON-Schema
 * via the `definition` "Server".
 */
export interface ServerConfig {
  /**
   * Transport. Default: stdio with command, streamable-http with url.
   */
  type?: 'stdio' | 'http' | 'streamable-http' | 'sse';
  command?: string;
  args?: string[];
  env?: {
    [k: string]: string;
  };
  /**
   * stdio: the working folder of the process, relative to the config file's folder. Default: the config file's folder.
   */
  cwd?: string;
  url?: string;
  headers?: {
    [k: string]: string;
  };
  /**
   * Where the W3 /health endpoint is. Default for HTTP servers: /health on the url's origin; stdio servers have none unless given (a side port).
   */
  health_url?: string;
  /**
   * Namespace for this server's tools and prompts. Default: the server's name; "" exposes names unchanged.
   */
  prefix?: string;
  disabled?: boolean;
  tools?: {
    /**
     * Only these upstream tool names (globs with *) are exposed.
     */
    allow?: string[];
    /**
     * These upstream tool names (globs with *) are hidden.
     */
    deny?: string[];
  };
  /**
   * Other servers, in order, on which the same tool name is tried when this one cannot answer.
   */
  fallback?: string[];
  /**
   * How clients reach this server. shared: every client's requests go over the gateway's one connection to it (one process for a stdio server); a client gets a session of its own only where it keeps per-session state there (a log level, resource subscriptions). per_client: every client gets a session of its own (a process each for a stdio server), for servers that keep per-client state, or that send requests (sampling, elicitation, roots) over stdio or legacy SSE while several calls are in flight (over Streamable HTTP such a request goes to the call whose stream carried it).
   */
  session?: 'shared' | 'per_client';
  health_check?: HealthCheckConfig;
  recovery?: RecoveryConfig;
  resilience?: ResilienceConfig;
  trust?: TrustConfig;
  [k: string]: unknown;
}
/**
 * How servers are watched. Environment overrides: SELFHEAL_HEALTH_INTERVAL, SELFHEAL_HEALTH_TIMEOUT, SELFHEAL_FAILURE_THRESHOLD, SELFHEAL_SUCCESS_THRESHOLD.
 *
 * This interface was referenced by `SelfhealConfig`'s JSON-Schema
 * via the `definition` "HealthCheck".
 */
export interface HealthCheckConfig {
  enabled?: boolean;
  /**
   * Time between checks of a healthy server.
   */
  interval_seconds?: number;
  /**
   * Time between checks while a server is failing; capped at interval_seconds, so a failing server is never checked less often than a healthy one.
   */
  unhealthy_interval_seconds?: number;
  /**
   * Each interval is randomised by up to this fraction.
   */
  jitter?: number;
  timeout_seconds?: number;
  /**
   * Consecutive failed checks before a server is down.
   */
  failure_threshold?: number;
  /**
   * Consecutive good checks before a failing server is ok again.
   */
  success_threshold?: number;
  /**
   * Failed checks in this window after a (re)start do not count.
   */
  startup_grace_seconds?: number;
  /**
   * A /health timestamp older than this is a failed check.
   */
  stale_after_seconds?: number;
  /**
   * Which probes run. Default: http when a health URL is known, ping, and process for stdio servers.
   */
  probes?: ('http' | 'ping' | 'tools' | 'process')[];
}
/**
 * What happens when a server is down. After max_attempts failed recoveries the server waits for an operator (recovery_exhausted).
 *
 * This interface was referenced by `SelfhealConfig`'s JSON-Schema
 * via the `definition` "Recovery".
 */
export interface RecoveryConfig {
  strategy?: 'restart' | 'command' | 'manual';
  /**
   * The operator's recovery command (strategy: command), run with a shell.
   */
  command?: string;
  command_timeout_seconds?: number;
  max_attempts?: number;
  backoff?: {
    initial_seconds?: number;
    multiplier?: number;
    max_seconds?: number;
  };
  /**
   * Between SIGTERM and SIGKILL when restarting a stdio server.
   */
  stop_grace_seconds?: number;
  /**
   * Stable time after which the attempt counter resets.
   */
  reset_after_seconds?: number;
  /**
   * A server that had been up and answering at least this long when it went down (a crash, or failed checks) is recovered at once: the backoff wait before that first attempt is skipped; a failed attempt and every later one wait as the backoff says. 0: always at once.
   */
  stable_after_seconds?: number;
}
/**
 * Policies applied to every upstream call.
 *
 * This interface was referenced by `SelfhealConfig`'s JSON-Schema
 * via the `definition` "Resilience".
 */
export interface ResilienceConfig {
  /**
   * false: calls go to the upstream with no policy at all (no timeouts but the gateway's request timeout, no retries, breaker, bulkhead or hedging), for measuring and debugging.
   */
  enabled?: boolean;
  /**
   * Deadline for a whole call, retries included.
   */
  timeout_ms?: number;
  /**
   * Deadline for one attempt.
   */
  attempt_timeout_ms?: number;
  retry?: {
    /**
     * Attempts including the first.
     */
    max_attempts?: number;
    initial_delay_ms?: number;
    max_delay_ms?: number;
    jitter?: 'full' | 'decorrelated' | 'none';
    /**
     * Retries in flight at most max(budget_min, ratio x active calls).
     */
    budget_ratio?: number;
    budget_min?: number;
  };
  circuit_breaker?: {
    enabled?: boolean;
    /**
     * With isolate_tools false: one breaker per tool (server/tool) instead of one per server, counting every failure.
     */
    per_tool?: boolean;
    /**
     * A tool's own failures (timeouts, errors, slow calls) open a breaker of that tool (server/tool) only; transport failures (connection refused or lost, process exited) and failures of calls that name no tool (lists, reads) open the server's breaker. false: one breaker counts everything (per server, or per tool with per_tool).
     */
    isolate_tools?: boolean;
    /**
     * Trips after this many failures in a row.
     */
    consecutive_failures?: number;
    failure_rate_threshold?: number;
    slow_call_rate_threshold?: number;
    slow_call_ms?: number;
    /**
     * Calls in the sliding count window.
     */
    window_size?: number;
    minimum_calls?: number;
    /**
     * Outcomes older than this leave the window, so an idle period never trips the breaker on stale failures; 0 keeps them until newer calls push them out.
     */
    window_ms?: number;
    /**
     * Open time after the first ejection; it doubles with each consecutive ejection up to max_open_ms.
     */
    open_ms?: number;
    max_open_ms?: number;
    /**
     * Each open time is shortened by up to this fraction, at random, so breakers do not half-open in step.
     */
    open_jitter?: number;
    /**
     * Each period this long that the circuit stays closed forgets one past ejection, so the open time shrinks again.
     */
    ejection_decay_ms?: number;
    /**
     * Calls admitted while half-open; all must succeed to close. Other calls are rejected (or fall back).
     */
    half_open_probes?: number;
    /**
     * Record and report (circuit_threshold_exceeded) but never reject: a dry run.
     */
    metrics_only?: boolean;
  };
  bulkhead?: {
    max_concurrent?: number;
    max_queue?: number;
  };
  hedge?: {
    /**
     * Only read-only tools are ever hedged.
     */
    enabled?: boolean;
    percentile?: number;
    /**
     * Latencies observed before the percentile is trusted and hedging starts.
     */
    min_samples?: number;
  };
  /**
   * Per-tool overrides, only in a server's section: the tool's name as the server names it -> a resilience section merged over the global and server sections key by key. A tool whose section sets circuit_breaker or bulkhead gets a breaker (server/tool) or a bulkhead of its own; otherwise it shares the server's. The retry budget is always the server's.
   */
  tools?: {
    [k: string]: ResilienceConfig;
  };
}
/**
 * Trust scores, quarantine and tool pinning (RFC 0017). score = (prior_weight * neutral + good) / (prior_weight + good + bad), where good and bad are the weighted signals of the server's record, each halved every half_life_seconds. Per server, each key overrides the global one.
 *
 * This interface was referenced by `SelfhealConfig`'s JSON-Schema
 * via the `definition` "Trust".
 */
export interface TrustConfig {
  /**
   * Score servers, route by trust and quarantine below quarantine_below. Tool pinning is pin_tools.
   */
  enabled?: boolean;
  /**
   * The score of a server with no record; scores decay back to it.
   */
  neutral?: number;
  /**
   * How much evidence the neutral prior weighs: the larger, the slower a score moves.
   */
  prior_weight?: number;
  /**
   * Evidence halves every this many seconds, so a score decays toward neutral.
   */
  half_life_seconds?: number;
  /**
   * A trust_changed event is written each time a score enters another step of this width; routing and quarantine read the score of the last one.
   */
  step?: number;
  /**
   * A call slower than this many times the server's own latency baseline counts as slow_call.
   */
  latency_factor?: number;
  /**
   * Evidence weight of each signal.
   */
  weights?: {
    /**
     * A call answered (good).
     */
    call_ok?: number;
    /**
     * A call failed: an error, a timeout, a lost connection (bad).
     */
    call_failed?: number;
    /**
     * A call slower than latency_factor times the server's own baseline (bad).
     */
    slow_call?: number;
    /**
     * A health check passed (good).
     */
    check_ok?: number;
    /**
     * A health check failed (bad).
     */
    check_failed?: number;
    /**
     * The server went down (bad).
     */
    incident?: number;
    /**
     * The server recovered (good).
     */
    recovery?: number;
    /**
     * A tool result that breaks its tool's outputSchema, or lacks the structuredContent it declares (bad).
     */
    protocol_violation?: number;
    /**
     * A message from the server that is not JSON-RPC, such as a stray line on a stdio server's stdout; at most one a minute is counted (bad).
     */
    invalid_message?: number;
    /**
     * A pinned tool definition changed (bad).
     */
    definition_changed?: number;
  };
  /**
   * In a fallback chain, a later server goes first when its score beats an earlier one's by more than this; otherwise config order stands.
   */
  routing_margin?: number;
  /**
   * A server whose score falls below this is quarantined (server_quarantined); 0 never quarantines.
   */
  quarantine_below?: number;
  /**
   * What a quarantined server's tools do: hide (left out of tools/list, clients told with list_changed) or refuse (listed; calls answered with an error naming the reason and the operator command).
   */
  quarantine?: 'hide' | 'refuse';
  /**
   * Good health checks in a row that end a quarantine (server_released); an operator ends it with selfheal approve SERVER.
   */
  probation_checks?: number;
  /**
   * What the client gets for a tool result that breaks the tool's outputSchema (or lacks the structuredContent it declares): error (a tool error naming the server, the tool and the first schema error) or pass (the result as the server sent it). Either way the violation is logged (protocol_violation) and lowers the server's trust.
   */
  on_violation?: 'error' | 'pass';
  /**
   * Pin each tool's definition (name, description, inputSchema, outputSchema, annotations) by hash when first approved; a changed definition quarantines that tool until selfheal approve SERVER TOOL.
   */
  pin_tools?: boolean;
  /**
   * Hold definitions nobody approved yet until an operator approves them.
   */
  require_approval?: {
    /**
     * Every tool of a server with no pins yet waits for approval.
     */
    new_servers?: boolean;
    /**
     * A tool new to a server that has pins waits for approval.
     */
    new_tools?: boolean;
  };
}
/**
 * Where events go.
 *
 * This interface was referenced by `SelfhealConfig`'s JSON-Schema
 * via the `definition` "EventEmission".
 */
export interface EventEmissionConfig {
  enabled?: boolean;
  /**
   * JSONL log, relative to the config file.
   */
  path?: string;
  /**
   * per_event: fsync before an event is acknowledged; batched: fsync at least every flush_interval_ms; none: leave it to the OS.
   */
  durability?: 'per_event' | 'batched' | 'none';
  flush_interval_ms?: number;
  /**
   * Rotate when the file passes this size; 0 never.
   */
  rotate_max_bytes?: number;
  /**
   * Rotate when the file is this old; 0 never.
   */
  rotate_max_age_seconds?: number;
  /**
   * The repo field of emitted events.
   */
  repo?: string;
  nats?: NatsEmissionConfig;
}
/**
 * Replicas sharing events and health through a NATS JetStream stream (RFC 0018). Every event also goes to the stream, at least once, deduplicated by event_id; the JSONL log is the spool while NATS is unreachable.
 *
 * This interface was referenced by `SelfhealConfig`'s JSON-Schema
 * via the `definition` "NatsEmission".
 */
export interface NatsEmissionConfig {
  /**
   * NATS server URLs, e.g. nats://127.0.0.1:4222.
   *
   * @minItems 1
   */
  servers: [string, ...string[]];
  /**
   * The JetStream stream; created when missing.
   */
  stream?: string;
  /**
   * Each replica publishes on <subject>.<replica>.
   */
  subject?: string;
  /**
   * A NATS credentials (.creds) file, relative to the config file.
   */
  credentials?: string;
  /**
   * This replica's name, in the replica field of its events. Default: the SELFHEAL_REPLICA environment variable, else the host name and process id.
   */
  replica?: string;
  /**
   * The stream's duplicate window when Selfheal creates it: a re-sent event_id within it is stored once.
   */
  duplicate_window_ms?: number;
  /**
   * Remote (HTTP) servers are probed and recovered by one replica at a time, the holder of a lease; when it dies another holds the lease within this time.
   */
  lease_ttl_ms?: number;
}
/**
 * This interface was referenced by `SelfhealConfig`'s JSON-Schema
 * via the `definition` "Gateway".
 */
export interface GatewayConfig {
  host?: string;
  port?: number;
  /**
   * Between prefix and name in exposed tool and prompt names. An exposed name longer than 64 characters keeps the tool's name whole and cuts the prefix, marked with a 6-digit hash of the full name.
   */
  separator?: string;
  on_collision?: 'error' | 'first_wins';
  /**
   * While a server is down: keep its tools listed and answer calls with a clear error, or hide them.
   */
  degradation?: 'list_with_error' | 'hide';
  auth?: {
    /**
     * Name of an environment variable holding the bearer token.
     */
    token_env?: string;
    /**
     * File holding one bearer token per line.
     */
    token_file?: string;
  };
  /**
   * Host headers accepted. Default: localhost names for the bound port.
   */
  allowed_hosts?: string[];
  allowed_origins?: string[];
  max_body_bytes?: number;
  /**
   * Bytes the gateway holds unsent for one client stream (an SSE answer, the GET stream of /mcp, a /health/stream connection); a client that does not read past this is dropped (client_dropped event).
   */
  max_client_buffer_bytes?: number;
  /**
   * Sessions clients get of their own with a server (see a server's session).
   */
  client_sessions?: {
    /**
     * At most this many open with one server; a request that needs one more gets an error naming the bound.
     */
    max_per_server?: number;
    /**
     * Closed after this long with no request in flight and no resource subscription; reopened on the client's next request with its log level and subscriptions.
     */
    idle_timeout_seconds?: number;
  };
}
/**
 * Rules on the event stream and the sinks their notices go to (RFC 0015). One alert is open per rule and server until its condition clears, then one resolve.
 *
 * This interface was referenced by `SelfhealConfig`'s JSON-Schema
 * via the `definition` "Alerts".
 */
export interface AlertsConfig {
  enabled?: boolean;
  /**
   * Rules by name; each applies to every server unless a server's entry in servers turns it off or changes it.
   */
  rules?: {
    [k: string]: AlertRule;
  };
  /**
   * Where notices go, by name.
   */
  sinks?: {
    [k: string]: AlertSink;
  };
  /**
   * Per-server overrides: server name -> rule name -> false (off for this server) or fields replacing the rule's (not its type).
   */
  servers?: {
    [k: string]: {
      [k: string]: false | AlertRuleOverride;
    };
  };
  /**
   * How notices are delivered; a sink may set its own timeout_seconds and rate_limit.
   */
  delivery?: {
    /**
     * Deadline of one attempt (an HTTP request, a command).
     */
    timeout_seconds?: number;
    /**
     * Backoff between attempts of one notice: initial x multiplier^n up to max, with up to 20% jitter.
     */
    retry?: {
      initial_seconds?: number;
      multiplier?: number;
      max_seconds?: number;
    };
    /**
     * A notice still undelivered this long after it was fired is given up (a final alert_delivery_failed).
     */
    give_up_after_seconds?: number;
    rate_limit?: AlertRateLimit;
  };
}
/**
 * This interface was referenced by `SelfhealConfig`'s JSON-Schema
 * via the `definition` "AlertRuleFields".
 */
export interface AlertRuleFields {
  type?: 'down' | 'recovery_exhausted' | 'flapping' | 'event' | 'slo_burn';
  enabled?: boolean;
  severity?: 'critical' | 'error' | 'warning' | 'info';
  /**
   * Names under alerts.sinks. Default: every sink.
   */
  sinks?: string[];
  /**
   * down: fires once a server has been down this long.
   */
  after_seconds?: number;
  /**
   * flapping: this many server_down events within window_seconds.
   */
  incidents?: number;
  /**
   * flapping: the window.
   */
  window_seconds?: number;
  /**
   * event: event types that open the alert (for the server in their server_name).
   *
   * @minItems 1
   */
  fire_on?: [string, ...string[]];
  /**
   * event: event types that resolve it.
   */
  clear_on?: string[];
  /**
   * event: resolved this long after the last matching event, if no clear_on event came first. Default 3600.
   */
  resolve_after_seconds?: number;
  /**
   * slo_burn: call_success counts call_completed outcomes (ok is good); availability counts health checks (down is bad).
   */
  objective?: 'call_success' | 'availability';
  /**
   * slo_burn: the objective, e.g. 0.999; the error budget is 1 - target.
   */
  target?: number;
  /**
   * slo_burn: fires while, for any entry, the burn rate over both long_seconds and short_seconds is at least burn_rate. Default: the SRE workbook's 14.4 over 1 h and 5 min, 6 over 6 h and 30 min (critical), 1 over 3 days and 6 h (warning).
   *
   * @minItems 1
   */
  windows?: [
    {
      long_seconds: number;
      short_seconds: number;
      burn_rate: number;
      severity?: 'critical' | 'error' | 'warning' | 'info';
    },
    ...{
      long_seconds: number;
      short_seconds: number;
      burn_rate: number;
      severity?: 'critical' | 'error' | 'warning' | 'info';
    }[]
  ];
  /**
   * slo_burn: a window with fewer events (calls or checks) never fires. Default 10.
   */
  min_events?: number;
}
/**
 * webhook: JSON POST signed with HMAC-SHA256 (X-Selfheal-Signature) when secret_env is set. slack: an incoming webhook. pagerduty: Events API v2 (trigger and resolve by dedup_key). command: a shell command given the notice as JSON on stdin.
 *
 * This interface was referenced by `SelfhealConfig`'s JSON-Schema
 * via the `definition` "AlertSink".
 */
export interface AlertSink {
  type: 'webhook' | 'slack' | 'pagerduty' | 'command';
  /**
   * webhook, slack: where to POST; pagerduty: default https://events.pagerduty.com/v2/enqueue.
   */
  url?: string;
  /**
   * The name of an environment variable holding the url (a Slack webhook URL is a secret).
   */
  url_env?: string;
  /**
   * webhook: the name of an environment variable holding the HMAC-SHA256 key.
   */
  secret_env?: string;
  /**
   * pagerduty: the name of an environment variable holding the integration's routing key.
   */
  routing_key_env?: string;
  /**
   * webhook: extra request headers.
   */
  headers?: {
    [k: string]: string;
  };
  /**
   * pagerduty: payload.source. Default: the server's name, else selfheal.
   */
  source?: string;
  /**
   * command: run with a shell; the notice is its stdin; exit code 0 is delivered.
   */
  command?: string;
  /**
   * Overrides delivery.timeout_seconds.
   */
  timeout_seconds?: number;
  rate_limit?: AlertRateLimit;
}
/**
 * At most max notices per per_seconds to one sink; more wait their turn (none is dropped).
 *
 * This interface was referenced by `SelfhealConfig`'s JSON-Schema
 * via the `definition` "AlertRateLimit".
 */
export interface AlertRateLimit {
  max?: number;
  per_seconds?: number;
}
