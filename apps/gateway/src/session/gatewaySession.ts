import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type {
  RequestHandlerExtra,
  RequestOptions,
} from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type ClientCapabilities,
  type Implementation,
  McpError,
  type RequestId,
  ResultSchema,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { isResilienceError } from '@selfheal/resilience';
import type { Clock } from '../clock.js';
import type { GatewaySettings } from '../config/loadConfig.js';
import { GatewayError, GatewayErrorCode, WireErrorCode } from '../errors.js';
import { createToolFilter, exposeName, resolveCollisions } from '../naming.js';
import { LIST_KEYS, type ListMethod, type RawItem } from '../upstream/catalog.js';
import { reasonOf } from '../upstream/connectUpstream.js';
import type { TransportFactory } from '../upstream/transportFactory.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';
import { onAnswerSent } from './afterAnswer.js';
import { dispatchByShape } from './dispatchByShape.js';
import { type RouteSource, routeName, routeUri } from './routing.js';
import { executeToolCall, isUnavailable, type ToolCallHost, type ToolTarget } from './toolCall.js';
import { traceContextOf } from './traceContext.js';
import { executeUpstreamCall, toWireError } from './upstreamCall.js';
import { type LinkHost, UpstreamLink, unavailableWireError, wireError } from './upstreamLink.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type Params = Record<string, unknown> | undefined;

/** Options of {@link createGatewaySession}. */
export interface GatewaySessionOptions {
  upstreams: readonly UpstreamServer[];
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
  const connect = server.connect.bind(server);
  server.connect = async (transport) => {
    await connect(onAnswer ? onAnswerSent(transport, onAnswer) : transport);
    dispatchByShape(server, transport);
  };
  const warned = new Set<string>();

  const host: LinkHost = {
    factory: options.factory,
    timeoutMs: settings.requestTimeoutMs,
    idleMs: settings.clientSessions.idleMs,
    ...(options.clock && { clock: options.clock }),
    clientInfo: () => server.getClientVersion() ?? { name: 'unknown-client', version: '0' },
    clientCapabilities: () => withoutTasks(server.getClientCapabilities()),
    onServerRequest: async (_link, request, signal, related) => {
      const send = (relatedRequestId?: RequestId) =>
        server.request(request as ServerRequest, ResultSchema, {
          signal,
          relatedRequestId,
          timeout: SERVER_REQUEST_TIMEOUT_MS,
        });
      try {
        return (await send(related)) as Record<string, unknown>;
      } catch (error) {
        if (error instanceof McpError) throw wireError(error.code, reasonOf(error), error.data);
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
    onReplay: (link, { traceId, sessionId, ...replay }) => {
      const { bus, events } = options.calls;
      const ids = {
        ...(traceId === undefined ? {} : { trace_id: traceId }),
        ...(sessionId === undefined ? {} : { session_id: sessionId }),
      };
      try {
        bus.publish(
          events.createOther('request_replayed', { server_name: link.name, ...replay, ...ids }),
        );
      } catch {
        // A closed bus (the gateway stopping) must not turn the call's answer into an error.
      }
    },
  };
  const links = options.upstreams.map((upstream) => new UpstreamLink(upstream, host));
  const filters = new Map(
    links.map((l) => [l.name, createToolFilter(l.upstream.spec.config.tools ?? {})]),
  );
  const linkOf = (name: string) => links.find((l) => l.name === name)!;
  const sources: RouteSource[] = links.map((link) => ({
    server: link.name,
    prefix: link.upstream.spec.prefix,
    known: (method) =>
      link.lists.get(method) ?? link.upstream.catalog?.[LIST_KEYS[method]] ?? undefined,
    has: (capability) => Boolean(link.capabilities()[capability]),
  }));

  const requestOptions = (extra: Extra): RequestOptions => {
    const progressToken = extra._meta?.progressToken;
    return {
      signal: extra.signal,
      timeout: settings.requestTimeoutMs,
      resetTimeoutOnProgress: true,
      ...(progressToken === undefined
        ? {}
        : {
            // The SDK gives the upstream request its own token; the client sees its own back.
            onprogress: (progress) => {
              void extra
                .sendNotification({
                  method: 'notifications/progress',
                  params: { ...progress, progressToken },
                })
                .catch(() => {});
            },
          }),
    };
  };

  const aggregate = async (method: ListMethod, extra: Extra) => {
    const key = LIST_KEYS[method];
    const perServer = await Promise.all(
      links.map(async (link) => {
        // Hidden while down without waiting for a connect attempt to fail.
        if (settings.degradation === 'hide' && options.calls.isDown(link.name))
          return { link, items: [], live: false };
        try {
          const items = await executeUpstreamCall(options.calls, {
            server: link.name,
            method,
            signal: extra.signal,
            trace: traceContextOf(undefined),
            ...(extra.sessionId === undefined ? {} : { sessionId: extra.sessionId }),
            connect: () => link.ensure(),
            attempt: (signal) => link.list(method, signal),
          });
          return { link, items, live: true };
        } catch (error) {
          // Down, timed out, refused by its breaker or bulkhead: the last known catalog serves.
          if (extra.signal.aborted || !(error instanceof GatewayError || isResilienceError(error)))
            throw error;
          const catalog = link.upstream.catalog;
          const keep = settings.degradation === 'list_with_error' && catalog !== undefined;
          // A refusal of the policy (open breaker, timeout) says so; a lost server says since when.
          const reason = isResilienceError(error)
            ? `server "${link.name}": ${error.message}`
            : undefined;
          return { link, items: keep ? catalog[key] : [], live: false, reason };
        }
      }),
    );
    const out: RawItem[] = [];
    const named: { server: string; name: string; exposed: string; item: RawItem }[] = [];
    for (const { link, items, live, reason } of perServer as {
      link: UpstreamLink;
      items: RawItem[];
      live: boolean;
      reason?: string;
    }[]) {
      const filter = filters.get(link.name)!;
      for (const raw of items) {
        const item = live
          ? raw
          : markUnavailable(raw, reason ?? link.upstream.describeUnavailable());
        if (method === 'tools/list' || method === 'prompts/list') {
          const name = String(raw.name);
          if (method === 'tools/list' && !filter(name)) continue;
          const exposed = exposeName(link.upstream.spec.prefix, settings.separator, name);
          named.push({ server: link.name, name, exposed, item: { ...item, name: exposed } });
        } else out.push(item);
      }
    }
    if (named.length > 0) {
      const { kept, dropped } = resolveCollisions(named, 'first_wins', 'tool');
      for (const d of dropped) {
        if (warned.has(d.exposed)) continue;
        warned.add(d.exposed);
        options.onWarning?.(
          `"${d.exposed}" from server "${d.server}" is hidden: another server exposes the same name`,
        );
      }
      out.push(...kept.map((k) => k.item));
    }
    return { [key]: out };
  };

  const routeByName = (method: 'tools/list' | 'prompts/list', exposed: unknown) => {
    const route =
      typeof exposed === 'string'
        ? routeName(exposed, sources, settings.separator, method)
        : undefined;
    const kind = method === 'tools/list' ? 'Tool' : 'Prompt';
    if (!route || (method === 'tools/list' && !filters.get(route.server)!(route.name)))
      throw wireError(WireErrorCode.InvalidParams, `${kind} ${String(exposed)} not found`);
    return { link: linkOf(route.server), name: route.name };
  };

  /**
   * Where a tools/call may be served, in order: its own server, the same tool on the servers
   * that server names in `fallback`, then the tools the top-level `fallbacks` chain names.
   */
  const toolTargets = (exposed: string): ToolTarget[] => {
    const first = routeByName('tools/list', exposed);
    const targets: ToolTarget[] = [{ ...first, exposed }];
    const add = (target: ToolTarget) => {
      if (!targets.some((t) => t.link === target.link && t.name === target.name))
        targets.push(target);
    };
    for (const server of first.link.upstream.spec.config.fallback ?? []) {
      const link = links.find((l) => l.name === server);
      if (link)
        add({
          link,
          name: first.name,
          exposed: exposeName(link.upstream.spec.prefix, settings.separator, first.name),
        });
    }
    for (const other of options.fallbacks?.[exposed] ?? []) {
      const route = routeName(other, sources, settings.separator, 'tools/list');
      if (route && filters.get(route.server)!(route.name))
        add({ link: linkOf(route.server), name: route.name, exposed: other });
    }
    return targets;
  };

  const routeByUri = (uri: unknown) => {
    const owner = typeof uri === 'string' ? routeUri(uri, sources) : undefined;
    if (owner === undefined)
      throw wireError(-32002, `Resource not found: no configured server offers ${String(uri)}`, {
        uri,
      });
    return linkOf(owner);
  };

  const handle = async (method: string, params: Params, extra: Extra) => {
    // Every upstream request goes through its server's policy; only tools/call has a chain.
    const forward = (link: UpstreamLink, p: Params) => {
      const trace = traceContextOf(p?._meta as Record<string, unknown> | undefined);
      const session = extra.sessionId === undefined ? {} : { sessionId: extra.sessionId };
      return executeUpstreamCall(options.calls, {
        server: link.name,
        method,
        signal: extra.signal,
        trace,
        ...session,
        connect: () => link.ensure(),
        attempt: (signal) =>
          link.forward(
            method,
            p,
            extra.requestId,
            { ...requestOptions(extra), signal },
            { traceId: trace.traceId, ...session },
          ),
      }).catch((error: unknown) => {
        throw toWireError(error, link.name);
      });
    };
    switch (method) {
      case 'tools/list':
      case 'prompts/list':
      case 'resources/list':
      case 'resources/templates/list':
        return aggregate(method, extra);
      case 'tools/call': {
        const exposed = String(params?.name);
        try {
          return await executeToolCall(options.calls, {
            exposed,
            params: params ?? {},
            targets: toolTargets(exposed),
            requestId: extra.requestId,
            options: requestOptions(extra),
            trace: traceContextOf(params?._meta as Record<string, unknown> | undefined),
            ...(extra.sessionId === undefined ? {} : { sessionId: extra.sessionId }),
          });
        } catch (error) {
          if (isUnavailable(error)) return toolError(error);
          if (isResilienceError(error) && !extra.signal.aborted) return resilienceToolError(error);
          throw error;
        }
      }
      case 'prompts/get': {
        const { link, name } = routeByName('prompts/list', params?.name);
        return forward(link, { ...params, name });
      }
      case 'resources/read':
        return forward(routeByUri(params?.uri), params);
      case 'resources/subscribe':
      case 'resources/unsubscribe': {
        // The server keeps subscriptions per session: this client gets a session of its own.
        const link = routeByUri(params?.uri);
        link.keep(method, params);
        return forward(link, params);
      }
      case 'completion/complete': {
        const ref = (params?.ref ?? {}) as Record<string, unknown>;
        if (ref.type === 'ref/prompt') {
          const { link, name } = routeByName('prompts/list', ref.name);
          return forward(link, { ...params, ref: { ...ref, name } });
        }
        return forward(routeByUri(ref.uri), params);
      }
      case 'logging/setLevel': {
        // The server keeps the level per session: this client gets a session of its own with
        // each server that logs, and a down one gets the level when that session opens.
        await Promise.all(
          links.map(async (link) => {
            if (!link.capabilities().logging) return;
            link.keep(method, params);
            try {
              await link.ensure(extra.signal);
            } catch (error) {
              if (isUnavailable(error)) return;
              throw error;
            }
            await forward(link, params);
          }),
        );
        return {};
      }
      default:
        throw wireError(WireErrorCode.MethodNotFound, 'Method not found');
    }
  };

  server.fallbackRequestHandler = async (request, extra) => {
    try {
      return (await handle(request.method, request.params as Params, extra)) as never;
    } catch (error) {
      if (isUnavailable(error)) throw unavailableWireError(error);
      if (error instanceof GatewayError && error.code === GatewayErrorCode.ClientSessionsExhausted)
        throw wireError(WireErrorCode.ClientSessionsExhausted, error.message, error.data);
      throw error;
    }
  };
  server.fallbackNotificationHandler = async (notification) => {
    if (notification.method === 'notifications/roots/list_changed')
      for (const link of links) link.notify(notification.method, notification.params);
  };
  // Where a server has a session per client, open it as soon as the client's capabilities are
  // known, so that a server that registers features per client does so before the first list.
  server.oninitialized = () => {
    for (const link of links) if (link.ownSession) link.ensure().catch(() => {});
  };

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= Promise.all(links.map((l) => l.close())).then(() => {});
    return closing;
  };
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

function markUnavailable(item: RawItem, reason: string): RawItem {
  const meta = (item._meta ?? {}) as Record<string, unknown>;
  return {
    ...item,
    _meta: { ...meta, 'selfheal/unavailable': reason },
  };
}

function toolError(error: GatewayError): Record<string, unknown> {
  return {
    content: [{ type: 'text', text: error.message }],
    isError: true,
    _meta: { 'selfheal/error': { code: error.code, ...(error.data as object) } },
  };
}

function resilienceToolError(error: Error & { code: string }): Record<string, unknown> {
  return {
    content: [{ type: 'text', text: error.message }],
    isError: true,
    _meta: { 'selfheal/error': { code: error.code } },
  };
}

function composeInstructions(upstreams: readonly UpstreamServer[]): string | undefined {
  const parts = upstreams
    .filter((u) => u.catalog?.instructions)
    .map((u) => `## ${u.spec.name}\n${u.catalog!.instructions}`);
  return parts.length === 0 ? undefined : parts.join('\n\n');
}
