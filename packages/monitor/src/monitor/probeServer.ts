import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Clock } from '../clock.js';
import type { MonitoredServer } from '../config/registry.js';
import { createHttpProbe } from '../probes/httpProbe.js';
import { createPingProbe, createToolsProbe } from '../probes/mcpProbes.js';
import type { ProbeResult } from '../probes/probeResult.js';

const rank = { ok: 0, degraded: 1, down: 2 } as const;

/**
 * One health check of a server: every configured probe but `process` (exits are reported as
 * they happen), in order, folded into one result. The worst status wins and names the probe
 * and error; times add up; `checks` merge; `tool_count` comes from the tools probe. When only
 * `process` is configured, a live process is the check.
 */
export function createServerCheck(
  server: MonitoredServer,
  clock: Clock,
  session: () => Client | undefined,
  processAlive: () => boolean,
  previousToolCount: () => number | undefined,
): () => Promise<ProbeResult> {
  const timeoutMs = server.health.timeoutMs;
  const probes: (() => Promise<ProbeResult>)[] = [];
  for (const kind of server.health.probes) {
    if (kind === 'http' && server.healthUrl) {
      probes.push(
        createHttpProbe({
          url: server.healthUrl,
          timeoutMs,
          staleAfterMs: server.health.staleAfterMs,
          clock,
        }),
      );
    } else if (kind === 'ping') probes.push(createPingProbe(session, { timeoutMs, clock }));
    else if (kind === 'tools') {
      probes.push(createToolsProbe(session, previousToolCount, { timeoutMs, clock }));
    }
  }
  return async () => {
    if (probes.length === 0) {
      return processAlive()
        ? { probe: 'process', status: 'ok', response_time_ms: 0 }
        : { probe: 'process', status: 'down', response_time_ms: 0, error: 'no process' };
    }
    const results: ProbeResult[] = [];
    for (const probe of probes) results.push(await probe());
    let worst = results[0]!;
    for (const r of results) if (rank[r.status] > rank[worst.status]) worst = r;
    const combined: ProbeResult = {
      ...worst,
      response_time_ms: results.reduce((sum, r) => sum + r.response_time_ms, 0),
    };
    const checks = Object.assign({}, ...results.map((r) => r.checks ?? {}));
    if (Object.keys(checks).length > 0) combined.checks = checks;
    const tools = results.find((r) => r.tool_count !== undefined);
    if (tools) combined.tool_count = tools.tool_count!;
    return combined;
  };
}
