/**
 * What the gateway's building blocks apply when called without a value (an embedder that
 * builds an upstream or a session itself), each tied to the config key it stands for. They
 * equal the config schema's defaults: `libraryDefaults.test.ts` compares the two.
 */
export const GATEWAY_LIBRARY_DEFAULTS = {
  /** `resilience.timeout_ms`: an upstream's request deadline. */
  requestTimeoutMs: 30_000,
  /** `gateway.client_sessions.max_per_server`. */
  maxClientSessions: 64,
  /** `gateway.client_sessions.idle_timeout_seconds`, in ms. */
  clientSessionIdleMs: 300_000,
  /** `gateway.max_client_buffer_bytes`. */
  maxClientBufferBytes: 8_388_608,
} as const;
