import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Notification } from '@modelcontextprotocol/server';
import { META, StatelessErrorCode } from '../stateless/envelope.js';
import {
  decodeHeaderValue,
  paramHeaderMismatch,
  scanParamHeaders,
} from '../stateless/paramHeaders.js';
import type {
  StatelessGateway,
  StatelessReply,
  StatelessRequest,
} from '../stateless/statelessGateway.js';

/** How often a quiet stateless SSE stream gets a comment line, ms (as the session transport). */
const KEEP_ALIVE_MS = 15_000;

/** Options of {@link serveStatelessHttp}. */
export interface StatelessHttpOptions {
  /** Bytes a response stream may hold unsent before the client is dropped. */
  maxBufferedBytes: number;
  /** Told when a client that does not read is dropped. */
  ondrop?: (pendingBytes: number) => void;
}

/**
 * Answers one stateless (MCP 2026-07-28) POST: checks the request headers against the body
 * (`MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name`, both required where the specification
 * requires them, and a `tools/call`'s `Mcp-Param-*` headers
 * by the tool's `x-mcp-header` marks: -32020 and HTTP 400 on a mismatch), then
 * serves it. The answer is JSON, or an SSE stream scoped to the request where notifications may
 * precede it (a progress token, a log level, `subscriptions/listen`). Closing the stream cancels
 * the request.
 */
export async function serveStatelessHttp(
  stateless: StatelessGateway,
  req: IncomingMessage,
  res: ServerResponse,
  message: Record<string, unknown>,
  options: StatelessHttpOptions,
): Promise<void> {
  if (!('id' in message)) {
    // No client notification is defined over stateless HTTP: accepted, nothing to do.
    res.writeHead(202).end();
    return;
  }
  const request = message as unknown as StatelessRequest;
  const mismatch = headerMismatch(req, request) ?? paramMismatch(req, request, stateless);
  if (mismatch !== undefined) {
    writeJson(res, 400, {
      jsonrpc: '2.0',
      id: request.id,
      error: { code: StatelessErrorCode.HeaderMismatch, message: mismatch },
    });
    return;
  }
  const meta = (request.params?._meta ?? {}) as Record<string, unknown>;
  const accepts = String(req.headers.accept ?? '').includes('text/event-stream');
  if (request.method === 'subscriptions/listen' && !accepts) {
    writeJson(res, 406, {
      jsonrpc: '2.0',
      id: request.id,
      error: {
        code: -32600,
        message:
          'Not Acceptable: subscriptions/listen answers with an event stream; send Accept: text/event-stream',
      },
    });
    return;
  }
  const listen = request.method === 'subscriptions/listen';
  const streams =
    accepts && (listen || meta.progressToken !== undefined || meta[META.logLevel] !== undefined);
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  let opened = false;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  res.once('close', () => clearInterval(keepAlive));
  const open = () => {
    if (opened) return;
    opened = true;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    // A quiet stream (a listen) stays open through proxies that cut idle connections.
    keepAlive = setInterval(() => {
      if (!res.destroyed) res.write(': keepalive\n\n');
    }, KEEP_ALIVE_MS);
    keepAlive.unref();
  };
  const event = (payload: unknown) => {
    if (res.destroyed) return;
    open();
    res.write(`event: message\ndata: ${JSON.stringify(payload)}\n\n`);
    if (res.writableLength > options.maxBufferedBytes) {
      options.ondrop?.(res.writableLength);
      res.destroy();
      controller.abort();
    }
  };
  const notify = (notification: Notification) => {
    if (streams) event({ jsonrpc: '2.0', ...notification });
  };
  // A listen's stream opens at once: its acknowledgement may be all it sends for a long time.
  if (listen) open();
  const reply = await stateless.serve(request, { notify, signal: controller.signal });
  if (res.destroyed) return;
  const body = { jsonrpc: '2.0', id: request.id, ...replyBody(reply) };
  clearInterval(keepAlive);
  if (opened) {
    event(body);
    res.end();
  } else writeJson(res, reply.status, body);
}

function replyBody(reply: StatelessReply) {
  return 'result' in reply ? { result: reply.result } : { error: reply.error };
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The requests whose `Mcp-Name` header is required: it carries `params.name` or `params.uri`. */
const NAMED_METHODS: ReadonlySet<string> = new Set(['tools/call', 'resources/read', 'prompts/get']);

/**
 * What is wrong with the request's standard MCP headers, if anything: each is required where
 * the specification requires it, and must equal the body's value.
 */
function headerMismatch(req: IncomingMessage, request: StatelessRequest): string | undefined {
  const meta = (request.params?._meta ?? {}) as Record<string, unknown>;
  const version = header(req, 'mcp-protocol-version');
  const declared = meta[META.protocolVersion];
  if (version === undefined)
    return `Header mismatch: MCP-Protocol-Version is missing; every request carries it (params._meta says ${JSON.stringify(declared)})`;
  if (declared !== undefined && version !== declared)
    return `Header mismatch: MCP-Protocol-Version is ${JSON.stringify(version)} but params._meta says ${JSON.stringify(declared)}`;
  const method = header(req, 'mcp-method');
  if (method === undefined)
    return `Header mismatch: Mcp-Method is missing; every request carries it (the body's method is ${JSON.stringify(request.method)})`;
  if (method !== request.method)
    return `Header mismatch: Mcp-Method is ${JSON.stringify(method)} but the body's method is ${JSON.stringify(request.method)}`;
  const name = header(req, 'mcp-name');
  const target = request.params?.name ?? request.params?.uri;
  if (name === undefined && NAMED_METHODS.has(request.method))
    return `Header mismatch: Mcp-Name is missing; ${request.method} carries it (the body names ${JSON.stringify(target)})`;
  if (name !== undefined && target !== undefined && name !== String(target))
    return `Header mismatch: Mcp-Name is ${JSON.stringify(name)} but the body names ${JSON.stringify(target)}`;
  return undefined;
}

/**
 * What is wrong with a `tools/call`'s `Mcp-Param-*` headers against its arguments, if anything,
 * by the `x-mcp-header` marks of the tool as the gateway exposes it (a tool whose marks are
 * invalid is not listed, and its headers are not read).
 */
function paramMismatch(
  req: IncomingMessage,
  request: StatelessRequest,
  stateless: StatelessGateway,
): string | undefined {
  if (request.method !== 'tools/call') return undefined;
  const scan = scanParamHeaders(stateless.tool(String(request.params?.name))?.inputSchema);
  if (!scan.valid) return undefined;
  return paramHeaderMismatch(scan.headers, request.params?.arguments, (name) =>
    rawHeader(req, name.toLowerCase()),
  );
}

/**
 * A header's value, surrounding white space dropped; `Mcp-Name`'s `=?base64?…?=` form decoded
 * (the only standard header that may carry it; a malformed one is kept as sent: it then
 * matches nothing).
 */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = rawHeader(req, name);
  if (value === undefined) return undefined;
  const plain = value.replace(/^[ \t]+|[ \t]+$/g, '');
  if (name !== 'mcp-name') return plain;
  const decoded = decodeHeaderValue(value);
  return 'value' in decoded ? decoded.value : plain;
}

function rawHeader(req: IncomingMessage, name: string): string | undefined {
  const raw = req.headers[name];
  return Array.isArray(raw) ? raw[0] : raw;
}
