import { decideCheck, decideStable, decideTransitions } from '../decider/decide.js';
import type { MonitorError } from '../errors.js';
import type { ProbeResult } from '../probes/probeResult.js';
import type { ServerContext } from './serverContext.js';

/**
 * Emits what the decider makes of one check's result finished at `now` (epoch ms): the
 * `health_check_completed` unless the start-up grace drops it, then the transitions and the
 * stable reset it leads to. Returns whether anything was emitted (a recovery may be due).
 */
export function recordCheck(
  ctx: ServerContext,
  result: ProbeResult,
  inGrace: boolean,
  now: number,
): boolean {
  const { server, events } = ctx;
  const drafts = decideCheck(server, result, inGrace);
  if (drafts.length === 0) return false;
  // A good check of a server that was ok all along closes whatever incident a stray failure opened.
  if (result.status === 'ok' && ctx.view().status === 'ok') events.endIncident();
  for (const draft of drafts) events.emit(draft);
  for (const draft of decideTransitions(server, ctx.view(), now)) events.emit(draft);
  for (const draft of decideStable(server, ctx.view(), now)) events.emit(draft);
  return true;
}

/**
 * The transport closed the session under the server (a line over the limit): a failed check
 * of the session's probe with the reason, counted as a broken pipe is.
 */
export function recordLostSession(ctx: ServerContext, lost: MonitorError): void {
  const { server, events } = ctx;
  const result: ProbeResult = {
    probe: sessionProbe(ctx),
    status: 'down',
    response_time_ms: 0,
    error: `server "${server.name}" ${lost.message}; its session was closed and a new one opens`,
  };
  for (const draft of decideCheck(server, result, false)) events.emit(draft);
  for (const draft of decideTransitions(server, ctx.view(), ctx.clock.now())) events.emit(draft);
}

/** Checks disabled: a running stdio process is the one good check there is. */
export function recordProcessUp(ctx: ServerContext): void {
  const { server, events } = ctx;
  events.emit({
    event_type: 'health_check_completed',
    server_name: server.name,
    probe: 'process',
    status: 'ok',
    response_time_ms: 0,
  });
  for (const draft of decideTransitions(server, ctx.view(), ctx.clock.now())) events.emit(draft);
}

/** The probe a failed MCP session stands for in a check. */
export function sessionProbe(ctx: ServerContext): 'ping' | 'tools' {
  return ctx.server.health.probes.includes('ping') ? 'ping' : 'tools';
}
