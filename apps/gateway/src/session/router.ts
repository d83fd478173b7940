import type { Notification, RequestId, RequestOptions } from '@modelcontextprotocol/server';
import { isResilienceError } from '@selfheal/resilience';
import type { GatewaySettings } from '../config/loadConfig.js';
import { GatewayError, GatewayErrorCode, toolErrorResult, WireErrorCode } from '../errors.js';
import {
  createToolFilter,
  exposeName,
  isShortened,
  MAX_EXPOSED_NAME,
  resolveCollisions,
} from '../naming.js';
import { withValidParamHeaders } from '../stateless/paramHeaders.js';
import { LIST_KEYS, type ListMethod, type RawItem } from '../upstream/catalog.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';
import { type RouteSource, routeName, routeUri } from './routing.js';
import { executeToolCall, isUnavailable, type ToolCallHost, type ToolTarget } from './toolCall.js';
import { traceContextOf } from './traceContext.js';
import { executeUpstreamCall, toWireError } from './upstreamCall.js';
import { type LinkHost, UpstreamLink, unavailableWireError, wireError } from './upstreamLink.js';

type Params = Record<string, unknown> | undefined;

/**
 * What routing needs of the client request it serves: the SDK's handler context has it, and a
 * stateless (2026-07-28) request builds it from its envelope.
 */
export interface RouteExtra {
  signal: AbortSignal;
  requestId: RequestId;
  /** The client session, for events (absent for a stateless request). */
  sessionId?: string;
  /** The request's `_meta` (its `progressToken`). */
  _meta?: Record<string, unknown>;
  /** Sends a notification related to this request (progress). */
  sendNotification(notification: Notification): Promise<void>;
}

/** Options of {@link createRouter}. */
export interface RouterOptions {
  upstreams: readonly UpstreamServer[];
  settings: Pick<GatewaySettings, 'separator' | 'degradation' | 'requestTimeoutMs'>;
  /** How the links reach the upstreams and whom they tell what the upstreams send. */
  host: LinkHost;
  /** Told once per exposed name that two servers claim at run time (the first one keeps it). */
  onWarning?: (message: string) => void;
  /** The call path of tools/call: policies, the bus, and the routing state (RFC 0008). */
  calls: ToolCallHost;
  /** Top-level tool chains: exposed tool -> exposed tools tried in order. @default {} */
  fallbacks?: Record<string, string[]>;
}

/** The routing of one client's requests (a session's, or every stateless client's). */
export interface Router {
  /**
   * One link per upstream, in config order. Read anew each time: after a config reload a new
   * upstream has a new link and a removed one's link is closed.
   */
  readonly links: readonly UpstreamLink[];
  /**
   * Serves one client request: aggregated lists, tools/call through the resilience policies and
   * fallback chains, everything else forwarded to the server that owns the name or URI.
   * Resolves to the raw result; rejects with an error the SDK puts on the wire as it is.
   */
  route(method: string, params: Params, extra: RouteExtra): Promise<Record<string, unknown>>;
  /** The tool an exposed name routes to, as its server last listed it (undefined: none). */
  tool(exposed: string): RawItem | undefined;
  /** Closes the links' own sessions. Idempotent. */
  close(): Promise<void>;
}

/** Creates the routing of one client (RFC 0006, RFC 0008, RFC 0010). */
export function createRouter(options: RouterOptions): Router {
  const { settings, host } = options;
  const warned = new Set<string>();
  // The upstreams may change under a running router (a config reload, RFC 0019): each link is
  // made once per upstream object, and closed when its upstream leaves the list. A request in
  // flight keeps the link it started with.
  const linkByUpstream = new Map<UpstreamServer, UpstreamLink>();
  const filters = new WeakMap<UpstreamLink, (name: string) => boolean>();
  const sourceOf = new WeakMap<UpstreamLink, RouteSource>();
  const currentLinks = (): UpstreamLink[] => {
    for (const [upstream, link] of linkByUpstream) {
      if (options.upstreams.includes(upstream)) continue;
      linkByUpstream.delete(upstream);
      void link.close();
    }
    return options.upstreams.map((upstream) => {
      let link = linkByUpstream.get(upstream);
      if (link === undefined) {
        link = new UpstreamLink(upstream, host);
        const made = link;
        linkByUpstream.set(upstream, made);
        filters.set(made, createToolFilter(upstream.spec.config.tools ?? {}));
        sourceOf.set(made, {
          server: made.name,
          prefix: upstream.spec.prefix,
          known: (method) =>
            made.lists.get(method) ?? upstream.catalog?.[LIST_KEYS[method]] ?? undefined,
          has: (capability) => Boolean(made.capabilities()[capability]),
        });
      }
      return link;
    });
  };
  const filterOf = (link: UpstreamLink) => filters.get(link) ?? (() => false);
  const linkOf = (name: string) => currentLinks().find((l) => l.name === name)!;
  const currentSources = (): RouteSource[] => currentLinks().map((link) => sourceOf.get(link)!);

  const requestOptions = (extra: RouteExtra): RequestOptions => {
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

  /**
   * Each server's tools as this router last listed them live: the definitions its clients hold,
   * which the `Mcp-Param-*` headers of their calls follow (fresher than a catalog that only a
   * `list_changed` renews).
   */
  const listedTools = new WeakMap<UpstreamLink, RawItem[]>();

  /** Tells once of each tool left out of the list for its `x-mcp-header` marks (RFC 0013). */
  const warnInvalid = (server: string) => (tool: string, reason: string) => {
    const key = JSON.stringify([server, tool, reason]);
    if (warned.has(key)) return;
    warned.add(key);
    options.onWarning?.(
      `tool "${tool}" of server "${server}" is left out of tools/list: its inputSchema breaks the x-mcp-header rules of MCP 2026-07-28 (${reason})`,
    );
  };

  const aggregate = async (method: ListMethod, extra: RouteExtra) => {
    const key = LIST_KEYS[method];
    const perServer = await Promise.all(
      currentLinks().map(async (link) => {
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
            connect: (signal) => link.ensure(signal),
            attempt: (signal) => link.list(method, signal),
          });
          if (method === 'tools/list') listedTools.set(link, items);
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
      const filter = filterOf(link);
      // Held tools (a changed definition) and a quarantined server's in hide mode stay out.
      const trusted =
        method === 'tools/list' && options.calls.trust
          ? options.calls.trust.filterTools(link.name, items)
          : items;
      const listed =
        method === 'tools/list' ? withValidParamHeaders(trusted, warnInvalid(link.name)) : trusted;
      for (const raw of listed) {
        const item = live
          ? raw
          : markUnavailable(raw, reason ?? link.upstream.describeUnavailable());
        if (method === 'tools/list' || method === 'prompts/list') {
          const name = String(raw.name);
          if (method === 'tools/list' && !filter(name)) continue;
          const exposed = exposeName(link.upstream.spec.prefix, settings.separator, name);
          if (
            !warned.has(exposed) &&
            isShortened(link.upstream.spec.prefix, settings.separator, name)
          ) {
            warned.add(exposed);
            options.onWarning?.(
              `${method === 'tools/list' ? 'tool' : 'prompt'} "${name}" of server "${link.name}" is exposed as "${exposed}": "${link.upstream.spec.prefix}${settings.separator}${name}" is longer than ${MAX_EXPOSED_NAME} characters (a shorter "prefix" on the server avoids this)`,
            );
          }
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
        ? routeName(exposed, currentSources(), settings.separator, method)
        : undefined;
    const kind = method === 'tools/list' ? 'Tool' : 'Prompt';
    if (!route || (method === 'tools/list' && !filterOf(linkOf(route.server))(route.name)))
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
      const link = currentLinks().find((l) => l.name === server);
      if (link)
        add({
          link,
          name: first.name,
          exposed: exposeName(link.upstream.spec.prefix, settings.separator, first.name),
        });
    }
    for (const other of options.fallbacks?.[exposed] ?? []) {
      const route = routeName(other, currentSources(), settings.separator, 'tools/list');
      if (route && filterOf(linkOf(route.server))(route.name))
        add({ link: linkOf(route.server), name: route.name, exposed: other });
    }
    return targets;
  };

  const routeByUri = (uri: unknown) => {
    const owner = typeof uri === 'string' ? routeUri(uri, currentSources()) : undefined;
    if (owner === undefined)
      throw wireError(-32002, `Resource not found: no configured server offers ${String(uri)}`, {
        uri,
      });
    return linkOf(owner);
  };

  const handle = async (method: string, params: Params, extra: RouteExtra) => {
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
        connect: (signal) => link.ensure(signal),
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
          const targets = toolTargets(exposed);
          return await executeToolCall(options.calls, {
            exposed,
            params: params ?? {},
            targets: options.calls.trust
              ? options.calls.trust
                  .route(
                    targets.map((t) => ({ ...t, server: t.link.name })),
                    options.calls.isDown,
                  )
                  .map(({ server: _, ...t }) => t)
              : targets,
            requestId: extra.requestId,
            options: requestOptions(extra),
            trace: traceContextOf(params?._meta as Record<string, unknown> | undefined),
            ...(extra.sessionId === undefined ? {} : { sessionId: extra.sessionId }),
          });
        } catch (error) {
          if (isUnavailable(error) || isQuarantined(error)) return toolErrorResult(error);
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
      case 'resources/subscribe': {
        // The server keeps subscriptions per session: this client gets a session of its own.
        const link = routeByUri(params?.uri);
        const undo = link.keep(method, params);
        return forward(link, params).catch((error: unknown) => {
          undo();
          throw error;
        });
      }
      case 'resources/unsubscribe': {
        // On the session that holds the subscription; forgotten once the server has dropped it.
        const link = routeByUri(params?.uri);
        const result = await forward(link, params);
        link.keep(method, params);
        return result;
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
          currentLinks().map(async (link) => {
            if (!link.capabilities().logging) return;
            const undo = link.keep(method, params);
            try {
              await link.ensure(extra.signal);
            } catch (error) {
              if (isUnavailable(error)) return; // set when its session opens
              undo();
              throw error;
            }
            await forward(link, params).catch((error: unknown) => {
              undo();
              throw error;
            });
          }),
        );
        return {};
      }
      default:
        throw wireError(WireErrorCode.MethodNotFound, 'Method not found');
    }
  };

  const route = async (method: string, params: Params, extra: RouteExtra) => {
    try {
      return (await handle(method, params, extra)) as Record<string, unknown>;
    } catch (error) {
      if (isUnavailable(error)) throw unavailableWireError(error);
      if (error instanceof GatewayError && error.code === GatewayErrorCode.ClientSessionsExhausted)
        throw wireError(WireErrorCode.ClientSessionsExhausted, error.message, error.data);
      throw error;
    }
  };
  let closing: Promise<void> | undefined;
  return {
    get links() {
      return currentLinks();
    },
    route,
    tool: (exposed) => {
      try {
        const { link, name } = routeByName('tools/list', exposed);
        return listedTools.get(link)?.find((t) => t.name === name) ?? link.listedTool(name);
      } catch {
        return undefined; // no such tool: the call itself says so
      }
    },
    close: () => {
      closing ??= Promise.all([...linkByUpstream.values()].map((l) => l.close())).then(() => {});
      return closing;
    },
  };
}

function isQuarantined(error: unknown): error is GatewayError {
  return (
    error instanceof GatewayError &&
    (error.code === GatewayErrorCode.ToolQuarantined ||
      error.code === GatewayErrorCode.ServerQuarantined)
  );
}

function markUnavailable(item: RawItem, reason: string): RawItem {
  const meta = (item._meta ?? {}) as Record<string, unknown>;
  return {
    ...item,
    _meta: { ...meta, 'selfheal/unavailable': reason },
  };
}

function resilienceToolError(error: Error & { code: string }): Record<string, unknown> {
  return {
    content: [{ type: 'text', text: error.message }],
    isError: true,
    _meta: { 'selfheal/error': { code: error.code } },
  };
}
