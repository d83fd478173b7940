import type { ControlReply, ControlRequest } from '@selfheal/monitor';
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
    return gateway.monitor.control(request);
  };
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
