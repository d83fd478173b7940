import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  JSONRPCMessage,
  JSONRPCRequest,
  RequestId,
  Transport,
  TransportSendOptions,
} from '@modelcontextprotocol/server';
import {
  isInitializeRequest,
  isJsonContentType,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import { GATEWAY_LIBRARY_DEFAULTS } from '../config/libraryDefaults.js';
import { parseJsonRpcMessage } from '../jsonRpcMessage.js';

/** Options of {@link NodeStreamableHttpTransport}. */
export interface NodeStreamableHttpOptions {
  /** Makes the session id sent back on `initialize`. */
  sessionIdGenerator: () => string;
  /** Told the new session id once `initialize` arrives (before the request is handled). */
  onsessioninitialized?: (sessionId: string) => void;
  /**
   * An SSE comment (`: keepalive`) on every open stream this often, so proxies keep long calls
   * open; 0 turns it off.
   * @default 15000
   */
  keepAliveMs?: number;
  /**
   * A stream whose unsent bytes (the response's and its socket's buffers) would pass this many
   * is dropped: its response is destroyed and {@link ondrop} told. A client that does not read
   * never makes the gateway buffer without bound.
   * @default 8388608 (8 MiB)
   */
  maxBufferedBytes?: number;
  /** Told of each stream dropped for passing {@link maxBufferedBytes}. */
  ondrop?: (drop: StreamDrop) => void;
}

/** A stream dropped because its client did not read it (see `maxBufferedBytes`). */
export interface StreamDrop {
  /** The session's id, if it has one yet. */
  sessionId?: string;
  /** `post`: the SSE answer of a POST; `get`: the session's standalone GET stream. */
  stream: 'post' | 'get';
  /** Bytes waiting to be written, the frame that did not fit included. */
  pendingBytes: number;
  limitBytes: number;
}

/** Default of {@link NodeStreamableHttpOptions.maxBufferedBytes}. */
export const DEFAULT_MAX_BUFFERED_BYTES = GATEWAY_LIBRARY_DEFAULTS.maxClientBufferBytes;

/** At most this many messages in one POSTed batch (as the SDK's transport). */
const MAX_BATCH_SIZE = 100;
const STANDALONE = Symbol('standalone GET stream');
const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** One SSE response: a POST's (its requests' messages) or the session's GET stream. */
interface Stream {
  key: string | typeof STANDALONE;
  res: ServerResponse;
  /** Requests of this POST still waiting for their response. */
  waiting: number;
  /** Responses held until every request of a batch has one (a batch gets one stream). */
  held: string[];
}

/**
 * The server side of MCP's Streamable HTTP transport, written straight onto Node's
 * `ServerResponse` (RFC 0006, "Measured"): the SDK's `StreamableHTTPServerTransport` converts each
 * request to a web `Request` and each SSE stream to a web `ReadableStream`, which costs more CPU
 * per call than the gateway's own routing. Same wire behaviour for what the gateway uses
 * (sessions, one SSE stream per POST with its requests' notifications and server-to-client
 * requests, the standalone GET stream, DELETE, the SDK's header checks and error answers); no
 * event store (resumability). A POST with one request whose answer is the first thing sent on
 * it gets that answer as plain JSON; anything sent before it (progress, a log message, a
 * server request) makes the answer an SSE stream, in order.
 */
export class NodeStreamableHttpTransport implements Transport {
  sessionId?: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];
  private readonly options: NodeStreamableHttpOptions;
  private readonly streams = new Map<string | typeof STANDALONE, Stream>();
  private readonly streamOf = new Map<RequestId, string>();
  private nextStream = 0;
  private initialized = false;
  private closed = false;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private readonly maxBuffered: number;

  constructor(options: NodeStreamableHttpOptions) {
    this.options = options;
    this.maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  }

  async start(): Promise<void> {
    const ms = this.options.keepAliveMs ?? 15_000;
    if (ms > 0) {
      this.keepAlive = setInterval(() => this.ping(), ms);
      this.keepAlive.unref();
    }
  }

  /** Serves one HTTP request of this session; `parsedBody` is the POST's JSON, already parsed. */
  async handleRequest(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown) {
    if (this.closed) return rpcError(res, 404, -32001, 'Session not found');
    if (req.method === 'POST') return this.handlePost(req, res, parsedBody);
    if (req.method === 'GET') return this.handleGet(req, res);
    if (req.method === 'DELETE') return this.handleDelete(req, res);
    res.writeHead(405, { allow: 'GET, POST, DELETE', 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed.' },
        id: null,
      }),
    );
  }

  private handlePost(req: IncomingMessage, res: ServerResponse, body: unknown) {
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream'))
      return this.refuse(
        res,
        406,
        -32000,
        'Not Acceptable: Client must accept both application/json and text/event-stream',
      );
    if (!isJsonContentType(req.headers['content-type']))
      return this.refuse(
        res,
        415,
        -32000,
        'Unsupported Media Type: Content-Type must be application/json',
      );
    if (Array.isArray(body) && body.length > MAX_BATCH_SIZE)
      return this.refuse(
        res,
        400,
        -32600,
        `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages`,
      );
    let messages: JSONRPCMessage[];
    try {
      messages = (Array.isArray(body) ? body : [body]).map(parseJsonRpcMessage);
    } catch {
      return this.refuse(res, 400, -32700, 'Parse error: Invalid JSON-RPC message');
    }
    // The method is compared first: the SDK's guard is a zod pass per message otherwise.
    const initialize = messages.some(
      (m) => 'method' in m && m.method === 'initialize' && isInitializeRequest(m),
    );
    if (initialize) {
      if (this.initialized && this.sessionId !== undefined)
        return this.refuse(res, 400, -32600, 'Invalid Request: Server already initialized');
      if (messages.length > 1)
        return this.refuse(
          res,
          400,
          -32600,
          'Invalid Request: Only one initialization request is allowed',
        );
      this.sessionId = this.options.sessionIdGenerator();
      this.initialized = true;
      this.options.onsessioninitialized?.(this.sessionId);
    } else if (!this.checkSession(req, res) || !this.checkProtocol(req, res)) return;
    if (this.closed) return rpcError(res, 404, -32001, 'Session not found');
    // Parsed as JSON-RPC above: a request is a message with a method and an id (no second zod pass).
    const requests = messages.filter((m): m is JSONRPCRequest => 'method' in m && 'id' in m);
    if (requests.length === 0) {
      for (const message of messages) this.onmessage?.(message);
      res.writeHead(202).end();
      return;
    }
    const id = String(this.nextStream++);
    const stream: Stream = { key: id, res, waiting: requests.length, held: [] };
    this.streams.set(id, stream);
    for (const request of requests) this.streamOf.set(request.id, id);
    res.once('close', () => {
      // The client went away (or the stream ended): later messages for it have nowhere to go.
      if (this.streams.get(id) === stream) this.streams.delete(id);
    });
    for (const message of messages) this.onmessage?.(message);
  }

  private handleGet(req: IncomingMessage, res: ServerResponse) {
    if (!(req.headers.accept ?? '').includes('text/event-stream'))
      return this.refuse(res, 406, -32000, 'Not Acceptable: Client must accept text/event-stream');
    if (!this.checkSession(req, res) || !this.checkProtocol(req, res)) return;
    if (this.streams.has(STANDALONE))
      return this.refuse(res, 409, -32000, 'Conflict: Only one SSE stream is allowed per session');
    const stream: Stream = { key: STANDALONE, res, waiting: 0, held: [] };
    this.streams.set(STANDALONE, stream);
    res.writeHead(200, this.sseHeaders());
    res.flushHeaders();
    res.once('close', () => {
      if (this.streams.get(STANDALONE) === stream) this.streams.delete(STANDALONE);
    });
  }

  private async handleDelete(req: IncomingMessage, res: ServerResponse) {
    if (!this.checkSession(req, res) || !this.checkProtocol(req, res)) return;
    res.writeHead(200).end();
    await this.close();
  }

  /** Sends one message on the stream it belongs to (see the class comment). */
  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    // The SDK's Server built it: a response is a message with an id and a result or an error.
    const isResponse = 'id' in message && ('result' in message || 'error' in message);
    const requestId = isResponse ? message.id : options?.relatedRequestId;
    const json = JSON.stringify(message);
    const frame = `event: message\ndata: ${json}\n\n`;
    if (requestId === undefined) {
      if (isResponse)
        throw new Error(
          'Cannot send a response on a standalone SSE stream unless resuming a previous client request',
        );
      const standalone = this.streams.get(STANDALONE);
      if (standalone) this.write(standalone, frame);
      return;
    }
    const id = this.streamOf.get(requestId);
    if (id === undefined)
      throw new Error(`No connection established for request ID: ${String(requestId)}`);
    const stream = this.streams.get(id);
    if (!isResponse) {
      if (stream) this.write(stream, frame);
      return;
    }
    this.streamOf.delete(requestId);
    if (!stream) {
      if (this.closed) return;
      throw new Error(`No connection established for request ID: ${String(requestId)}`);
    }
    const { res } = stream;
    if (!res.headersSent && stream.waiting === 1 && stream.held.length === 0) {
      // The POST's one request, and nothing was sent before its answer: plain JSON, which a
      // client reads without an event-stream parser (RFC 0010, "Measured").
      this.streams.delete(id);
      if (this.overflows(stream, json)) return;
      res.writeHead(200, {
        ...this.jsonHeaders(),
        'content-length': Buffer.byteLength(json),
      });
      res.end(json);
      return;
    }
    stream.waiting--;
    stream.held.push(frame);
    if (stream.waiting > 0) return;
    this.streams.delete(id);
    const last = stream.held.join('');
    if (this.overflows(stream, last)) return;
    if (!res.headersSent)
      res.writeHead(200, { ...this.sseHeaders(), 'content-length': Buffer.byteLength(last) });
    res.end(last);
  }

  /** Ends every stream and the session. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    for (const { res } of this.streams.values()) res.end();
    this.streams.clear();
    this.streamOf.clear();
    this.onclose?.();
  }

  private jsonHeaders(): Record<string, string> {
    return this.sessionId === undefined
      ? { 'content-type': 'application/json' }
      : { 'content-type': 'application/json', 'mcp-session-id': this.sessionId };
  }

  private sseHeaders(): Record<string, string> {
    return this.sessionId === undefined
      ? SSE_HEADERS
      : { ...SSE_HEADERS, 'mcp-session-id': this.sessionId };
  }

  /** Writes an SSE frame; a POST's headers go out with its first frame. */
  private write(stream: Stream, frame: string) {
    const { res } = stream;
    if (res.writableEnded || this.overflows(stream, frame)) return;
    if (!res.headersSent) res.writeHead(200, this.sseHeaders());
    res.write(frame);
  }

  /**
   * Whether writing `text` would leave more than the bound unsent; if so the stream is dropped
   * (destroyed, not ended: a client that does not read would never take the rest either).
   * `text.length` counts UTF-16 units, at most the bytes it encodes to: never an over-count.
   */
  private overflows(stream: Stream, text: string): boolean {
    const { res } = stream;
    const pending = res.writableLength + text.length;
    if (pending <= this.maxBuffered) return false;
    if (this.streams.get(stream.key) === stream) this.streams.delete(stream.key);
    res.destroy();
    this.options.ondrop?.({
      ...(this.sessionId === undefined ? {} : { sessionId: this.sessionId }),
      stream: stream.key === STANDALONE ? 'get' : 'post',
      pendingBytes: pending,
      limitBytes: this.maxBuffered,
    });
    return true;
  }

  private ping() {
    for (const stream of [...this.streams.values()])
      if (stream.res.headersSent) this.write(stream, ': keepalive\n\n');
  }

  private checkSession(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.initialized) {
      this.refuse(res, 400, -32000, 'Bad Request: Server not initialized');
      return false;
    }
    const id = req.headers['mcp-session-id'];
    if (!id) {
      this.refuse(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
      return false;
    }
    if (id !== this.sessionId) {
      this.refuse(res, 404, -32001, 'Session not found');
      return false;
    }
    return true;
  }

  private checkProtocol(req: IncomingMessage, res: ServerResponse): boolean {
    const version = req.headers['mcp-protocol-version'];
    if (typeof version !== 'string' || SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return true;
    this.refuse(
      res,
      400,
      -32000,
      `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
    );
    return false;
  }

  private refuse(res: ServerResponse, status: number, code: number, message: string) {
    this.onerror?.(new Error(message));
    rpcError(res, status, code, message);
  }
}

function rpcError(res: ServerResponse, status: number, code: number, message: string) {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
