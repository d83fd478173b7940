// Composition: one upstream's whole stack, from options or from the config section

// Time, events and errors
export { type Clock, systemClock, type TimerHandle } from '@selfheal/internal';
// Retry: backoff, Retry-After, the classifier and the per-upstream budget
export { type Backoff, type BackoffOptions, createBackoff, type JitterKind } from './backoff.js';
// Timeout, bulkhead, hedging and fallback chains
export { type Bulkhead, type BulkheadOptions, createBulkhead } from './bulkhead.js';
// Call context handed through every policy to the operation, and its cancellation
export { type CancelScope, LinkedScope, NEVER_CANCELLED, scopeOf } from './cancelScope.js';
// Circuit breaker: the live breaker, its pure state fold and its count window
export {
  type CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitMetrics,
  createCircuitBreaker,
} from './circuitBreaker.js';
export {
  type CircuitMode,
  type CircuitState,
  ejectionsAt,
  evolveCircuit,
  foldCircuit,
  initialCircuitState,
  isCircuitEvent,
  openDuration,
} from './circuitState.js';
export {
  type BreakerOutcome,
  type Classifier,
  classifyError,
  JsonRpcCode,
  NEVER_SENT_CODES,
  type Verdict,
} from './classify.js';
export { abortError, sleep } from './clock.js';
export {
  createPolicyFromConfig,
  policyOptionsFromConfig,
  type ResolvedResilienceConfig,
  resilienceDefaults,
  resolveResilienceConfig,
} from './config.js';
export {
  type AttemptInfo,
  type CallContext,
  type CallInit,
  type CallMeta,
  type ContextChanges,
  deriveContext,
  isIdempotentCall,
  isReadOnlyCall,
  type Operation,
  type ToolAnnotations,
  toContext,
} from './context.js';
export {
  createPolicy,
  type PolicyOptions,
  type PolicyShare,
  type UpstreamPolicy,
} from './createPolicy.js';
export {
  type AttemptFailure,
  describeError,
  isResilienceError,
  ResilienceError,
  ResilienceErrorCode,
  rejectionError,
} from './errors.js';
export {
  type CircuitEvent,
  createEmitter,
  type Emitter,
  type EmitterOptions,
  type EventBody,
  type EventEnvelope,
  type EventSink,
  type ResilienceEvent,
  type ResilienceEventBody,
  type ResilienceEventHandler,
} from './events.js';
export {
  createFallbackChain,
  type FallbackAlternative,
  type FallbackChain,
  type FallbackOptions,
  shouldFallBack,
} from './fallback.js';
export { createHedgePolicy, type HedgeOptions, type HedgePolicy } from './hedge.js';
export {
  createLatencyTracker,
  type LatencyTracker,
  type LatencyTrackerOptions,
} from './latencyTracker.js';
export { createOutcomeWindow, type OutcomeWindow, type WindowCounts } from './outcomeWindow.js';
export { type Policy, wrap } from './policy.js';
export { createRetryPolicy, type RetryOptions, type RetryStop } from './retry.js';
export { parseRetryAfter, retryAfterOf } from './retryAfter.js';
export { createRetryBudget, type RetryBudget, type RetryBudgetOptions } from './retryBudget.js';
export { type Runtime, type RuntimeOptions, resolveRuntime } from './runtime.js';
export { createTimeoutPolicy, type TimeoutOptions } from './timeout.js';
// Trust (RFC 0017): tool definitions as pinned, and the trust score of a server
export {
  canonicalJson,
  diffToolDefinitions,
  hashToolDefinition,
  PINNED_TOOL_FIELDS,
  type ToolDefinition,
  toolDefinitionOf,
} from './toolDefinition.js';
export { withToolPolicies } from './toolPolicies.js';
export {
  addSignal,
  decayEvidence,
  emptyEvidence,
  GOOD_SIGNALS,
  TRUST_SIGNALS,
  type TrustEvidence,
  type TrustScoreOptions,
  type TrustSignal,
  trustScore,
  trustScoreDefaults,
  trustStep,
} from './trustScore.js';
