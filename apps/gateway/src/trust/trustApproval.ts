import type { EventInput, KnownEventType, ServerTrust } from '@selfheal/events';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import type { Approver } from './trustGuard.js';

/** What an approval reads and where it writes (the trust guard's). */
export interface ApprovalHost {
  /** The server's projected trust now (pins included). */
  server(name: string): ServerTrust | undefined;
  /** Builds and publishes one event; the projection has applied it when this returns. */
  publish<T extends KnownEventType>(type: T, fields: EventInput<T>): unknown;
  /** Ends a quarantine now, naming who; false when the server was not quarantined. */
  release(server: string, by: Approver): boolean;
  /** The server's score as last logged. */
  score(server: string): number;
  /** Tells the list listeners that the server's listed tools changed. */
  changed(server: string): void;
}

/**
 * `selfheal approve SERVER [TOOL]`: pins the tool's pending definition, or (without a tool)
 * ends the server's quarantine and approves every held tool of it.
 * @throws GatewayError(NO_ROUTE) when there is nothing to approve, naming what there is.
 */
export function approveTrust(
  host: ApprovalHost,
  server: string,
  tool: string | undefined,
  by: Approver,
): Record<string, unknown> {
  return tool === undefined ? approveServer(host, server, by) : approveTool(host, server, tool, by);
}

function approveTool(
  host: ApprovalHost,
  server: string,
  tool: string,
  by: Approver,
): Record<string, unknown> {
  const s = host.server(server);
  const pin = s?.tools[tool];
  if (!pin?.pending) {
    const held = Object.entries(s?.tools ?? {})
      .filter(([, p]) => p.pending)
      .map(([t]) => t);
    throw new GatewayError(
      GatewayErrorCode.NoRoute,
      `nothing to approve: tool "${tool}" of server "${server}" ${pin ? 'is served at its approved definition' : 'was never listed'}${held.length > 0 ? `; tools of "${server}" waiting for approval: ${held.join(', ')}` : ''}`,
    );
  }
  host.publish('tool_approved', { server_name: server, tool, hash: pin.pending.hash, ...by });
  host.changed(server);
  return { server, tool, hash: pin.pending.hash };
}

function approveServer(host: ApprovalHost, server: string, by: Approver): Record<string, unknown> {
  const s = host.server(server);
  const wasQuarantined = host.release(server, by);
  const approved: string[] = [];
  for (const [t, pin] of Object.entries(s?.tools ?? {})) {
    if (!pin.pending) continue;
    host.publish('tool_approved', { server_name: server, tool: t, hash: pin.pending.hash, ...by });
    approved.push(t);
  }
  if (!wasQuarantined && approved.length === 0)
    throw new GatewayError(
      GatewayErrorCode.NoRoute,
      `nothing to approve: server "${server}" is not quarantined and has no tool waiting for approval (score ${host.score(server)})`,
    );
  host.changed(server);
  return { server, released: wasQuarantined, tools: approved };
}
