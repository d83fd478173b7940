import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway } from '../gateway.js';
import { sendReply } from './httpReply.js';

/**
 * Orchestrator probes, open like `/health` (a kubelet sends no token and the pod's address as
 * Host): `GET /livez`, the process answers; `GET /readyz`, the config is loaded and every server
 * was started (up or not: the monitor heals the rest), so traffic may come (RFC 0020). Returns
 * false, writing nothing, for any other request.
 */
export function serveProbe(
  gateway: Gateway,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): boolean {
  if ((path !== '/livez' && path !== '/readyz') || (req.method !== 'GET' && req.method !== 'HEAD'))
    return false;
  const ready = path === '/livez' || gateway.ready;
  const up = gateway.upstreams.filter((u) => u.state.status === 'up').length;
  sendReply(
    res,
    ready ? 200 : 503,
    'application/json',
    JSON.stringify(
      path === '/livez'
        ? { status: 'ok' }
        : {
            status: ready ? 'ready' : 'not_ready',
            servers: { total: gateway.upstreams.length, up },
          },
    ),
    { 'cache-control': 'no-store' },
  );
  return true;
}
