import type { McpServer, RequestStateCodec } from '@modelcontextprotocol/server';

/** A list whose change the trigger tools announce. */
export type ChangedList = 'tools' | 'prompts';

/** What the feature modules need from their host besides the server they register on. */
export interface FeatureContext {
  /** Waits `ms` milliseconds; the pauses between progress and log notifications. */
  sleep(ms: number): Promise<void>;
  /** Seals and verifies `requestState` across multi-round-trip requests (HMAC, TTL). */
  stateCodec: RequestStateCodec<Record<string, unknown>>;
  /**
   * Announces that a list changed: on 2026-07-28 HTTP to the open `subscriptions/listen`
   * streams, on a 2025-11-25 session or a stdio connection on that connection.
   */
  notifyChanged(list: ChangedList, server: McpServer): void;
}
