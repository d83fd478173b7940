import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthEndpoint } from '@selfheal/health-endpoint';
import type { ControlReply, ControlRequest } from '@selfheal/monitor';
import { GatewayError, GatewayErrorCode, WireErrorCode } from '../errors.js';
import type { Gateway } from '../gateway.js';
import { createClientDropReport } from './clientDrops.js';
import {
  createDashboard,
  type Dashboard,
  type DashboardEvents,
  dashboardHistory,
} from './dashboard.js';
import { createGatewayHealth } from './gatewayHealth.js';
import { createGatewayHealthStream } from './gatewayHealthStream.js';
import { createHttpAccess, type HttpAccess } from './httpAccess.js';
import { sendReply, sendRpcError } from './httpReply.js';
import { type McpEndpoint, serveMcp } from './mcpEndpoint.js';
import { createMcpSessions, registerSessionGauge } from './mcpSessions.js';
import { serveProbe } from './probes.js';

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  gateway: Gateway;
  /** Bearer tokens; [] leaves `/mcp` open (the default on 127.0.0.1). */
  tokens: readonly string[];
  /** Where request-handling failures are reported (never on the wire in detail). */
  onError?: (error: unknown) => void;
  /**
   * A session with no request and no open stream for this long is closed, with its upstream
   * sessions (stdio processes): clients that vanish without DELETE must not leak them.
   * @default 1800000 (30 min)
   */
  idleSessionMs?: number;
  /**
   * `WS /health/stream`: a client whose unsent data passes this many bytes is dropped.
   * @default the config's gateway.max_client_buffer_bytes
   */
  streamMaxBufferedBytes?: number;
  /** Lines for the operator (a client dropped for not reading), newline-terminated. */
  log?: (line: string) => void;
  /** The event log's active file, which the dashboard reads back (with its segments). */
  eventLogPath?: string | undefined;
  /**
   * In a fleet (RFC 0018): the events of the shared stream, the dashboard's history instead of
   * the log (see `dashboardHistory`); undefined while NATS is not reached.
   */
  fleetEvents?: (() => Promise<DashboardEvents | undefined>) | undefined;
  /**
   * Answers the dashboard's operator actions (the control socket's handler); without it the
   * page offers none.
   */
  operator?: ((request: ControlRequest) => Promise<ControlReply>) | undefined;
}

/** The gateway's HTTP face: `/mcp`, `/health`, `/metrics` (and the WebSocket stream later). */
export interface GatewayHttpServer {
  /** Binds `gateway.host:port` (port 0: a free one) and resolves to the URL of `/mcp`. */
  listen(): Promise<{ url: string; port: number }>;
  /** Open MCP sessions. */
  readonly sessionCount: number;
  /** Closes every session and the listener. Idempotent. */
  close(): Promise<void>;
}

/** What a request's routing reads, made once per HTTP server. */
interface HttpRoutes {
  gateway: Gateway;
  health: HealthEndpoint;
  access: HttpAccess;
  dashboard: Dashboard;
  mcp: McpEndpoint;
}

/** Creates the HTTP server; nothing listens before `listen()`. */
export function createHttpServer(options: HttpServerOptions): GatewayHttpServer {
  const { gateway } = options;
  const settings = gateway.config.gateway;
  const limit = settings.maxClientBufferBytes;
  const access = createHttpAccess(options.tokens, settings);
  const dropped = createClientDropReport(gateway, options.log);
  const sessions = createMcpSessions(gateway.clock, options.idleSessionMs ?? 30 * 60 * 1000);
  registerSessionGauge(gateway.metrics.registry, sessions);
  const stream = createGatewayHealthStream(gateway, {
    refuse: (req) => access.refuse(req, '/health/stream'),
    maxBufferedBytes: options.streamMaxBufferedBytes ?? limit,
    dropped,
  });
  const routes: HttpRoutes = {
    gateway,
    health: createGatewayHealth(gateway),
    access,
    dashboard: createDashboard({
      mode: 'live',
      act: options.operator,
      events: dashboardHistory({ stream: options.fleetEvents, logPath: options.eventLogPath }),
    }),
    mcp: {
      gateway,
      sessions,
      maxBodyBytes: settings.maxBodyBytes,
      maxBufferedBytes: limit,
      dropped,
    },
  };
  let server: Server | undefined;

  return {
    get sessionCount() {
      return sessions.size;
    },
    listen() {
      return new Promise((resolve, reject) => {
        const s = createServer((req, res) => {
          req.on('error', () => {});
          handleRequest(routes, req, res).catch((error) => {
            options.onError?.(error);
            sendRpcError(res, 500, WireErrorCode.InternalError, 'Internal error');
          });
        });
        server = s;
        s.on('upgrade', (req, socket, head) => {
          const path = new URL(req.url ?? '/', 'http://gateway').pathname;
          if (path === '/health/stream') stream.handleUpgrade(req, socket, head);
          else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        });
        s.once('error', (cause) =>
          reject(
            new GatewayError(
              GatewayErrorCode.ListenFailed,
              `cannot listen on ${settings.host}:${settings.port}: ${(cause as Error).message}`,
              { cause },
            ),
          ),
        );
        s.listen(settings.port, settings.host, () => {
          const { port } = s.address() as AddressInfo;
          access.bindPort(port);
          const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
          sessions.startSweep();
          resolve({ url: `http://${host}:${port}/mcp`, port });
        });
      });
    },
    async close() {
      await sessions.closeAll();
      stream.close();
      const s = server;
      server = undefined;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
  };
}

/**
 * One request, routed by path: the open paths first (`/health`, the probes, the dashboard's
 * login), then the access check, then `/mcp`, the roll-up, the dashboard and `/metrics`.
 */
async function handleRequest(
  routes: HttpRoutes,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { gateway, access } = routes;
  // W3 contract: /health is open, no auth, no Host check (monitors use any name for it).
  if (routes.health.handle(req, res)) return;
  const url = new URL(req.url ?? '/', 'http://gateway');
  const path = url.pathname;
  if (serveProbe(gateway, req, res, path)) return;
  if (access.authRequired && path === '/' && url.searchParams.has('token')) {
    access.login(req, res, url);
    return;
  }
  if (access.turnAway(req, res, path)) return;
  if (path === '/mcp') return serveMcp(routes.mcp, req, res);
  if (path === '/health/ecosystem' && (req.method === 'GET' || req.method === 'HEAD')) {
    sendReply(res, 200, 'application/json', JSON.stringify(gateway.ecosystem()), {
      'cache-control': 'no-store',
    });
    return;
  }
  if (await routes.dashboard.handle(req, res, path)) return;
  if (path === '/metrics' && req.method === 'GET') {
    const body = await gateway.metrics.render();
    sendReply(res, 200, gateway.metrics.contentType, body, { 'cache-control': 'no-store' });
    return;
  }
  sendReply(res, 404, 'application/json', JSON.stringify({ error: `no route for ${path}` }));
}
