import type { ServerTrust, ToolPinState } from '@selfheal/events';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import { toolHeldReason } from './toolPins.js';
import type { TrustSettings } from './trustSettings.js';

/**
 * GatewayError(SERVER_QUARANTINED) for a server in quarantine (where trust is enabled): why, since
 * when, and how it is released; undefined when it may serve.
 */
export function serverRefusal(
  server: string,
  trust: ServerTrust | undefined,
  settings: TrustSettings,
): GatewayError | undefined {
  const q = trust?.quarantined;
  if (!q || !settings.enabled) return undefined;
  return new GatewayError(
    GatewayErrorCode.ServerQuarantined,
    `server "${server}" is quarantined since ${q.since}: its trust score ${q.score} fell below ${settings.quarantineBelow}${q.reason ? ` (last signal: ${q.reason})` : ''}; it is released after ${settings.probationChecks} good health checks in a row, or by \`selfheal approve ${server}\` on the gateway's host`,
    {
      data: { server, score: q.score, threshold: settings.quarantineBelow, since: q.since },
    },
  );
}

/**
 * GatewayError(TOOL_QUARANTINED) for a tool held by its pin (see `toolHeldReason`), with the
 * approved and listed hashes and the diff; undefined when it may be served.
 */
export function toolRefusal(
  server: string,
  tool: string,
  pin: ToolPinState | undefined,
): GatewayError | undefined {
  const message = toolHeldReason(server, tool, pin);
  if (message === undefined) return undefined;
  return new GatewayError(GatewayErrorCode.ToolQuarantined, message, {
    data: {
      server,
      tool,
      ...(pin?.hash === undefined ? {} : { approved_hash: pin.hash }),
      ...(pin?.pending ? { listed_hash: pin.pending.hash, diff: pin.pending.diff } : {}),
    },
  });
}
