import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  localhostHostValidation,
  localhostOriginValidation,
  NodeStreamableHTTPServerTransport,
  toNodeHandler,
} from '@modelcontextprotocol/node';
import {
  classifyInboundRequest,
  createMcpHandler,
  InMemoryServerEventBus,
  isInitializeRequest,
} from '@modelcontextprotocol/server';
import {
  type ConformanceServerOptions,
  createConformanceServerFactory,
} from './conformanceServer.js';

/** Options of {@link startConformanceHttpServer}. */
export interface ConformanceHttpServerOptions
  extends Omit<ConformanceServerOptions, 'notifyChanged'> {
  /** Port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
}

/** A running conformance server over Streamable HTTP. */
export interface ConformanceHttpServer {
  /** The MCP endpoint, `http://localhost:<port>/mcp` (a localhost name, for the DNS-rebinding checks). */
  url: string;
  /** Closes every session and the listener; idempotent. */
  close(): Promise<void>;
}

const headerValue = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value[0] : value;

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Starts the conformance server on one HTTP endpoint, `/mcp`, for both revisions: a request
 * carrying the 2026-07-28 `_meta` envelope goes to the SDK's strict stateless handler
 * (`createMcpHandler`, `legacy: 'reject'`); `initialize` opens a 2025-11-25 session
 * (`Mcp-Session-Id`) whose later requests, GET stream and DELETE go to that session's
 * transport, so server-to-client requests (sampling, elicitation) work. Host and Origin must
 * be localhost names.
 */
export async function startConformanceHttpServer(
  options: ConformanceHttpServerOptions = {},
): Promise<ConformanceHttpServer> {
  const stateKey = options.stateKey ?? randomBytes(32);
  const bus = new InMemoryServerEventBus();
  const modernFactory = createConformanceServerFactory({
    ...options,
    stateKey,
    notifyChanged: (list) => bus.publish({ kind: `${list}_list_changed` }),
  });
  const legacyFactory = createConformanceServerFactory({ ...options, stateKey });
  const modern = createMcpHandler(modernFactory, { legacy: 'reject', bus });
  const serveModern = toNodeHandler(modern);
  const sessions = new Map<string, NodeStreamableHTTPServerTransport>();
  const validHost = localhostHostValidation();
  const validOrigin = localhostOriginValidation();

  async function openSession(req: IncomingMessage, res: ServerResponse, body: unknown) {
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await legacyFactory({ era: 'legacy' }).connect(transport);
    await transport.handleRequest(req, res, body);
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    if (!validHost(req, res) || !validOrigin(req, res)) return;
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/mcp') {
      return sendJsonRpcError(res, 404, -32601, `No MCP endpoint at ${req.url}; use /mcp`);
    }
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = await readJson(req);
      } catch {
        return sendJsonRpcError(res, 400, -32700, 'Parse error: the body is not JSON');
      }
    }
    const sessionId = headerValue(req.headers['mcp-session-id']);
    if (sessionId !== undefined) {
      const session = sessions.get(sessionId);
      if (session) return session.handleRequest(req, res, body);
      return sendJsonRpcError(res, 404, -32001, `Session ${sessionId} not found; initialize again`);
    }
    if (req.method !== 'POST') return serveModern(req, res);
    const route = classifyInboundRequest({
      httpMethod: 'POST',
      protocolVersionHeader: headerValue(req.headers['mcp-protocol-version']),
      mcpMethodHeader: headerValue(req.headers['mcp-method']),
      mcpNameHeader: headerValue(req.headers['mcp-name']),
      body,
    });
    if (route.kind !== 'legacy') return serveModern(req, res, body);
    if (isInitializeRequest(body)) return openSession(req, res, body);
    return sendJsonRpcError(
      res,
      400,
      -32000,
      'Bad request: no Mcp-Session-Id; send initialize first',
    );
  }

  const http = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJsonRpcError(res, 500, -32603, `Internal error: ${String(error)}`);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://localhost:${port}/mcp`,
    close: () => {
      closing ??= (async () => {
        await Promise.allSettled([...sessions.values()].map((transport) => transport.close()));
        await modern.close();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      })();
      return closing;
    },
  };
}
