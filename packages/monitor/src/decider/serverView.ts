/**
 * What the decider reads of one server's projected state. It is the shape of the events
 * package's `ServerHealth` (the projection's per-server record), narrowed to the fields a
 * decision needs: the decider never keeps state of its own.
 */
export interface ServerView {
  server_name: string;
  status: 'ok' | 'degraded' | 'down' | 'unknown';
  lifecycle: 'starting' | 'running' | 'recovering' | 'failed' | 'disabled';
  consecutive_failures: number;
  consecutive_successes: number;
  consecutive_ok: number;
  last_check_status?: 'ok' | 'degraded' | 'down';
  error?: string;
  recovery_attempts: number;
  requires_manual: boolean;
  /** Timestamp (ISO 8601) of the last change of `status`. */
  status_since?: string;
}
