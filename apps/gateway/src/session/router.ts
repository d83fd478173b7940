import type { Notification, RequestId } from '@modelcontextprotocol/server';
import type { GatewaySettings } from '../config/loadConfig.js';
import { GatewayError, GatewayErrorCode, WireErrorCode } from '../errors.js';
import type { RawItem } from '../upstream/catalog.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';
import { aggregateList } from './aggregateList.js';
import { forwardRequest, requestOptions } from './forwardRequest.js';
import { setLevel, subscribe, unsubscribe } from './keptRequests.js';
import { findByName, routeByName, routeByUri } from './nameRoutes.js';
import { createRouterContext, type RouterContext } from './routerContext.js';
import { executeToolCall, isUnavailable, type ToolCallHost } from './toolCall.js';
import { toolCallFailure } from './toolCallFailure.js';
import { toolTargets, trustedTargets } from './toolTargets.js';
import { traceContextOf } from './traceContext.js';
import {
  type LinkHost,
  type UpstreamLink,
  unavailableWireError,
  wireError,
} from './upstreamLink.js';

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
  /**
   * Counts the changes to `upstreams`, an array the gateway changes in place (a reload, RFC
   * 0019): a router makes its links again when the count moves, and reads nothing else of the
   * array per request. @default the upstreams never change
   */
  upstreamsGeneration?: () => number;
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

/**
 * Creates the routing of one client (RFC 0006, RFC 0008, RFC 0010). Its parts: the links and
 * what routing reads of them (`routerLinks.ts`), the aggregated lists (`aggregateList.ts`), names
 * and URIs to links (`nameRoutes.ts`), a tool call's targets (`toolTargets.ts`) and failures
 * (`toolCallFailure.ts`), forwarding (`forwardRequest.ts`) and the requests a server keeps per
 * session (`keptRequests.ts`), over one {@link RouterContext}.
 */
export function createRouter(options: RouterOptions): Router {
  const context = createRouterContext(options);
  const route = async (method: string, params: Params, extra: RouteExtra) => {
    try {
      return (await serveRequest(context, method, params, extra)) as Record<string, unknown>;
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
      return context.links.current();
    },
    route,
    tool: (exposed) => listedTool(context, exposed),
    close: () => {
      closing ??= Promise.all(context.links.made().map((l) => l.close())).then(() => {});
      return closing;
    },
  };
}

/**
 * Serves one client request by its method: the lists aggregated, tools/call along its targets,
 * the rest forwarded to the server that owns the name or URI. This and what tools/call runs are
 * the per-call path: no closure, promise or copy here that the call does not need.
 */
async function serveRequest(
  context: RouterContext,
  method: string,
  params: Params,
  extra: RouteExtra,
): Promise<unknown> {
  switch (method) {
    case 'tools/list':
    case 'prompts/list':
    case 'resources/list':
    case 'resources/templates/list':
      return aggregateList(context, method, extra);
    case 'tools/call': {
      const exposed = String(params?.name);
      try {
        const targets = toolTargets(context, exposed);
        return await executeToolCall(context.options.calls, {
          exposed,
          params: params ?? {},
          targets: trustedTargets(context, targets),
          requestId: extra.requestId,
          options: requestOptions(context, extra),
          trace: traceContextOf(params?._meta as Record<string, unknown> | undefined),
          ...(extra.sessionId === undefined ? {} : { sessionId: extra.sessionId }),
        });
      } catch (error) {
        return toolCallFailure(error, extra.signal);
      }
    }
    case 'prompts/get': {
      const { link, name } = routeByName(context, 'prompts/list', params?.name);
      return forwardRequest(context, method, link, { ...params, name }, extra);
    }
    case 'resources/read':
      return forwardRequest(context, method, routeByUri(context, params?.uri), params, extra);
    case 'resources/subscribe':
      return subscribe(context, params, extra);
    case 'resources/unsubscribe':
      return unsubscribe(context, params, extra);
    case 'completion/complete': {
      const ref = (params?.ref ?? {}) as Record<string, unknown>;
      if (ref.type === 'ref/prompt') {
        const { link, name } = routeByName(context, 'prompts/list', ref.name);
        return forwardRequest(context, method, link, { ...params, ref: { ...ref, name } }, extra);
      }
      return forwardRequest(context, method, routeByUri(context, ref.uri), params, extra);
    }
    case 'logging/setLevel':
      return setLevel(context, params, extra);
    default:
      throw wireError(WireErrorCode.MethodNotFound, 'Method not found');
  }
}

/**
 * The tool an exposed name routes to, as its link last listed it, else as the catalog has it.
 * No such tool: undefined, and the call itself says so.
 */
function listedTool(context: RouterContext, exposed: string): RawItem | undefined {
  const found = findByName(context, 'tools/list', exposed);
  return found?.link.listedTool(found.name);
}
