import type { ProbeKind } from '../config/registry.js';

/** What one probe saw; the fields of a `health_check_completed` event. */
export interface ProbeResult {
  probe: ProbeKind;
  /** `ok`, `degraded` (a warning, never a restart) or `down` (a failed check). */
  status: 'ok' | 'degraded' | 'down';
  /** Wall time the probe took, ms. */
  response_time_ms: number;
  /** Why the check failed or warned; absent when ok. */
  error?: string;
  /** Component statuses the server reported (`/health` `checks`). */
  checks?: Record<string, 'ok' | 'degraded' | 'down'>;
  /** tools/list only: how many tools the server listed. */
  tool_count?: number;
}

/** A probe of one server: resolves to a result and never rejects (failure is a `down` result). */
export type Probe = (signal?: AbortSignal) => Promise<ProbeResult>;
