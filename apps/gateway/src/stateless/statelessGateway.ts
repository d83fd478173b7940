import type { Implementation, Notification } from '@modelcontextprotocol/server';
import type { Clock } from '@selfheal/internal';
import type { GatewaySettings } from '../config/loadConfig.js';
import { WireErrorCode } from '../errors.js';
import { createRouter, type Router, type RouterOptions } from '../session/router.js';
import type { ToolCallHost } from '../session/toolCall.js';
import type { TransportFactory } from '../upstream/transportFactory.js';
import { isEnvelopeProblem, readEnvelope, STATELESS_VERSIONS } from './envelope.js';
import { InFlightRequests, upstreamFailure } from './inFlight.js';
import { InputCalls } from './inputRounds.js';
import { type RoundTripContext, serveInputRoundTrip } from './inputRoundTrips.js';
import { createListener, type ListChanges, type ListenRequest, listChangesOf } from './listen.js';
import { decorateResult, errorReply, problem } from './statelessReplies.js';

/** A JSON-RPC request of a stateless client. */
export interface StatelessRequest {
  id: string | number;
  method: string;
  params?: Record<string, unknown>;
}

/** Where a stateless request's answer and its notifications go (an HTTP response, stdio). */
export interface StatelessIo {
  /** Sends a notification related to the request (progress, a log message) before its answer. */
  notify(notification: Notification): void;
  /** Aborts when the client gives up on the request (its stream closed, `notifications/cancelled`). */
  signal: AbortSignal;
}

/** The answer to a stateless request: a result or a JSON-RPC error, and its HTTP status. */
export type StatelessReply =
  | { status: number; result: Record<string, unknown> }
  | { status: number; error: { code: number; message: string; data?: unknown } };

/** Options of {@link createStatelessGateway}. */
export interface StatelessGatewayOptions
  extends Pick<RouterOptions, 'upstreams' | 'upstreamsGeneration'> {
  /**
   * Where the listen streams learn of list changes. @default each of `upstreams`' `listChanged`
   * events (a gateway whose upstreams change on reload passes its own)
   */
  listChanges?: ListChanges;
  settings: Pick<GatewaySettings, 'separator' | 'degradation' | 'requestTimeoutMs'>;
  factory: TransportFactory;
  calls: ToolCallHost;
  fallbacks?: Record<string, string[]>;
  serverInfo: Implementation;
  /** The aggregate's instructions (those of every server), read per discover. */
  instructions: () => string | undefined;
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  onWarning?: (message: string) => void;
  /**
   * How long a call that asked its client for input waits for the retry that answers, ms.
   * @default 600000
   */
  inputTtlMs?: number;
}

/** Serves MCP 2026-07-28 requests: every request carries its client, no session is kept. */
export interface StatelessGateway {
  /** Answers one request (`subscriptions/listen` streams until its signal aborts). */
  serve(request: StatelessRequest, io: StatelessIo): Promise<StatelessReply>;
  /** The tool an exposed name routes to, as its server last listed it (its `x-mcp-header` marks). */
  tool: Router['tool'];
  /** Aborts parked input rounds and closes the links. Idempotent. */
  close(): Promise<void>;
}

/** What the gateway offers a stateless client (2026-07-28: no subscribe, no setLevel). */
export const STATELESS_CAPABILITIES = {
  tools: { listChanged: true },
  prompts: { listChanged: true },
  resources: { listChanged: true },
  logging: {},
  completions: {},
};

/** Methods 2026-07-28 removed: unknown to a stateless client (404, -32601). */
const REMOVED = new Set([
  'initialize',
  'ping',
  'logging/setLevel',
  'resources/subscribe',
  'resources/unsubscribe',
]);

/** Methods routed to the upstreams. */
const ROUTED = new Set([
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'completion/complete',
]);

/** Methods that may answer `input_required` (multi round-trip requests). */
const MAY_ASK = new Set(['tools/call', 'prompts/get', 'resources/read']);

/**
 * Creates the stateless face of a gateway (RFC 0013). Requests are routed as a session's are
 * (`createRouter`), always over the servers' shared connections. What a 2025-11-25 upstream
 * sends back during a request goes to that request: progress and (at the envelope's level) log
 * messages on its stream, and a request for input as an `input_required` round the client's
 * retry answers.
 */
export function createStatelessGateway(options: StatelessGatewayOptions): StatelessGateway {
  const { serverInfo } = options;
  const inFlight = new InFlightRequests();
  const router = createRouter({
    upstreams: options.upstreams,
    ...(options.upstreamsGeneration && { upstreamsGeneration: options.upstreamsGeneration }),
    settings: options.settings,
    calls: options.calls,
    ...(options.fallbacks && { fallbacks: options.fallbacks }),
    ...(options.onWarning && { onWarning: options.onWarning }),
    host: {
      stateless: true,
      factory: options.factory,
      timeoutMs: options.settings.requestTimeoutMs,
      clientInfo: () => serverInfo,
      clientCapabilities: () => ({}),
      ...inFlight.hostHandlers(),
    },
  });
  const roundTrips: RoundTripContext = {
    router,
    inFlight,
    inputs: new InputCalls(options.clock, options.inputTtlMs ?? 600_000),
    rounds: new WeakMap(),
    serverInfo,
  };
  const listener = createListener(options.listChanges ?? listChangesOf(options.upstreams));

  return {
    async serve(request, io) {
      const envelope = readEnvelope(request.params);
      if (isEnvelopeProblem(envelope))
        return problem(envelope.status, envelope.code, envelope.message, envelope.data);
      const { method } = request;
      if (method === 'server/discover')
        return {
          status: 200,
          result: decorateResult(
            'tools/list',
            {
              supportedVersions: [...STATELESS_VERSIONS],
              capabilities: STATELESS_CAPABILITIES,
              ...(options.instructions() && { instructions: options.instructions() }),
            },
            serverInfo,
          ),
        };
      if (method === 'subscriptions/listen')
        return listener.listen(request as ListenRequest, io, serverInfo);
      if (REMOVED.has(method) || !ROUTED.has(method))
        return problem(
          404,
          WireErrorCode.MethodNotFound,
          REMOVED.has(method)
            ? `Method not found: ${method} is not part of MCP ${envelope.protocolVersion} (it was removed with sessions)`
            : `Method not found: ${method}`,
        );
      if (MAY_ASK.has(method)) return serveInputRoundTrip(roundTrips, request, envelope, io);
      const { promise } = inFlight.start(
        router,
        request,
        envelope,
        io,
        () => Promise.reject(upstreamFailure(`${method} cannot ask the client for input`)),
        io.signal,
      );
      try {
        return { status: 200, result: decorateResult(method, await promise, serverInfo) };
      } catch (error) {
        return errorReply(error);
      }
    },
    tool: (exposed) => router.tool(exposed),
    async close() {
      roundTrips.inputs.close();
      listener.close();
      await router.close();
    },
  };
}
