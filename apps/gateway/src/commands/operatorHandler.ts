import type { ControlReply, ControlRequest } from '@selfheal/monitor';
import type { Gateway } from '../gateway.js';

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
