import { randomUUID } from 'node:crypto';
import { META, STATELESS_VERSION, STATELESS_VERSIONS } from '../stateless/envelope.js';
import type { ListMethod } from './catalog.js';
import type { UpstreamMessage } from './sharedCalls.js';
import { createSseParser } from './sseParser.js';

/** Where a stateless (MCP 2026-07-28) upstream request goes: a Streamable HTTP server. */
export interface StatelessTarget {
  url: string;
  /** The config's `headers`, sent on every request. */
  headers?: Record<string, string>;
}

/** Options of one {@link postStateless} request. */
export interface StatelessPostOptions {
  signal?: AbortSignal;
  /** Notifications the server sends on the request's stream before its answer. */
  onNotification?: (notification: UpstreamMessage) => void;
}

/** A JSON-RPC error answer of a stateless server, with the HTTP status it came with. */
export class StatelessUpstreamError extends Error {
  readonly code: number;
  readonly data: unknown;
  readonly status: number;

  constructor(status: number, code: number, message: string, data?: unknown) {
    super(message);
    this.name = 'StatelessUpstreamError';
    this.status = status;
    this.code = code;
    this.data = data;
  }
}

/**
 * Sends one request to a server that speaks MCP 2026-07-28 (RFC 0013): its own POST, the
 * protocol version, method and name in headers as the revision requires, the envelope in
 * `params._meta` as the caller gave it (its version set to the one the server speaks). Resolves
 * to the raw result (`input_required` included); rejects with {@link StatelessUpstreamError} for
 * a JSON-RPC error, or the network's error.
 */
export async function postStateless(
  target: StatelessTarget,
  method: string,
  params: Record<string, unknown>,
  options: StatelessPostOptions = {},
): Promise<Record<string, unknown>> {
  const meta = {
    ...(params._meta as Record<string, unknown>),
    [META.protocolVersion]: STATELESS_VERSION,
  };
  const body = { jsonrpc: '2.0', id: randomUUID(), method, params: { ...params, _meta: meta } };
  const name = params.name ?? params.uri;
  const response = await fetch(target.url, {
    method: 'POST',
    headers: {
      ...target.headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': STATELESS_VERSION,
      'mcp-method': method,
      ...(typeof name === 'string' && { 'mcp-name': headerValue(name) }),
    },
    body: JSON.stringify(body),
    ...(options.signal && { signal: options.signal }),
  });
  const type = response.headers.get('content-type') ?? '';
  let answer: Record<string, unknown> | undefined;
  if (type.includes('text/event-stream') && response.body) {
    const feed = createSseParser((event) => {
      const message = JSON.parse(event.data) as Record<string, unknown>;
      if ('method' in message) options.onNotification?.(message as unknown as UpstreamMessage);
      else if (message.id === body.id) answer = message;
    });
    const decoder = new TextDecoder();
    for await (const chunk of response.body) {
      feed(decoder.decode(chunk as Uint8Array, { stream: true }));
      if (answer) break;
    }
  } else {
    const text = await response.text();
    try {
      answer = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new StatelessUpstreamError(
        response.status,
        -32603,
        `the server answered HTTP ${response.status} without a JSON-RPC message`,
      );
    }
  }
  if (answer === undefined)
    throw new StatelessUpstreamError(response.status, -32603, 'the stream ended without an answer');
  const error = answer.error as { code?: number; message?: string; data?: unknown } | undefined;
  if (error)
    throw new StatelessUpstreamError(
      response.status,
      typeof error.code === 'number' ? error.code : -32603,
      String(error.message ?? 'error'),
      error.data,
    );
  return (answer.result ?? {}) as Record<string, unknown>;
}

/**
 * Whether the server at `target` speaks MCP 2026-07-28: its answer to `server/discover` (with
 * the gateway's envelope) lists a version the gateway serves. Any other answer, or none, is a
 * 2025-11-25 server (the revision's rule for HTTP).
 */
export async function speaksStateless(
  target: StatelessTarget,
  clientInfo: { name: string; version: string },
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    const result = await postStateless(
      target,
      'server/discover',
      {
        _meta: {
          [META.clientCapabilities]: {},
          [META.clientInfo]: clientInfo,
        },
      },
      signal ? { signal } : {},
    );
    const versions = result.supportedVersions;
    return Array.isArray(versions) && versions.some((v) => STATELESS_VERSIONS.includes(v));
  } catch {
    return false;
  }
}

/** A header value as the revision sends it: plain ASCII as is, anything else base64-wrapped. */
function headerValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) && value.trim() === value
    ? value
    : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** The list each change notification of a listen stream is about. */
const CHANGED: Record<string, ListMethod> = {
  'notifications/tools/list_changed': 'tools/list',
  'notifications/prompts/list_changed': 'prompts/list',
  'notifications/resources/list_changed': 'resources/list',
};

/**
 * Follows a 2026-07-28 server's list changes on a `subscriptions/listen` stream (tools, prompts,
 * resources) until `signal` aborts or the server ends the stream.
 */
export async function listenStateless(
  target: StatelessTarget,
  clientInfo: { name: string; version: string },
  changed: (method: ListMethod) => void,
  signal: AbortSignal,
): Promise<void> {
  await postStateless(
    target,
    'subscriptions/listen',
    {
      notifications: {
        toolsListChanged: true,
        promptsListChanged: true,
        resourcesListChanged: true,
      },
      _meta: { [META.clientCapabilities]: {}, [META.clientInfo]: clientInfo },
    },
    {
      signal,
      onNotification: (notification) => {
        const method = CHANGED[notification.method];
        if (method !== undefined) changed(method);
      },
    },
  );
}
