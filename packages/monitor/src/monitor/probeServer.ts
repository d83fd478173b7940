import type { Client } from '@modelcontextprotocol/client';
import type { Clock } from '@selfheal/internal';
import type { MonitoredServer } from '../config/registry.js';
import { createHttpProbe } from '../probes/httpProbe.js';
import { createPingProbe, createToolsProbe } from '../probes/mcpProbes.js';
import type { ProbeResult } from '../probes/probeResult.js';

const rank = { ok: 0, degraded: 1, down: 2 } as const;

/** A probe, or undefined from it when it does not apply to this server (see below). */
type MaybeProbe = () => Promise<ProbeResult | undefined>;

/**
 * One health check of a server: every configured probe but `process` (exits are reported as
 * they happen), in order, folded into one result. The worst status wins and names the probe
 * and error; times add up; `checks` merge; `tool_count` comes from the tools probe. When only
 * `process` is configured, a live process is the check.
 *
 * A `/health` URL the config did not give but the registry derived from the server's `url`
 * that answers 404 is taken as "this server has no W3 endpoint" (most MCP servers do not):
 * the http probe is dropped from then on and the other probes judge the server, unless it is
 * the only one. A configured `health_url` that answers 404 stays a failed check.
 */
export function createServerCheck(
  server: MonitoredServer,
  clock: Clock,
  session: () => Client | undefined,
  processAlive: () => boolean,
  previousToolCount: () => number | undefined,
  onSessionExpired?: () => void,
): () => Promise<ProbeResult> {
  const timeoutMs = server.health.timeoutMs;
  const mcp = { timeoutMs, clock, ...(onSessionExpired ? { onSessionExpired } : {}) };
  const probes: MaybeProbe[] = [];
  const others = server.health.probes.filter((p) => p === 'ping' || p === 'tools').length;
  for (const kind of server.health.probes) {
    if (kind === 'http' && server.healthUrl) {
      const http = createHttpProbe({
        url: server.healthUrl,
        timeoutMs,
        staleAfterMs: server.health.staleAfterMs,
        clock,
      });
      if (!server.healthUrlDerived || others === 0) {
        probes.push(http);
        continue;
      }
      let absent = false;
      probes.push(async () => {
        if (absent) return undefined;
        const result = await http();
        if (result.status === 'down' && /^HTTP 404\b/.test(result.error ?? '')) {
          absent = true;
          return undefined;
        }
        return result;
      });
    } else if (kind === 'ping') probes.push(createPingProbe(session, mcp));
    else if (kind === 'tools') {
      probes.push(createToolsProbe(session, previousToolCount, mcp));
    }
  }
  return async () => {
    if (probes.length === 0) {
      return processAlive()
        ? { probe: 'process', status: 'ok', response_time_ms: 0 }
        : { probe: 'process', status: 'down', response_time_ms: 0, error: 'no process' };
    }
    const results: ProbeResult[] = [];
    for (const probe of probes) {
      const result = await probe();
      if (result) results.push(result);
    }
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
