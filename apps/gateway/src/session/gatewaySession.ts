import { ResultSchema } from '@modelcontextprotocol/core';
import type {
  ClientCapabilities,
  Implementation,
  RequestId,
  ServerNotification,
  ServerRequest,
} from '@modelcontextprotocol/server';
import { ProtocolError, Server } from '@modelcontextprotocol/server';
import type { Clock } from '@selfheal/internal';
import type { GatewaySettings } from '../config/loadConfig.js';
import { WireErrorCode } from '../errors.js';
import { reasonOf } from '../upstream/connectUpstream.js';
import type { TransportFactory } from '../upstream/transportFactory.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';
import { onAnswerSent } from './afterAnswer.js';
import { createRouter, type RouterOptions } from './router.js';
import { missingCapability } from './serverRequests.js';
import type { ToolCallHost } from './toolCall.js';
import { type LinkHost, wireError } from './upstreamLink.js';

type Params = Record<string, unknown> | undefined;

/** Options of {@link createGatewaySession}. */
export interface GatewaySessionOptions
  extends Pick<RouterOptions, 'upstreams' | 'upstreamsGeneration'> {
  settings: Pick<
    GatewaySettings,
    'separator' | 'degradation' | 'requestTimeoutMs' | 'clientSessions'
  >;
  factory: TransportFactory;
  serverInfo: Implementation;
  /** Timers of the idle close of client sessions of their own. @default systemClock */
  clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** Told once per exposed name that two servers claim at run time (the first one keeps it). */
  onWarning?: (message: string) => void;
  /** The call path of tools/call: policies, the bus, and the routing state (RFC 0008). */
  calls: ToolCallHost;
  /** Top-level tool chains: exposed tool -> exposed tools tried in order. @default {} */
  fallbacks?: Record<string, string[]>;
  /**
   * Called right after each answer the session sends (`AfterAnswer.flush`: the finished calls'
   * `call_completed` go out then, before the client can have read the answer).
   */
  onAnswer?: () => void;
}

/**
 * One client session: an MCP server for the client, and a link to each upstream (over the
 * server's shared connection, or a session of the client's own where it needs one: RFC 0010).
 */
export interface GatewaySession {
  /** Connect it to a transport (Streamable HTTP session or stdio). */
  readonly server: Server;
  /** Closes the session's upstream links (their stdio processes exit). Idempotent. */
  close(): Promise<void>;
}

/** What the gateway offers every client; lists are empty where no upstream has the feature. */
export const GATEWAY_CAPABILITIES = {
  tools: { listChanged: true },
  prompts: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  logging: {},
  completions: {},
};

/** Server-to-client requests may wait on a person; the upstream decides when to give up. */
const SERVER_REQUEST_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/**
 * Creates one client session (RFC 0006): every client request is routed to the session's own
 * upstream sessions and answered with the upstream's raw result; requests upstreams send back
 * (sampling, elicitation, roots) go to this session's client only.
 */
export function createGatewaySession(options: GatewaySessionOptions): GatewaySession {
  const { settings, serverInfo } = options;
  const server = new Server(serverInfo, {
    capabilities: GATEWAY_CAPABILITIES,
    instructions: composeInstructions(options.upstreams),
  });
  // The SDK answers setLevel itself when logging is advertised; the upstreams must get it.
  server.removeRequestHandler('logging/setLevel');
  const onAnswer = options.onAnswer;
  if (onAnswer) {
    const connect = server.connect.bind(server);
    server.connect = (transport) => connect(onAnswerSent(transport, onAnswer));
  }
  const trust = options.calls.trust;
  const host: LinkHost = {
    factory: options.factory,
    ...(trust && { onInvalidMessage: (name, error) => trust.invalidMessage(name, error) }),
    timeoutMs: settings.requestTimeoutMs,
    idleMs: settings.clientSessions.idleMs,
    ...(options.clock && { clock: options.clock }),
    clientInfo: () => server.getClientVersion() ?? { name: 'unknown-client', version: '0' },
    clientCapabilities: () => withoutTasks(server.getClientCapabilities()),
    onServerRequest: async (_link, request, signal, related) => {
      const missing = missingCapability(request.method, server.getClientCapabilities());
      if (missing !== undefined)
        throw wireError(
          WireErrorCode.InvalidRequest,
          `selfheal: the client did not declare the ${missing} capability, so the server's ${request.method} cannot be passed to it`,
          { requiredCapabilities: { [missing]: {} } },
        );
      const send = (relatedRequestId?: RequestId) =>
        server.request(request as ServerRequest, ResultSchema, {
          signal,
          relatedRequestId,
          timeout: SERVER_REQUEST_TIMEOUT_MS,
        });
      try {
        return (await send(related)) as Record<string, unknown>;
      } catch (error) {
        if (error instanceof ProtocolError)
          throw wireError(error.code, reasonOf(error), error.data);
        throw error;
      }
    },
    onNotification: (_link, notification, related) => {
      const send = (relatedRequestId?: RequestId) =>
        server.notification(
          notification as ServerNotification,
          relatedRequestId === undefined ? undefined : { relatedRequestId },
        );
      // The call it relates to may have just finished; the session stream still takes it.
      send(related).catch(() => (related === undefined ? undefined : send().catch(() => {})));
    },
    onResend: (link, { traceId, sessionId, ...resend }) => {
      const { bus, events } = options.calls;
      const ids = {
        ...(traceId === undefined ? {} : { trace_id: traceId }),
        ...(sessionId === undefined ? {} : { session_id: sessionId }),
      };
      try {
        bus.publish(events.requestResent({ server_name: link.name, ...resend, ...ids }));
      } catch {
        // A closed bus (the gateway stopping) must not turn the call's answer into an error.
      }
    },
  };
  const router = createRouter({
    upstreams: options.upstreams,
    ...(options.upstreamsGeneration && { upstreamsGeneration: options.upstreamsGeneration }),
    settings,
    host,
    calls: options.calls,
    ...(options.onWarning && { onWarning: options.onWarning }),
    ...(options.fallbacks && { fallbacks: options.fallbacks }),
  });

  server.fallbackRequestHandler = async (request, ctx) =>
    (await router.route(request.method, request.params as Params, {
      signal: ctx.mcpReq.signal,
      requestId: ctx.mcpReq.id,
      ...(ctx.sessionId !== undefined && { sessionId: ctx.sessionId }),
      ...(ctx.mcpReq._meta !== undefined && { _meta: ctx.mcpReq._meta }),
      sendNotification: (notification) => ctx.mcpReq.notify(notification as never),
    })) as never;
  server.fallbackNotificationHandler = async (notification) => {
    if (notification.method === 'notifications/roots/list_changed')
      for (const link of router.links) link.notify(notification.method, notification.params);
  };
  // Where a server has a session per client, open it as soon as the client's capabilities are
  // known, so that a server that registers features per client does so before the first list.
  server.oninitialized = () => {
    for (const link of router.links) if (link.ownSession) link.ensure().catch(() => {});
  };

  const close = router.close;
  const previousOnClose = server.onclose;
  server.onclose = () => {
    previousOnClose?.();
    void close();
  };
  return { server, close };
}

function withoutTasks(capabilities: ClientCapabilities | undefined): ClientCapabilities {
  const { tasks: _tasks, ...rest } = capabilities ?? {};
  return rest;
}

/** The upstreams' instructions, each under its server's name; undefined when none has any. */
export function composeInstructions(upstreams: readonly UpstreamServer[]): string | undefined {
  const parts = upstreams
    .filter((u) => u.catalog?.instructions)
    .map((u) => `## ${u.spec.name}\n${u.catalog!.instructions}`);
  return parts.length === 0 ? undefined : parts.join('\n\n');
}
