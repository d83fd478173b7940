import type { Implementation, Notification } from '@modelcontextprotocol/server';
import type { Clock } from '@selfheal/internal';
import type { GatewaySettings } from '../config/loadConfig.js';
import { WireErrorCode } from '../errors.js';
import { createRouter, type Router } from '../session/router.js';
import { missingCapability } from '../session/serverRequests.js';
import type { ToolCallHost } from '../session/toolCall.js';
import type { UpstreamMessage } from '../upstream/sharedCalls.js';
import type { TransportFactory } from '../upstream/transportFactory.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';
import {
  type Envelope,
  isEnvelopeProblem,
  logLevelPasses,
  META,
  readEnvelope,
  resultTypeOf,
  STATELESS_VERSIONS,
  StatelessErrorCode,
} from './envelope.js';
import { InputCall, InputCalls, isOwnRequestState } from './inputRounds.js';
import { createListener, type ListChanges, type ListenRequest, listChangesOf } from './listen.js';

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
export interface StatelessGatewayOptions {
  upstreams: readonly UpstreamServer[];
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

/** Methods whose results a client may cache (`ttlMs`, `cacheScope`). */
const CACHEABLE = new Set([
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
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
  /** The request each synthetic id stands for, while it is in flight upstream. */
  const inFlight = new Map<string, InFlight>();
  let counter = 0;
  const inputs = new InputCalls(options.clock, options.inputTtlMs ?? 600_000);
  /** The in-flight entry of each call that may ask for input, across its rounds. */
  const rounds = new WeakMap<InputCall, InFlight>();
  const router = createRouter({
    upstreams: options.upstreams,
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
      onServerRequest: async (_link, message, signal, related) => {
        const call = inFlight.get(String(related));
        if (call === undefined)
          throw failure(`no stateless request ${String(related)} is in flight`);
        return call.ask(message, signal);
      },
      onNotification: (_link, message, related) => {
        inFlight.get(String(related))?.notify(message);
      },
    },
  });
  const listener = createListener(options.listChanges ?? listChangesOf(options.upstreams));

  const decorate = (method: string, result: Record<string, unknown>) => {
    const meta = (result._meta ?? {}) as Record<string, unknown>;
    const resultType = resultTypeOf(result);
    return {
      ...result,
      resultType,
      ...(CACHEABLE.has(method) &&
        resultType !== 'input_required' && {
          ttlMs: result.ttlMs ?? 0,
          cacheScope: result.cacheScope ?? 'private',
        }),
      _meta: { ...meta, [META.serverInfo]: serverInfo },
    };
  };

  /** Routes one request (or round) with a synthetic id that ties upstream traffic to it. */
  const start = (
    request: StatelessRequest,
    envelope: Envelope,
    io: StatelessIo,
    ask: (message: UpstreamMessage, signal?: AbortSignal) => Promise<Record<string, unknown>>,
    signal: AbortSignal,
  ) => {
    const id = `stateless-${++counter}`;
    const entry: InFlight = {
      io,
      envelope,
      ask: (message, askSignal) => {
        const capability = missingCapability(message.method, entry.envelope.clientCapabilities);
        if (capability !== undefined) return Promise.reject(capabilityError(capability));
        return ask(message, askSignal);
      },
      notify: (message) => {
        if (
          message.method === 'notifications/message' &&
          !logLevelPasses(message.params?.level, entry.envelope.logLevel)
        )
          return;
        entry.io.notify(message as Notification);
      },
    };
    inFlight.set(id, entry);
    // The envelope stays: a server that speaks this revision gets it; the link takes it off for
    // one that does not.
    const params = request.params;
    const meta = request.params?._meta as Record<string, unknown> | undefined;
    const promise = router
      .route(request.method, params, {
        signal,
        requestId: id,
        ...(meta && { _meta: meta }),
        sendNotification: async (n) => entry.io.notify(n),
      })
      .finally(() => inFlight.delete(id));
    return { entry, promise };
  };

  const reply = (method: string, outcome: Awaited<ReturnType<InputCall['next']>>) => {
    if (outcome.kind === 'done') return { status: 200, result: decorate(method, outcome.result) };
    if (outcome.kind === 'failed') return errorReply(outcome.error);
    return {
      status: 200,
      result: {
        resultType: 'input_required',
        inputRequests: outcome.inputRequests,
        requestState: outcome.requestState,
        _meta: { [META.serverInfo]: serverInfo },
      },
    };
  };

  /** A call that may ask for input: the first round, or a retry that answers one. */
  const serveRounds = async (
    request: StatelessRequest,
    envelope: Envelope,
    io: StatelessIo,
  ): Promise<StatelessReply> => {
    let call: InputCall | undefined;
    const what = `${request.method} ${String(request.params?.name ?? request.params?.uri)}`;
    if (isOwnRequestState(request.params?.requestState)) {
      call = inputs.take(request.params.requestState);
      if (call !== undefined && call.what !== what) {
        call.abort('a retry named another request');
        call = undefined;
      }
      if (call === undefined)
        return problem(
          400,
          -32602,
          'Invalid params: requestState is unknown or expired (each is answered once, within its time to live); send the request again without it',
        );
      // This round's stream and envelope (log level, capabilities) serve from now on.
      const entry = rounds.get(call);
      if (entry) Object.assign(entry, { io, envelope });
      call.answer((request.params.inputResponses ?? {}) as Record<string, unknown>);
    } else {
      // Input responses without a token of ours answer a server that speaks this revision: they
      // go along (a 2025-11-25 server's link leaves them out).
      const params = request.params;
      const fresh = new InputCall(what);
      fresh.begin((signal) => {
        const started = start(
          { ...request, params },
          envelope,
          io,
          (m, askSignal) => fresh.ask(m, askSignal),
          signal,
        );
        rounds.set(fresh, started.entry);
        return started.promise;
      });
      call = fresh;
    }
    const parked = call;
    const abort = () => parked.abort('the client closed the request');
    io.signal.addEventListener('abort', abort, { once: true });
    try {
      const outcome = await parked.next();
      if (outcome.kind === 'input_required') inputs.park(parked);
      return reply(request.method, outcome);
    } finally {
      io.signal.removeEventListener('abort', abort);
    }
  };

  return {
    async serve(request, io) {
      const envelope = readEnvelope(request.params);
      if (isEnvelopeProblem(envelope))
        return problem(envelope.status, envelope.code, envelope.message, envelope.data);
      const { method } = request;
      if (method === 'server/discover')
        return {
          status: 200,
          result: decorate('tools/list', {
            supportedVersions: [...STATELESS_VERSIONS],
            capabilities: STATELESS_CAPABILITIES,
            ...(options.instructions() && { instructions: options.instructions() }),
          }),
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
      if (MAY_ASK.has(method)) return serveRounds(request, envelope, io);
      const { promise } = start(
        request,
        envelope,
        io,
        () => Promise.reject(failure(`${method} cannot ask the client for input`)),
        io.signal,
      );
      try {
        return { status: 200, result: decorate(method, await promise) };
      } catch (error) {
        return errorReply(error);
      }
    },
    tool: (exposed) => router.tool(exposed),
    async close() {
      inputs.close();
      listener.close();
      await router.close();
    },
  };
}

/** A request in flight upstream on behalf of a stateless request. */
interface InFlight {
  io: StatelessIo;
  envelope: Envelope;
  ask(message: UpstreamMessage, signal?: AbortSignal): Promise<Record<string, unknown>>;
  notify(message: UpstreamMessage): void;
}

function problem(status: number, code: number, message: string, data?: unknown): StatelessReply {
  return { status, error: { code, message, ...(data === undefined ? {} : { data }) } };
}

/** An error the router rejected with, as the client gets it (in-band, HTTP 200). */
function errorReply(error: unknown): StatelessReply {
  const e = error as { code?: unknown; message?: unknown; data?: unknown };
  let code = typeof e?.code === 'number' ? e.code : WireErrorCode.InternalError;
  // 2026-07-28 says resource not found with -32602 (and data.uri); 2025-11-25 said -32002.
  if (code === -32002) code = -32602;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return problem(HTTP_400.has(code) ? 400 : 200, code, message, e?.data);
}

/** The revision's errors that go with HTTP 400, whoever raised them (the gateway or upstream). */
const HTTP_400 = new Set<number>([
  StatelessErrorCode.HeaderMismatch,
  StatelessErrorCode.MissingRequiredClientCapability,
  StatelessErrorCode.UnsupportedProtocolVersion,
]);

/** What a 2025-11-25 upstream gets for a request of a capability the caller did not declare. */
function capabilityError(capability: string): Error {
  return Object.assign(
    new Error(
      `selfheal: the client did not declare the ${capability} capability in its request's envelope`,
    ),
    {
      code: StatelessErrorCode.MissingRequiredClientCapability,
      data: { requiredCapabilities: { [capability]: {} } },
    },
  );
}

/** What a 2025-11-25 upstream gets for a request the gateway cannot pass to any caller. */
function failure(why: string): Error {
  return Object.assign(new Error(`selfheal: ${why}`), { code: WireErrorCode.InternalError });
}
