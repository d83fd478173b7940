import {
  type ClientRequest,
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import type {
  JSONRPCMessage,
  RequestId,
  Transport,
  TransportSendOptions,
} from '@modelcontextprotocol/client';
import {
  isInitializedNotification,
  SdkErrorCode,
  SdkHttpError,
} from '@modelcontextprotocol/client';
import { WireErrorCode } from '../errors.js';
import { parseJsonRpcMessage } from '../jsonRpcMessage.js';
import { invalidMessageError } from './invalidMessages.js';
import type { RequestOrigins, StreamOrigin } from './requestOrigins.js';
import { createSseParser, isPrimingEvent } from './sseParser.js';

/** Options of {@link NodeStreamableHttpClientTransport}. */
export interface NodeStreamableHttpClientOptions {
  /** Sent on every request (`headers` of the server's config: tokens, ...). @default {} */
  headers?: Record<string, string>;
  /**
   * Delays before re-opening the standalone GET stream after it ends, ms; its length is how
   * many times. @default [1000, 1500] (as the SDK's transport)
   */
  reconnectDelaysMs?: readonly number[];
}

/**
 * An error answer from the server: its HTTP status and body. An `SdkHttpError` (status as
 * `status`, as the SDK's transport throws), so code written against the SDK's transport
 * (session expiry, the resilience classifier) reads it the same.
 */
export class StreamableHttpStatusError extends SdkHttpError {
  constructor(
    status: number,
    message: string,
    code: SdkErrorCode = SdkErrorCode.ClientHttpNotImplemented,
  ) {
    super(code, message, { status });
    this.name = 'StreamableHttpStatusError';
  }
}

/**
 * The client side of MCP's Streamable HTTP transport on `node:http` (RFC 0006, "Measured"),
 * for the gateway's upstream connections: the SDK's `StreamableHTTPClientTransport` runs each
 * POST through `fetch` and each SSE answer through three web streams, which cost the gateway
 * more CPU per call than the rest of the call path. Same wire behaviour for what the gateway
 * uses: session id and protocol version headers, SSE or JSON answers, the standalone GET stream
 * opened after `notifications/initialized` (re-opened twice when it ends, 405 means none), and
 * the config's headers on every request. No OAuth and no stream resumption: a POST stream that
 * ends before its response fails that request at once with a connection-closed error (the link
 * then reconnects) instead of resuming it.
 */
export class NodeStreamableHttpClientTransport implements Transport, RequestOrigins {
  sessionId?: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];
  private readonly url: URL;
  /** The URL as `http.request` options, converted once (Node converts a URL on every call). */
  private readonly target: RequestOptions;
  private readonly headers: Record<string, string>;
  private readonly reconnectDelaysMs: readonly number[];
  private protocolVersion: string | undefined;
  private readonly open = new Set<ClientRequest>();
  /** Server requests still unanswered that came on a POST's stream: id -> that stream. */
  private readonly origins = new Map<RequestId, RequestId | null>();
  /** The stream whose message `onmessage` is being given, if known. */
  private delivering: StreamOrigin;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private started = false;
  private closed = false;

  constructor(url: URL, options: NodeStreamableHttpClientOptions = {}) {
    this.url = url;
    this.target = urlToHttpOptions(url);
    this.headers = options.headers ?? {};
    this.reconnectDelaysMs = options.reconnectDelaysMs ?? [1000, 1500];
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('NodeStreamableHttpClientTransport already started');
    this.started = true;
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  /**
   * The `relatedRequestId` sent with the request on whose SSE stream the server sent request
   * `id` (null: that request was sent without one), until it is answered or cancelled;
   * undefined for one that came on the standalone GET stream. A server sends the requests a call
   * causes on that call's stream (MCP 2025-11-25, Streamable HTTP), so this ties them to it
   * exactly, whatever else is in flight on the connection.
   */
  originOf(id: RequestId): StreamOrigin {
    return this.origins.get(id);
  }

  /**
   * Inside `onmessage`: the `relatedRequestId` of the request whose SSE stream carried the
   * message being delivered (null: sent without one); undefined elsewhere, and for a message
   * from the standalone GET stream or a JSON answer.
   */
  deliveringOrigin(): StreamOrigin {
    return this.delivering;
  }

  /** POSTs one message; resolves once the server has answered with headers (as the SDK). */
  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.closed) throw new Error('Transport closed');
    // Our answer to a server request: it no longer needs its origin.
    if (!('method' in message) && message.id !== undefined) this.origins.delete(message.id);
    const body = JSON.stringify(message);
    const res = await this.request('POST', body, 'application/json, text/event-stream');
    const sessionId = res.headers['mcp-session-id'];
    if (typeof sessionId === 'string') this.sessionId = sessionId;
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      const text = await readText(res).catch(() => '');
      throw new StreamableHttpStatusError(status, `Error POSTing to endpoint: ${text}`);
    }
    if (status === 202) {
      res.resume();
      if (isInitializedNotification(message)) this.openStandalone();
      return;
    }
    // The SDK's Client built it: a request is a message with a method and an id.
    const requestIds = 'method' in message && 'id' in message ? [message.id] : [];
    const type = essence(res.headers['content-type']);
    if (type === 'text/event-stream')
      this.readSse(
        res,
        requestIds,
        requestIds.length > 0 ? (options?.relatedRequestId ?? null) : undefined,
      );
    else if (type === 'application/json') {
      const text = await readText(res);
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (cause) {
        // The request fails (its answer is lost); the garbage itself is a protocol violation.
        const error = invalidMessageError('a JSON answer', cause);
        this.onerror?.(error);
        throw error;
      }
      // A JSON answer holds responses; a server request in one is taken as from no known stream.
      for (const item of Array.isArray(data) ? data : [data]) this.deliver(item, 'a JSON answer');
    } else {
      res.resume();
      if (requestIds.length > 0)
        throw new StreamableHttpStatusError(
          -1,
          `Unexpected content type: ${type}`,
          SdkErrorCode.ClientHttpUnexpectedContent,
        );
    }
  }

  /** Aborts every open request and stream. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    for (const req of this.open) req.destroy();
    this.open.clear();
    this.origins.clear();
    this.onclose?.();
  }

  private request(method: 'POST' | 'GET', body: string | undefined, accept: string) {
    const headers: Record<string, string | number> = { ...this.headers, accept };
    if (this.sessionId !== undefined) headers['mcp-session-id'] = this.sessionId;
    if (this.protocolVersion !== undefined) headers['mcp-protocol-version'] = this.protocolVersion;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send({ ...this.target, method, headers }, resolve);
      this.open.add(req);
      req.once('close', () => this.open.delete(req));
      req.once('error', reject);
      req.end(body);
    });
  }

  /** Parses `item` and gives it to `onmessage`, noting the stream it came on (`origin`). */
  private deliver(item: unknown, what: string, origin?: StreamOrigin) {
    let message: JSONRPCMessage;
    try {
      message = parseJsonRpcMessage(item);
    } catch (error) {
      this.onerror?.(invalidMessageError(what, error));
      return;
    }
    if ('method' in message) {
      if ('id' in message) {
        if (origin !== undefined) this.origins.set(message.id, origin);
      } else if (message.method === 'notifications/cancelled') {
        // A request the server gave up on gets no answer from us: forget its origin, once the
        // client has begun handling it (a microtask after it arrived, maybe in this same read).
        const cancelled = (message.params as { requestId?: RequestId } | undefined)?.requestId;
        if (cancelled !== undefined) setImmediate(() => this.origins.delete(cancelled));
      }
    }
    this.delivering = origin;
    try {
      this.onmessage?.(message);
    } finally {
      this.delivering = undefined;
    }
  }

  /**
   * Delivers each `message` event; requests still unanswered when it ends fail at once. `origin`
   * names the stream (see {@link originOf}): a POST's `relatedRequestId`, or null for a POST sent
   * without one; undefined for the standalone GET stream.
   */
  private readSse(res: IncomingMessage, requestIds: RequestId[], origin: StreamOrigin) {
    const waiting = new Set(requestIds);
    const parse = createSseParser((event) => {
      if (event.event !== 'message' || isPrimingEvent(event)) return;
      let item: unknown;
      try {
        item = JSON.parse(event.data);
      } catch (error) {
        this.onerror?.(invalidMessageError('an SSE event', error));
        return;
      }
      const id = (item as { id?: RequestId } | null)?.id;
      if (id !== undefined && !('method' in (item as object))) waiting.delete(id);
      this.deliver(item, 'an SSE event', origin);
    });
    res.setEncoding('utf8');
    res.on('data', parse);
    const ended = () => {
      if (this.closed) return;
      for (const id of waiting)
        this.onmessage?.({
          jsonrpc: '2.0',
          id,
          error: {
            code: WireErrorCode.ConnectionClosed,
            message: 'Connection closed: the SSE stream ended before the response',
          },
        });
      waiting.clear();
    };
    res.once('end', ended);
    res.once('close', ended); // a reset connection may end with neither 'end' nor 'error'
    res.once('error', (error) => {
      this.onerror?.(new Error(`SSE stream disconnected: ${error.message}`));
      ended();
    });
  }

  /**
   * The standalone GET stream: notifications and requests outside any call. `retry` is the
   * reconnect number (undefined for the first open, which is not retried, as in the SDK).
   */
  private openStandalone(retry?: number) {
    if (this.closed) return;
    const failed = (error: Error) => {
      this.onerror?.(error);
      if (retry !== undefined) this.scheduleReopen(retry + 1);
    };
    this.request('GET', undefined, 'text/event-stream').then((res) => {
      const status = res.statusCode ?? 0;
      if (status === 405) return void res.resume(); // the server offers no standalone stream
      if (status < 200 || status > 299) {
        res.resume();
        return failed(
          new StreamableHttpStatusError(
            status,
            `Failed to open SSE stream: ${res.statusMessage}`,
            SdkErrorCode.ClientHttpFailedToOpenStream,
          ),
        );
      }
      res.once('close', () => this.scheduleReopen(0));
      this.readSse(res, [], undefined);
    }, failed);
  }

  private scheduleReopen(retry: number) {
    if (this.closed) return;
    const delay = this.reconnectDelaysMs[retry];
    if (delay === undefined) {
      this.onerror?.(
        new Error(`Maximum reconnection attempts (${this.reconnectDelaysMs.length}) exceeded.`),
      );
      return;
    }
    this.reconnectTimer = setTimeout(() => this.openStandalone(retry), delay);
    this.reconnectTimer.unref();
  }
}

function essence(value: string | undefined): string {
  return (value ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
    });
    res.once('end', () => resolve(text));
    res.once('error', reject);
  });
}
