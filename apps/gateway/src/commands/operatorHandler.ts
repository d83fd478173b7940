import { type ControlReply, type ControlRequest, operatorOf } from '@selfheal/monitor';
import { GatewayError } from '../errors.js';
import type { Gateway } from '../gateway.js';
import type { CliIO } from '../io.js';
import { type GatewayControl, openGatewayControl } from './controlSocket.js';

/**
 * Answers the operator requests of a gateway's control socket with its in-process monitor
 * (`gateway.monitor.control`). The socket opens before the gateway starts its servers, so
 * while `started()` is false only `status` is answered: a `reset` or `enable` then would start
 * a process that the start-up is about to start too.
 */
export function createOperatorHandler(
  gateway: Gateway,
  started: () => boolean,
): (request: ControlRequest) => Promise<ControlReply> {
  return async (request) => {
    if (!started() && request.action !== 'status')
      return { ok: false, error: 'the gateway is still starting its servers; try again shortly' };
    if (request.action === 'approve') return approve(gateway, request);
    return gateway.monitor.control(request);
  };
}

/**
 * `approve SERVER [TOOL]` (RFC 0017): pins a held tool's listed definition, or ends a server's
 * quarantine (and approves its held tools). The reply's state is the server's trust after it.
 */
function approve(gateway: Gateway, request: ControlRequest): ControlReply {
  const server = request.server!;
  if (!gateway.upstreams.some((u) => u.spec.name === server))
    return {
      ok: false,
      error: `no server named "${server}" in this gateway (servers: ${gateway.upstreams.map((u) => u.spec.name).join(', ')})`,
    };
  try {
    const done = gateway.trust.approve(server, request.tool, {
      operator: operatorOf(request),
      ...(request.uid === undefined ? {} : { operator_uid: request.uid }),
      ...(request.pid === undefined ? {} : { operator_pid: request.pid }),
    });
    return { ok: true, state: { approved: done, [server]: gateway.trust.state().servers[server] } };
  } catch (error) {
    if (error instanceof GatewayError) return { ok: false, error: error.message };
    throw error;
  }
}

/**
 * Opens the control socket of the gateway that `selfheal <command>` runs, answered by
 * {@link createOperatorHandler}. When it cannot (another gateway or monitor answers there),
 * prints why, stops the gateway and resolves to `undefined`.
 */
export async function openOperatorControl(
  command: 'start' | 'stdio',
  gateway: Gateway,
  args: { control?: string | undefined; config?: string | undefined },
  started: () => boolean,
  io: CliIO,
): Promise<GatewayControl | undefined> {
  try {
    return await openGatewayControl({
      control: args.control,
      configFile: args.config,
      handle: createOperatorHandler(gateway, started),
    });
  } catch (error) {
    io.stderr(`selfheal ${command}: ${(error as Error).message}\n`);
    await gateway.stop();
    return undefined;
  }
}
