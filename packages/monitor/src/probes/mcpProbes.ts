import type { Client } from '@modelcontextprotocol/client';
import type { Clock } from '@selfheal/internal';
import { monitorClock } from '../clock.js';
import { LIBRARY_DEFAULTS } from '../config/libraryDefaults.js';
import { errorMessage } from '../errors.js';
import { isSessionExpired } from '../session/mcpSession.js';
import type { ProbeResult } from './probeResult.js';

/** Options shared by the MCP probes. */
export interface McpProbeOptions {
  /** Deadline of one check, ms. @default 5000 */
  timeoutMs?: number;
  /** @default monitorClock */
  clock?: Clock;
  /**
   * Called when the check failed because the server no longer knows the session (HTTP 404):
   * the owner of the session may open a new one and check again before counting a failure.
   */
  onSessionExpired?: () => void;
}

/**
 * MCP `ping` over a live session: `ok` when the server answers within the deadline, `down`
 * otherwise (a hung process stays alive but stops answering). Never rejects.
 */
export function createPingProbe(
  client: () => Client | undefined,
  options: McpProbeOptions = {},
): (signal?: AbortSignal) => Promise<ProbeResult> {
  return (signal) =>
    withDeadline(
      'ping',
      options,
      signal,
      async (s, current) => {
        await current.ping({ signal: s, timeout: 2 ** 31 - 1 });
        return { status: 'ok' };
      },
      client,
    );
}

/**
 * The deep check: `tools/list` answers and is not empty when it was not before
 * (`previousToolCount()` > 0). The result carries `tool_count` so the next check can compare.
 * Never rejects.
 */
export function createToolsProbe(
  client: () => Client | undefined,
  previousToolCount: () => number | undefined,
  options: McpProbeOptions = {},
): (signal?: AbortSignal) => Promise<ProbeResult> {
  return (signal) =>
    withDeadline(
      'tools',
      options,
      signal,
      async (s, current) => {
        const { tools } = await current.listTools(undefined, { signal: s, timeout: 2 ** 31 - 1 });
        const before = previousToolCount() ?? 0;
        if (tools.length === 0 && before > 0) {
          return {
            status: 'down',
            error: `tools/list is empty (it listed ${before} before)`,
            tool_count: 0,
          };
        }
        return { status: 'ok', tool_count: tools.length };
      },
      client,
    );
}

// The SDK's own request timeout uses the real timer; ours runs on the injected clock, so the
// edges (just before and just after the deadline) are testable. The SDK's is set out of reach.
async function withDeadline(
  probe: 'ping' | 'tools',
  options: McpProbeOptions,
  signal: AbortSignal | undefined,
  run: (
    signal: AbortSignal,
    client: Client,
  ) => Promise<Omit<ProbeResult, 'probe' | 'response_time_ms'>>,
  client: () => Client | undefined,
): Promise<ProbeResult> {
  const clock = options.clock ?? monitorClock;
  const timeoutMs = options.timeoutMs ?? LIBRARY_DEFAULTS.health_check.timeout_seconds * 1000;
  const started = clock.now();
  const done = (fields: Omit<ProbeResult, 'probe' | 'response_time_ms'>): ProbeResult => ({
    probe,
    response_time_ms: Math.max(0, clock.now() - started),
    ...fields,
  });
  const current = client();
  if (!current) return done({ status: 'down', error: 'no MCP session' });
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let timer: unknown;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = clock.setTimeout(() => {
      const error = new Error(
        `${probe === 'ping' ? 'ping' : 'tools/list'}: no answer within ${timeoutMs} ms`,
      );
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return done(await Promise.race([run(controller.signal, current), deadline]));
  } catch (error) {
    if (isSessionExpired(error)) options.onSessionExpired?.();
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    const message = errorMessage(reason);
    return done({
      status: 'down',
      error: message.startsWith(probe === 'ping' ? 'ping' : 'tools/list')
        ? message
        : `${probe === 'ping' ? 'ping' : 'tools/list'}: ${message}`,
    });
  } finally {
    clock.clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
