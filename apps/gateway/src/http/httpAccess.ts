import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewaySettings } from '../config/loadConfig.js';
import {
  cookieCredential,
  dashboardCredential,
  dashboardLogin,
  isDashboardPath,
} from './dashboard.js';
import { sendReply } from './httpReply.js';
import { jsonRpcErrorBody } from './jsonRpcBody.js';
import {
  createBearerCheck,
  createOriginPolicy,
  createSecretCheck,
  type OriginPolicy,
  rebindingViolation,
} from './security.js';

/** Why a request is turned away, as an HTTP status and reason. */
export interface Refusal {
  status: number;
  reason: string;
}

/**
 * Who may use the gateway's guarded paths: the DNS-rebinding check (Host and Origin) and the
 * bearer tokens, with the dashboard's cookie as a second credential for the dashboard's paths.
 * One object, because the origin policy changes once the bound port is known and every check
 * (requests, the health stream's upgrades, the dashboard login) must read the same one.
 */
export interface HttpAccess {
  /** Whether tokens are configured (`/mcp` is open without them). */
  readonly authRequired: boolean;
  /** Why `req` for `path` is refused, or undefined when it may pass. */
  refuse(req: IncomingMessage, path: string): Refusal | undefined;
  /**
   * Answers a refused request (a page telling a browser how to log in for `/`, a JSON-RPC
   * error otherwise) and returns true; returns false and writes nothing when it may pass.
   */
  turnAway(req: IncomingMessage, res: ServerResponse, path: string): boolean;
  /** `GET /?token=T`: sets the dashboard's cookie when T is a token (see `dashboardLogin`). */
  login(req: IncomingMessage, res: ServerResponse, url: URL): void;
  /** Accepts the bound port in Host and Origin from now on (port 0 is known only after listen). */
  bindPort(port: number): void;
}

const BEARER_CHALLENGE = { 'www-authenticate': 'Bearer realm="selfheal"' };

/** The access check for `tokens` ([] leaves everything but the rebinding check open). */
export function createHttpAccess(tokens: readonly string[], settings: GatewaySettings): HttpAccess {
  const isAuthorized = createBearerCheck(tokens);
  const isToken = (token: string) => isAuthorized(`Bearer ${token}`);
  const authRequired = tokens.length > 0;
  const isDashboardCredential = createSecretCheck(tokens.map(dashboardCredential));
  let policy: OriginPolicy = createOriginPolicy(settings, settings.port);
  /** Whether `req` carries the dashboard's cookie, which opens the dashboard's paths only. */
  const hasDashboardCookie = (req: IncomingMessage, path: string) => {
    if (!isDashboardPath(path)) return false;
    const credential = cookieCredential(req.headers.cookie, req.socket.localPort);
    return credential !== undefined && isDashboardCredential(credential);
  };
  const refuse = (req: IncomingMessage, path: string): Refusal | undefined => {
    const violation = rebindingViolation(req, policy);
    if (violation) return { status: 403, reason: `Forbidden: ${violation}` };
    // The dashboard's browser cannot send a header on a page load or a WebSocket: it sends the
    // credential `/?token=` set as a cookie.
    if (authRequired && !isAuthorized(req.headers.authorization) && !hasDashboardCookie(req, path))
      return { status: 401, reason: 'Unauthorized: send Authorization: Bearer <token>' };
    return undefined;
  };
  return {
    authRequired,
    refuse,
    turnAway(req, res, path) {
      const refusal = refuse(req, path);
      if (!refusal) return false;
      if (refusal.status === 401 && path === '/') {
        sendReply(
          res,
          401,
          'text/plain; charset=utf-8',
          'This gateway requires a token (gateway.auth): open /?token=YOUR_TOKEN once; the page keeps it in a cookie.\n',
          BEARER_CHALLENGE,
        );
        return true;
      }
      sendReply(res, refusal.status, 'application/json', jsonRpcErrorBody(-32000, refusal.reason), {
        ...(refusal.status === 401 ? BEARER_CHALLENGE : {}),
      });
      return true;
    },
    login(req, res, url) {
      dashboardLogin(req, res, url, isToken, policy);
    },
    bindPort(port) {
      policy = createOriginPolicy(settings, port);
    },
  };
}
