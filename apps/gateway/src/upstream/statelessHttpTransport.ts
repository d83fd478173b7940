import type { JSONRPCMessage, RequestId, Transport } from '@modelcontextprotocol/server';
import { parseJsonRpcMessage } from '../jsonRpcMessage.js';
import { META, STATELESS_VERSION } from '../stateless/envelope.js';
import { invalidMessageError } from './invalidMessages.js';
import { createSseParser, isPrimingEvent } from './sseParser.js';

/** Where stateless (MCP 2026-07-28) requests go: a Streamable HTTP endpoint. */
export interface StatelessTarget {
  url: string;
  /** The config's `headers`, sent on every request. */
  headers?: Record<string, string>;
}

/**
 * A client transport for MCP 2026-07-28 over HTTP (RFC 0013): each request is its own POST with
 * the revision's headers (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`), answered with JSON
 * or an SSE stream of that request's notifications then its answer, each passed to `onmessage`
 * in order. `notifications/cancelled` closes the named request's stream (the revision's
 * cancellation); other client notifications have no place in the revision and are dropped.
 * There is no session and no standalone stream.
 */
export function createStatelessHttpTransport(target: StatelessTarget): Transport {
  const open = new Map<RequestId, AbortController>();
  let closed = false;
  const transport: Transport = {
    async start() {},
    async send(message: JSONRPCMessage) {
      if (closed) throw new Error('Not connected');
      if (!('method' in message)) return;
      if (!('id' in message)) {
        if (message.method === 'notifications/cancelled') {
          const id = (message.params as { requestId?: RequestId } | undefined)?.requestId;
          if (id !== undefined) open.get(id)?.abort();
        }
        return;
      }
      const controller = new AbortController();
      open.set(message.id, controller);
      // The answer comes later, on onmessage; send() resolves once the request is written.
      void post(message as Request, controller.signal)
        .catch((error: unknown) => {
          if (controller.signal.aborted || closed) return;
          transport.onerror?.(error instanceof Error ? error : new Error(String(error)));
          transport.onmessage?.({
            jsonrpc: '2.0',
            id: message.id,
            error: { code: -32000, message: `Connection closed: ${errorText(error)}` },
          });
        })
        .finally(() => open.delete(message.id));
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const controller of open.values()) controller.abort();
      open.clear();
      transport.onclose?.();
    },
  };

  type Request = {
    jsonrpc: '2.0';
    id: RequestId;
    method: string;
    params?: Record<string, unknown>;
  };

  const post = async (message: Request, signal: AbortSignal) => {
    const params = message.params ?? {};
    const meta = (params._meta ?? {}) as Record<string, unknown>;
    const version = String(meta[META.protocolVersion] ?? STATELESS_VERSION);
    const name = params.name ?? params.uri;
    const response = await fetch(target.url, {
      method: 'POST',
      signal,
      headers: {
        ...target.headers,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': version,
        'mcp-method': message.method,
        ...(typeof name === 'string' && { 'mcp-name': headerValue(name) }),
      },
      body: JSON.stringify(message),
    });
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('text/event-stream') && response.body) {
      let answered = false;
      const feed = createSseParser((event) => {
        if (isPrimingEvent(event)) return;
        let received: JSONRPCMessage;
        try {
          received = parseJsonRpcMessage(JSON.parse(event.data));
        } catch (cause) {
          // The event is dropped; the request still waits for its answer on this stream.
          transport.onerror?.(invalidMessageError('an SSE event', cause));
          return;
        }
        if (!('method' in received) && 'id' in received && received.id === message.id)
          answered = true;
        transport.onmessage?.(received);
      });
      const decoder = new TextDecoder();
      for await (const chunk of response.body) {
        feed(decoder.decode(chunk as Uint8Array, { stream: true }));
        if (answered) break;
      }
      if (!answered) throw new Error('the stream ended without an answer');
      return;
    }
    const text = await response.text();
    let received: JSONRPCMessage;
    try {
      received = parseJsonRpcMessage(asAnswerTo(message.id, JSON.parse(text)));
    } catch (cause) {
      // The body is the request's only answer, so the request fails now rather than at its
      // timeout. A success status with anything but JSON-RPC is the server's protocol
      // violation; an error page (a proxy's 502) is only a failed request.
      if (response.ok) throw invalidMessageError(`an HTTP ${response.status} answer`, cause);
      throw new Error(`HTTP ${response.status} without a JSON-RPC message`);
    }
    transport.onmessage?.(received);
  };

  return transport;
}

/**
 * `item` with `id` when it is an error that names no request (a 2025-11-25 server's "no
 * session" answer has id null): the answer to a POST is that request's answer.
 */
function asAnswerTo(id: RequestId, item: unknown): unknown {
  if (typeof item !== 'object' || item === null || !('error' in item)) return item;
  const named = (item as { id?: unknown }).id;
  return named === null || named === undefined ? { ...item, id } : item;
}

/** A header value as the revision sends it: plain ASCII as is, anything else base64-wrapped. */
function headerValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) && value.trim() === value
    ? value
    : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function errorText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const base = error instanceof Error ? error.message : String(error);
  return cause?.message ? `${base} (${cause.message})` : base;
}
