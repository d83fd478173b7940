import { WireErrorCode } from '../errors.js';
import type { RouterContext } from './routerContext.js';
import { routeName, routeUri } from './routing.js';
import { type UpstreamLink, wireError } from './upstreamLink.js';

/**
 * The link and upstream name behind an exposed tool or prompt name (a tool also has to pass its
 * server's `tools` filter). Throws the `InvalidParams` error the client gets for an unknown name.
 */
export function routeByName(
  context: RouterContext,
  method: 'tools/list' | 'prompts/list',
  exposed: unknown,
): { link: UpstreamLink; name: string } {
  const { links } = context;
  const route =
    typeof exposed === 'string'
      ? routeName(exposed, links.sources(), context.settings.separator, method)
      : undefined;
  const kind = method === 'tools/list' ? 'Tool' : 'Prompt';
  const link = route && links.linkOf(route.server);
  if (!route || !link || (method === 'tools/list' && !links.filterOf(link)(route.name)))
    throw wireError(WireErrorCode.InvalidParams, `${kind} ${String(exposed)} not found`);
  return { link, name: route.name };
}

/** The link of the server that owns a resource URI; throws MCP's "Resource not found" (-32002). */
export function routeByUri(context: RouterContext, uri: unknown): UpstreamLink {
  const owner = typeof uri === 'string' ? routeUri(uri, context.links.sources()) : undefined;
  if (owner === undefined)
    throw wireError(-32002, `Resource not found: no configured server offers ${String(uri)}`, {
      uri,
    });
  return context.links.linkOf(owner);
}
