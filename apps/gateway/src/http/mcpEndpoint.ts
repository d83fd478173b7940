import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WireErrorCode } from '../errors.js';
import type { Gateway } from '../gateway.js';
import { isStatelessRequest } from '../stateless/envelope.js';
import { type ClientDropReport, clientAddress } from './clientDrops.js';
import { sendReply, sendRpcError } from './httpReply.js';
import { containsInitialize, jsonRpcErrorBody, parseJsonRpcBody } from './jsonRpcBody.js';
import type { McpSessionEntry, McpSessions } from './mcpSessions.js';
import { NodeStreamableHttpTransport } from './nodeStreamableHttp.js';
import { BodyTooLargeError, readBody } from './security.js';
import { serveStatelessHttp } from './statelessHttp.js';

/** What `/mcp` needs, made once per HTTP server and passed to each request's handling. */
export interface McpEndpoint {
  gateway: Gateway;
  sessions: McpSessions;
  /** gateway.max_body_bytes. */
  maxBodyBytes: number;
  /** gateway.max_client_buffer_bytes: a response stream holding more unsent is dropped. */
  maxBufferedBytes: number;
  dropped: ClientDropReport;
}

/** The request's `MCP-Protocol-Version` header, if any. */
function protocolVersionOf(req: IncomingMessage): string | undefined {
  const value = req.headers['mcp-protocol-version'];
  return typeof value === 'string' ? value.trim() : undefined;
}

/**
 * `/mcp`, both revisions: a request with `Mcp-Session-Id` goes to its session's transport; a
 * 2026-07-28 POST is served statelessly; an `initialize` opens a session; anything else is
 * refused with the JSON-RPC error that says what to send instead.
 */
export async function serveMcp(
  endpoint: McpEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const sessionId = req.headers['mcp-session-id'];
  const entry = typeof sessionId === 'string' ? endpoint.sessions.get(sessionId) : undefined;
  if (sessionId !== undefined && !entry) {
    sendRpcError(
      res,
      404,
      -32001,
      'Session not found: it ended or never existed; initialize a new one',
    );
    return;
  }
  if (req.method === 'GET' || req.method === 'DELETE')
    return serveSessionStream(endpoint, req, res, entry);
  if (req.method !== 'POST') {
    sendReply(res, 405, 'application/json', jsonRpcErrorBody(-32000, 'Method not allowed'), {
      allow: 'GET, POST, DELETE',
    });
    return;
  }
  // Read here, not in a helper of its own: a POST is the hot path, and an async helper would
  // cost a promise per request.
  let text: string;
  try {
    text = (await readBody(req, endpoint.maxBodyBytes)).toString('utf8');
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
  const body = parsed.body;
  if (entry) {
    endpoint.sessions.track(entry, res);
    await entry.transport.handleRequest(req, res, body);
    return;
  }
  const single = body as Record<string, unknown>;
  if (!Array.isArray(body) && isStatelessRequest(single, protocolVersionOf(req))) {
    await serveStatelessHttp(endpoint.gateway.stateless, req, res, single, {
      maxBufferedBytes: endpoint.maxBufferedBytes,
      ondrop: (pendingBytes) =>
        endpoint.dropped(
          { stream: 'post', pendingBytes, limitBytes: endpoint.maxBufferedBytes },
          { client: clientAddress(req) },
        ),
    });
    return;
  }
  if (!containsInitialize(body)) {
    sendRpcError(res, 400, -32000, 'Bad Request: no Mcp-Session-Id; send initialize first');
    return;
  }
  await openSession(endpoint, req, res, body);
}

/**
 * `GET` (the session's standalone stream) and `DELETE` (its end): only a 2025-11-25 session has
 * them, so without one the answer says what the request's revision offers instead.
 */
function serveSessionStream(
  endpoint: McpEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
  entry: McpSessionEntry | undefined,
): Promise<void> | undefined {
  if (!entry && isStatelessRequest({}, protocolVersionOf(req))) {
    // 2026-07-28 has no sessions and no standalone stream: subscriptions/listen instead.
    sendReply(
      res,
      405,
      'application/json',
      jsonRpcErrorBody(
        -32000,
        'Method not allowed: MCP 2026-07-28 has no GET stream or session to delete; POST subscriptions/listen instead',
      ),
      { allow: 'POST' },
    );
    return;
  }
  if (!entry) {
    sendRpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    return;
  }
  endpoint.sessions.track(entry, res);
  return entry.transport.handleRequest(req, res);
}

/**
 * `initialize` without a session: a gateway session on a new transport, in the table from the
 * moment the transport names its id, and out of it (closed) when the transport closes.
 */
async function openSession(
  endpoint: McpEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
): Promise<void> {
  const { sessions } = endpoint;
  const session = endpoint.gateway.createSession();
  const created: McpSessionEntry = {
    transport: undefined as never,
    session,
    lastSeen: endpoint.gateway.clock.now(),
    open: 0,
  };
  const transport: NodeStreamableHttpTransport = new NodeStreamableHttpTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => {
      sessions.set(id, created);
    },
    maxBufferedBytes: endpoint.maxBufferedBytes,
    ondrop: ({ sessionId: id, ...drop }) =>
      endpoint.dropped(drop, {
        ...(id === undefined ? {} : { session_id: id }),
        client: clientAddress(req),
      }),
  });
  created.transport = transport;
  sessions.track(created, res);
  transport.onclose = () => {
    if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    void session.close();
  };
  await session.server.connect(transport);
  await transport.handleRequest(req, res, body);
}
