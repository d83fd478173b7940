import type {
  JSONRPCMessage,
  RequestId,
  Transport,
  TransportSendOptions,
} from '@modelcontextprotocol/server';
import type { UpstreamSpec } from '../config/loadConfig.js';
import { WireErrorCode } from '../errors.js';
import { parseJsonRpcMessage } from '../jsonRpcMessage.js';
import { META, STATELESS_VERSION, StatelessErrorCode } from '../stateless/envelope.js';
import {
  encodeHeaderValue,
  type ParamHeader,
  type ParamHeaderValues,
  paramHeaderValues,
  scanParamHeaders,
} from '../stateless/paramHeaders.js';
import { invalidMessageError } from './invalidMessages.js';
import type { RequestOrigins, StreamOrigin } from './requestOrigins.js';
import { createSseParser, isPrimingEvent } from './sseParser.js';

/** Where stateless (MCP 2026-07-28) requests go: a Streamable HTTP endpoint. */
export interface StatelessTarget {
  url: string;
  /** The config's `headers`, sent on every request. */
  headers?: Record<string, string>;
  /**
   * The server's tools' `x-mcp-header` marks, shared by every transport to that server (the
   * shared connection's sessions, clients' own sessions), so a call made on a session that has
   * not listed the tools yet carries its headers. @default marks of this transport's own
   */
  marks?: ToolMarks;
}

/** Each configured server's marks: one per `UpstreamSpec` (a reload makes a new spec). */
const marksBySpec = new WeakMap<UpstreamSpec, ToolMarks>();

/** Where the Streamable HTTP server of `spec` takes stateless requests, with its shared marks. */
export function statelessTargetOf(spec: UpstreamSpec): StatelessTarget {
  let marks = marksBySpec.get(spec);
  if (marks === undefined) {
    marks = createToolMarks();
    marksBySpec.set(spec, marks);
  }
  return {
    url: spec.config.url!,
    ...(spec.config.headers && { headers: spec.config.headers }),
    marks,
  };
}

/** A request as the transport POSTs it. */
type StatelessRequest = {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: Record<string, unknown>;
};

/** How many pages a re-listing of the tools after a header mismatch reads at most. */
const RELIST_PAGES = 100;

/**
 * A client transport for MCP 2026-07-28 over HTTP (RFC 0013): each request is its own POST with
 * the revision's headers (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`), answered with JSON
 * or an SSE stream of that request's notifications then its answer, each passed to `onmessage`
 * in order. `notifications/cancelled` closes the named request's stream (the revision's
 * cancellation); other client notifications have no place in the revision and are dropped.
 * There is no session and no standalone stream.
 *
 * A `tools/call` carries its `Mcp-Param-*` headers, read from the `x-mcp-header` marks of the
 * tool as the server's last `tools/list` described it (`target.marks`, shared by the server's
 * transports). When the server answers a
 * call with HeaderMismatch (-32020), the tools are listed again and the call is sent once more,
 * as the revision asks of a client; a tool whose marks changed is announced upward with
 * `notifications/tools/list_changed`, so the gateway lists the server again.
 */
export function createStatelessHttpTransport(
  target: StatelessTarget,
): Transport & Pick<RequestOrigins, 'deliveringOrigin'> {
  const open = new Map<RequestId, AbortController>();
  let closed = false;
  /** The stream whose notification `onmessage` is being given (see `RequestOrigins`). */
  let delivering: StreamOrigin;
  const transport: Transport & Pick<RequestOrigins, 'deliveringOrigin'> = {
    async start() {},
    deliveringOrigin: () => delivering,
    async send(message: JSONRPCMessage, options?: TransportSendOptions) {
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
      // Whose stream the answer's notifications come on: the call's key, none for the gateway's
      // own requests, unknown for the listen stream (no call's: as the older GET stream).
      const origin =
        message.method === 'subscriptions/listen' ? undefined : (options?.relatedRequestId ?? null);
      void call(message as StatelessRequest, controller.signal, origin)
        .then((answer) => transport.onmessage?.(answer))
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

  const marks = target.marks ?? createToolMarks();
  const relisting = { count: 0 };

  /** One request's answer: a `tools/call` refused for its headers is retried once. */
  const call = async (
    message: StatelessRequest,
    signal: AbortSignal,
    origin: StreamOrigin,
  ): Promise<JSONRPCMessage> => {
    const answer = await post(message, signal, origin);
    if (message.method === 'tools/list') marks.learn(answer);
    if (message.method !== 'tools/call' || !isHeaderMismatch(answer)) return answer;
    const tool = String(message.params?.name);
    const before = marks.describe(tool);
    await relistTools(marks, post, relisting, message.params?._meta, signal);
    if (marks.describe(tool) !== before)
      transport.onmessage?.({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    return post(message, signal, origin);
  };

  /**
   * POSTs one request and resolves to its answer; notifications the server streams before it go
   * to `onmessage` on the way.
   */
  const post = async (
    message: StatelessRequest,
    signal: AbortSignal,
    origin: StreamOrigin = null,
  ): Promise<JSONRPCMessage> => {
    const params = message.params ?? {};
    const meta = (params._meta ?? {}) as Record<string, unknown>;
    const version = String(meta[META.protocolVersion] ?? STATELESS_VERSION);
    const name = params.name ?? params.uri;
    const mirrored =
      message.method === 'tools/call'
        ? marks.headersOf(String(params.name), params.arguments)
        : { headers: {} };
    if ('problem' in mirrored)
      return {
        jsonrpc: '2.0',
        id: message.id,
        error: {
          code: WireErrorCode.InvalidParams,
          message: `Invalid params: ${mirrored.problem}`,
        },
      };
    const response = await fetch(target.url, {
      method: 'POST',
      signal,
      headers: {
        ...target.headers,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': version,
        'mcp-method': message.method,
        ...(typeof name === 'string' && { 'mcp-name': encodeHeaderValue(name) }),
        ...mirrored.headers,
      },
      body: JSON.stringify(message),
    });
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('text/event-stream') && response.body)
      return readSseAnswer(response.body, message.id, {
        onmessage: (notification) => {
          delivering = origin;
          try {
            transport.onmessage?.(notification);
          } finally {
            delivering = undefined;
          }
        },
        onerror: (error) => transport.onerror?.(error),
      });
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
    return received;
  };

  return transport;
}

/**
 * Lists the tools again (every page) with the call's envelope (`meta`'s protocol keys), to
 * learn their marks anew; calls refused together wait for the one listing under way.
 */
function relistTools(
  marks: ToolMarks,
  post: (message: StatelessRequest, signal: AbortSignal) => Promise<JSONRPCMessage>,
  relisting: { count: number },
  meta: unknown,
  signal: AbortSignal,
): Promise<void> {
  const readAll = async () => {
    const envelope = Object.fromEntries(
      Object.entries((meta ?? {}) as Record<string, unknown>).filter(([key]) =>
        key.startsWith('io.modelcontextprotocol/'),
      ),
    );
    let cursor: unknown;
    for (let page = 0; page < RELIST_PAGES; page++) {
      const answer = await post(
        {
          jsonrpc: '2.0',
          id: `selfheal-relist-${++relisting.count}`,
          method: 'tools/list',
          params: { _meta: envelope, ...(cursor === undefined ? {} : { cursor }) },
        },
        signal,
      );
      if (!('result' in answer)) return;
      marks.learn(answer);
      cursor = (answer.result as { nextCursor?: unknown }).nextCursor;
      if (typeof cursor !== 'string') return;
    }
  };
  marks.relisting ??= readAll().finally(() => {
    marks.relisting = undefined;
  });
  return marks.relisting;
}

/**
 * Reads an SSE answer stream up to the answer to request `id`: the notifications before it go
 * to the transport's `onmessage`, an event that is not JSON-RPC to its `onerror` (dropped; the
 * request still waits on this stream).
 */
async function readSseAnswer(
  body: AsyncIterable<unknown>,
  id: RequestId,
  transport: Pick<Transport, 'onmessage' | 'onerror'>,
): Promise<JSONRPCMessage> {
  let answer: JSONRPCMessage | undefined;
  const feed = createSseParser((event) => {
    if (isPrimingEvent(event)) return;
    let received: JSONRPCMessage;
    try {
      received = parseJsonRpcMessage(JSON.parse(event.data));
    } catch (cause) {
      transport.onerror?.(invalidMessageError('an SSE event', cause));
      return;
    }
    if (!('method' in received) && 'id' in received && received.id === id) answer = received;
    else transport.onmessage?.(received);
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    if (answer) return answer;
  }
  throw new Error('the stream ended without an answer');
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

/** The `x-mcp-header` marks of a server's tools, as its `tools/list` answers give them. */
export type ToolMarks = ReturnType<typeof createToolMarks>;

/** The `x-mcp-header` marks of a server's tools, as the `tools/list` answers give them. */
export function createToolMarks() {
  const marks = new Map<string, readonly ParamHeader[]>();
  return {
    /** The re-listing under way after a header mismatch, which other refused calls wait for. */
    relisting: undefined as Promise<void> | undefined,
    /** Takes the marks of the tools of one `tools/list` page (tools of other pages stay). */
    learn(answer: JSONRPCMessage): void {
      const tools = 'result' in answer ? (answer.result as { tools?: unknown }).tools : undefined;
      if (!Array.isArray(tools)) return;
      for (const tool of tools as { name?: unknown; inputSchema?: unknown }[]) {
        if (typeof tool?.name !== 'string') continue;
        const scan = scanParamHeaders(tool.inputSchema);
        // An invalid tool gets no headers: the gateway leaves it out of its list (router.ts).
        if (scan.valid && scan.headers.length > 0) marks.set(tool.name, scan.headers);
        else marks.delete(tool.name);
      }
    },
    /** A tool's marks as text, to see whether a listing changed them. */
    describe(tool: string): string | undefined {
      return JSON.stringify(marks.get(tool));
    },
    /** The `Mcp-Param-*` headers of a call of `tool` with `args` (none for a tool not seen). */
    headersOf(tool: string, args: unknown): ParamHeaderValues {
      const declared = marks.get(tool);
      return declared ? paramHeaderValues(declared, args) : { headers: {} };
    },
  };
}

/** Whether an answer is the revision's HeaderMismatch (-32020). */
function isHeaderMismatch(answer: JSONRPCMessage): boolean {
  return 'error' in answer && answer.error.code === StatelessErrorCode.HeaderMismatch;
}

function errorText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const base = error instanceof Error ? error.message : String(error);
  return cause?.message ? `${base} (${cause.message})` : base;
}
