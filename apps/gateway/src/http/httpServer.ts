import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControlReply, ControlRequest } from '@selfheal/monitor';
import { Gauge } from 'prom-client';
import { GatewayError, GatewayErrorCode, WireErrorCode } from '../errors.js';
import type { Gateway } from '../gateway.js';
import type { GatewaySession } from '../session/gatewaySession.js';
import { isStatelessRequest } from '../stateless/envelope.js';
import {
  cookieCredential,
  createDashboard,
  type DashboardEvents,
  dashboardCredential,
  dashboardHistory,
  dashboardLogin,
  isDashboardPath,
} from './dashboard.js';
import { createGatewayHealth } from './gatewayHealth.js';
import { createHealthStream, type StreamEvent } from './healthStream.js';
import { containsInitialize, jsonRpcErrorBody, parseJsonRpcBody } from './jsonRpcBody.js';
import { NodeStreamableHttpTransport } from './nodeStreamableHttp.js';
import {
  BodyTooLargeError,
  createBearerCheck,
  createOriginPolicy,
  createSecretCheck,
  type OriginPolicy,
  readBody,
  rebindingViolation,
} from './security.js';
import { serveStatelessHttp } from './statelessHttp.js';

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

interface Entry {
  transport: NodeStreamableHttpTransport;
  session: GatewaySession;
  /** Epoch ms of the last request start or stream end. */
  lastSeen: number;
  /** Requests and streams (GET) of this session still open. */
  open: number;
}

/** The request's `MCP-Protocol-Version` header, if any. */
function protocolVersionOf(req: IncomingMessage): string | undefined {
  const value = req.headers['mcp-protocol-version'];
  return typeof value === 'string' ? value.trim() : undefined;
}

/** Creates the HTTP server; nothing listens before `listen()`. */
export function createHttpServer(options: HttpServerOptions): GatewayHttpServer {
  const { gateway } = options;
  const settings = gateway.config.gateway;
  const isAuthorized = createBearerCheck(options.tokens);
  const authRequired = options.tokens.length > 0;
  const sessions = new Map<string, Entry>();
  let policy: OriginPolicy = createOriginPolicy(settings, settings.port);
  let server: Server | undefined;
  const health = createGatewayHealth(gateway);
  const clock = gateway.clock;
  const isDashboardCredential = createSecretCheck(options.tokens.map(dashboardCredential));
  /** Whether `req` carries the dashboard's cookie, which opens the dashboard's paths only. */
  const hasDashboardCookie = (req: IncomingMessage, path: string) => {
    if (!isDashboardPath(path)) return false;
    const credential = cookieCredential(req.headers.cookie, req.socket.localPort);
    return credential !== undefined && isDashboardCredential(credential);
  };
  const refuse = (req: IncomingMessage, path: string) => {
    const violation = rebindingViolation(req, policy);
    if (violation) return { status: 403, reason: `Forbidden: ${violation}` };
    // The dashboard's browser cannot send a header on a page load or a WebSocket: it sends the
    // credential `/?token=` set as a cookie.
    if (authRequired && !isAuthorized(req.headers.authorization) && !hasDashboardCookie(req, path))
      return { status: 401, reason: 'Unauthorized: send Authorization: Bearer <token>' };
    return undefined;
  };
  const dashboard = createDashboard({
    mode: 'live',
    act: options.operator,
    events: dashboardHistory({ stream: options.fleetEvents, logPath: options.eventLogPath }),
  });
  const limit = settings.maxClientBufferBytes;
  // A client that does not read is dropped, never buffered for without bound (RFC 0006).
  const dropped = (
    drop: { stream: 'post' | 'get' | 'health_stream'; pendingBytes: number; limitBytes: number },
    who: { session_id?: string; client?: string },
  ) => {
    const name =
      who.session_id !== undefined ? `session ${who.session_id}` : `client ${who.client}`;
    const what =
      drop.stream === 'health_stream'
        ? 'WS /health/stream'
        : `${drop.stream.toUpperCase()} /mcp stream`;
    options.log?.(
      `selfheal: dropped ${name}: its ${what} had ${drop.pendingBytes} bytes unsent, over gateway.max_client_buffer_bytes (${drop.limitBytes}); the client must read its streams (it may reconnect)\n`,
    );
    try {
      gateway.bus.publish(
        gateway.events.clientDropped({
          stream: drop.stream,
          ...who,
          pending_bytes: drop.pendingBytes,
          limit_bytes: drop.limitBytes,
        }),
      );
    } catch {
      // A closed bus (the gateway stopping) has nobody left to tell.
    }
  };
  const stream = createHealthStream({
    events: {
      subscribe: (next) => gateway.shown$.subscribe((event) => next(event as StreamEvent)),
    },
    snapshot: () => ({
      timestamp: new Date(clock.now()).toISOString(),
      ecosystem: gateway.ecosystem(),
      servers: gateway.health().servers,
      // A page seeding its own projector needs them too (RFC 0018): see createHealthProjector.
      serving: gateway.serving(),
      trust: gateway.trust.state().servers,
    }),
    refuse: (req) => refuse(req, '/health/stream'),
    maxBufferedBytes: options.streamMaxBufferedBytes ?? limit,
    onDrop: ({ client, ...drop }) => dropped({ stream: 'health_stream', ...drop }, { client }),
  });
  gateway.metrics.registry.removeSingleMetric('selfheal_sessions');
  new Gauge({
    name: 'selfheal_sessions',
    help: 'Open MCP client sessions over HTTP.',
    registers: [gateway.metrics.registry],
    collect() {
      this.set(sessions.size);
    },
  });
  const idleMs = options.idleSessionMs ?? 30 * 60 * 1000;
  let sweepTimer: unknown;

  const track = (entry: Entry, res: ServerResponse) => {
    entry.open++;
    entry.lastSeen = clock.now();
    res.once('close', () => {
      entry.open--;
      entry.lastSeen = clock.now();
    });
  };
  const sweep = () => {
    const now = clock.now();
    for (const [id, entry] of sessions) {
      if (entry.open > 0 || now - entry.lastSeen < idleMs) continue;
      sessions.delete(id);
      void entry.transport.close().catch(() => {});
      void entry.session.close();
    }
    sweepTimer = clock.setTimeout(sweep, Math.min(idleMs, 60_000));
  };

  const send = (res: ServerResponse, status: number, type: string, body: string, headers = {}) => {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': type, ...headers });
    res.end(body);
  };
  const sendRpcError = (res: ServerResponse, status: number, code: number, message: string) =>
    send(res, status, 'application/json', jsonRpcErrorBody(code, message));

  const handleMcp = async (req: IncomingMessage, res: ServerResponse) => {
    const sessionId = req.headers['mcp-session-id'];
    const entry = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (sessionId !== undefined && !entry) {
      sendRpcError(
        res,
        404,
        -32001,
        'Session not found: it ended or never existed; initialize a new one',
      );
      return;
    }
    if (req.method === 'GET' || req.method === 'DELETE') {
      if (!entry && isStatelessRequest({}, protocolVersionOf(req))) {
        // 2026-07-28 has no sessions and no standalone stream: subscriptions/listen instead.
        send(
          res,
          405,
          'application/json',
          jsonRpcErrorBody(
            -32000,
            'Method not allowed: MCP 2026-07-28 has no GET stream or session to delete; POST subscriptions/listen instead',
          ),
          {
            allow: 'POST',
          },
        );
        return;
      }
      if (!entry) {
        sendRpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
        return;
      }
      track(entry, res);
      await entry.transport.handleRequest(req, res);
      return;
    }
    if (req.method !== 'POST') {
      send(res, 405, 'application/json', jsonRpcErrorBody(-32000, 'Method not allowed'), {
        allow: 'GET, POST, DELETE',
      });
      return;
    }
    let text: string;
    try {
      text = (await readBody(req, settings.maxBodyBytes)).toString('utf8');
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        res.setHeader('connection', 'close');
        sendRpcError(res, 413, WireErrorCode.InvalidRequest, `Request too large: ${error.message}`);
        return;
      }
      throw error;
    }
    const parsed = parseJsonRpcBody(text);
    if (!parsed.ok) {
      sendRpcError(res, parsed.status, parsed.code, parsed.message);
      return;
    }
    if (entry) {
      track(entry, res);
      await entry.transport.handleRequest(req, res, parsed.body);
      return;
    }
    const single = parsed.body as Record<string, unknown>;
    if (!Array.isArray(parsed.body) && isStatelessRequest(single, protocolVersionOf(req))) {
      await serveStatelessHttp(gateway.stateless, req, res, single, {
        maxBufferedBytes: limit,
        ondrop: (pendingBytes) =>
          dropped(
            { stream: 'post', pendingBytes, limitBytes: limit },
            { client: `${req.socket.remoteAddress ?? 'unknown'}:${req.socket.remotePort ?? 0}` },
          ),
      });
      return;
    }
    if (!containsInitialize(parsed.body)) {
      sendRpcError(res, 400, -32000, 'Bad Request: no Mcp-Session-Id; send initialize first');
      return;
    }
    const session = gateway.createSession();
    const created: Entry = {
      transport: undefined as never,
      session,
      lastSeen: clock.now(),
      open: 0,
    };
    const transport: NodeStreamableHttpTransport = new NodeStreamableHttpTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, created);
      },
      maxBufferedBytes: limit,
      ondrop: ({ sessionId: id, ...drop }) =>
        dropped(drop, {
          ...(id === undefined ? {} : { session_id: id }),
          client: `${req.socket.remoteAddress ?? 'unknown'}:${req.socket.remotePort ?? 0}`,
        }),
    });
    created.transport = transport;
    track(created, res);
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      void session.close();
    };
    await session.server.connect(transport);
    await transport.handleRequest(req, res, parsed.body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // W3 contract: /health is open, no auth, no Host check (monitors use any name for it).
    if (health.handle(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://gateway');
    const path = url.pathname;
    // Orchestrator probes, open like /health (a kubelet sends no token and the pod's address
    // as Host): livez, the process answers; readyz, the config is loaded and every server was
    // started (up or not: the monitor heals the rest), so traffic may come (RFC 0020).
    if (
      (path === '/livez' || path === '/readyz') &&
      (req.method === 'GET' || req.method === 'HEAD')
    ) {
      const ready = path === '/livez' || gateway.ready;
      const up = gateway.upstreams.filter((u) => u.state.status === 'up').length;
      send(
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
      return;
    }
    if (authRequired && path === '/' && url.searchParams.has('token')) {
      dashboardLogin(req, res, url, (token) => isAuthorized(`Bearer ${token}`), policy);
      return;
    }
    const refusal = refuse(req, path);
    if (refusal?.status === 401 && path === '/') {
      send(
        res,
        401,
        'text/plain; charset=utf-8',
        'This gateway requires a token (gateway.auth): open /?token=YOUR_TOKEN once; the page keeps it in a cookie.\n',
        { 'www-authenticate': 'Bearer realm="selfheal"' },
      );
      return;
    }
    if (refusal) {
      send(res, refusal.status, 'application/json', jsonRpcErrorBody(-32000, refusal.reason), {
        ...(refusal.status === 401 ? { 'www-authenticate': 'Bearer realm="selfheal"' } : {}),
      });
      return;
    }
    if (path === '/mcp') return handleMcp(req, res);
    if (path === '/health/ecosystem' && (req.method === 'GET' || req.method === 'HEAD')) {
      send(res, 200, 'application/json', JSON.stringify(gateway.ecosystem()), {
        'cache-control': 'no-store',
      });
      return;
    }
    if (await dashboard.handle(req, res, path)) return;
    if (path === '/metrics' && req.method === 'GET') {
      const body = await gateway.metrics.render();
      send(res, 200, gateway.metrics.contentType, body, { 'cache-control': 'no-store' });
      return;
    }
    send(res, 404, 'application/json', JSON.stringify({ error: `no route for ${path}` }));
  };

  return {
    get sessionCount() {
      return sessions.size;
    },
    listen() {
      return new Promise((resolve, reject) => {
        const s = createServer((req, res) => {
          req.on('error', () => {});
          handle(req, res).catch((error) => {
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
          policy = createOriginPolicy(settings, port);
          const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
          sweepTimer = clock.setTimeout(sweep, Math.min(idleMs, 60_000));
          resolve({ url: `http://${host}:${port}/mcp`, port });
        });
      });
    },
    async close() {
      if (sweepTimer !== undefined) clock.clearTimeout(sweepTimer);
      sweepTimer = undefined;
      const entries = [...sessions.values()];
      sessions.clear();
      await Promise.all(
        entries.map(async ({ transport, session }) => {
          await transport.close().catch(() => {});
          await session.close();
        }),
      );
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
