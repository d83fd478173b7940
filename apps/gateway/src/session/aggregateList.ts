import { isResilienceError } from '@selfheal/resilience';
import { GatewayError } from '../errors.js';
import { exposeName, isShortened, MAX_EXPOSED_NAME, resolveCollisions } from '../naming.js';
import { withValidParamHeaders } from '../stateless/paramHeaders.js';
import { LIST_KEYS, type ListMethod, type RawItem } from '../upstream/catalog.js';
import type { RouteExtra } from './router.js';
import type { RouterContext } from './routerContext.js';
import { traceContextOf } from './traceContext.js';
import { executeUpstreamCall } from './upstreamCall.js';
import type { UpstreamLink } from './upstreamLink.js';

/** One server's answer to a list request, or what stands in for it while the server is out. */
interface ServerList {
  link: UpstreamLink;
  items: RawItem[];
  /** False: the items (if any) are the last known catalog, each marked unavailable. */
  live: boolean;
  /** Why the server did not answer, when its policy refused (else the server says since when). */
  reason?: string;
}

/** A tool or prompt under the name the client sees, before collisions are settled. */
interface NamedItem {
  server: string;
  name: string;
  exposed: string;
  item: RawItem;
}

/**
 * The aggregated answer to `tools/list`, `prompts/list`, `resources/list` or
 * `resources/templates/list`: every current server asked at once through its policy, the
 * servers' items in config order, tools and prompts under their exposed names with the first
 * server keeping a name two claim (RFC 0006, RFC 0008's degradation).
 */
export async function aggregateList(
  context: RouterContext,
  method: ListMethod,
  extra: RouteExtra,
): Promise<Record<string, RawItem[]>> {
  const perServer = await Promise.all(
    context.links.current().map((link) => listOneServer(context, link, method, extra)),
  );
  const out: RawItem[] = [];
  const named: NamedItem[] = [];
  for (const list of perServer) exposeServerList(context, method, list, out, named);
  if (named.length > 0) {
    const { kept, dropped } = resolveCollisions(named, 'first_wins', 'tool');
    for (const d of dropped) {
      if (!context.firstWarning(d.exposed)) continue;
      context.options.onWarning?.(
        `"${d.exposed}" from server "${d.server}" is hidden: another server exposes the same name`,
      );
    }
    out.push(...kept.map((k) => k.item));
  }
  return { [LIST_KEYS[method]]: out };
}

/**
 * One server's list, live through its policy; while it is down, timed out or refused by its
 * breaker or bulkhead, its last known catalog (`list_with_error`) or nothing. Any other error,
 * or the client's cancel, fails the whole list.
 */
async function listOneServer(
  context: RouterContext,
  link: UpstreamLink,
  method: ListMethod,
  extra: RouteExtra,
): Promise<ServerList> {
  const { settings, options } = context;
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
    return { link, items, live: true };
  } catch (error) {
    // Down, timed out, refused by its breaker or bulkhead: the last known catalog serves.
    if (extra.signal.aborted || !(error instanceof GatewayError || isResilienceError(error)))
      throw error;
    const catalog = link.upstream.catalog;
    const keep = settings.degradation === 'list_with_error' && catalog !== undefined;
    // A refusal of the policy (open breaker, timeout) says so; a lost server says since when.
    const reason = isResilienceError(error) ? `server "${link.name}": ${error.message}` : undefined;
    return { link, items: keep ? catalog[LIST_KEYS[method]] : [], live: false, reason };
  }
}

/**
 * Adds one server's items to the answer: tools through trust (held ones out) and the
 * `x-mcp-header` check, then the server's `tools` filter; tools and prompts under their exposed
 * names into `named` (collisions are settled over all servers), resources straight to `out`.
 */
function exposeServerList(
  context: RouterContext,
  method: ListMethod,
  { link, items, live, reason }: ServerList,
  out: RawItem[],
  named: NamedItem[],
): void {
  const { settings, options } = context;
  const filter = context.links.filterOf(link);
  // Held tools (a changed definition) and a quarantined server's in hide mode stay out.
  const trusted =
    method === 'tools/list' && options.calls.trust
      ? options.calls.trust.filterTools(link.name, items)
      : items;
  const listed =
    method === 'tools/list'
      ? withValidParamHeaders(trusted, warnInvalid(context, link.name))
      : trusted;
  const prefix = link.upstream.spec.prefix;
  for (const raw of listed) {
    const item = live ? raw : markUnavailable(raw, reason ?? link.upstream.describeUnavailable());
    if (method !== 'tools/list' && method !== 'prompts/list') {
      out.push(item);
      continue;
    }
    const name = String(raw.name);
    if (method === 'tools/list' && !filter(name)) continue;
    const exposed = exposeName(prefix, settings.separator, name);
    if (isShortened(prefix, settings.separator, name) && context.firstWarning(exposed))
      options.onWarning?.(
        `${method === 'tools/list' ? 'tool' : 'prompt'} "${name}" of server "${link.name}" is exposed as "${exposed}": "${prefix}${settings.separator}${name}" is longer than ${MAX_EXPOSED_NAME} characters (a shorter "prefix" on the server avoids this)`,
      );
    named.push({ server: link.name, name, exposed, item: { ...item, name: exposed } });
  }
}

/** Tells once of each tool left out of the list for its `x-mcp-header` marks (RFC 0013). */
function warnInvalid(context: RouterContext, server: string) {
  return (tool: string, reason: string) => {
    if (!context.firstWarning(JSON.stringify([server, tool, reason]))) return;
    context.options.onWarning?.(
      `tool "${tool}" of server "${server}" is left out of tools/list: its inputSchema breaks the x-mcp-header rules of MCP 2026-07-28 (${reason})`,
    );
  };
}

/** A catalog item served while its server is out, marked with why (`selfheal/unavailable`). */
function markUnavailable(item: RawItem, reason: string): RawItem {
  const meta = (item._meta ?? {}) as Record<string, unknown>;
  return {
    ...item,
    _meta: { ...meta, 'selfheal/unavailable': reason },
  };
}
