import { WireErrorCode } from '../errors.js';
import type { RouterContext } from './routerContext.js';
import { routeName, routeUri } from './routing.js';
import { type UpstreamLink, wireError } from './upstreamLink.js';

/** Where an exposed tool or prompt name leads: the link, and the name its server knows. */
export interface NameRoute {
  link: UpstreamLink;
  name: string;
}

/**
 * The link and upstream name behind an exposed tool or prompt name, if any (a tool also has to
 * pass its server's `tools` filter). Throws nothing: an unknown name is an answer here, asked on
 * the per-call path (a fallback chain's names, a tool's definition).
 */
export function findByName(
  context: RouterContext,
  method: 'tools/list' | 'prompts/list',
  exposed: string,
): NameRoute | undefined {
  const { links } = context;
  const route = routeName(exposed, links.sources(), context.settings.separator, method);
  const link = route && links.linkOf(route.server);
  if (!route || !link || (method === 'tools/list' && !links.filterOf(link)(route.name)))
    return undefined;
  return { link, name: route.name };
}

/**
 * {@link findByName} for a name a client sent: throws the `InvalidParams` error the client gets
 * for an unknown name (or one that is not a string).
 */
export function routeByName(
  context: RouterContext,
  method: 'tools/list' | 'prompts/list',
  exposed: unknown,
): NameRoute {
  const found = typeof exposed === 'string' ? findByName(context, method, exposed) : undefined;
  if (found === undefined) {
    const kind = method === 'tools/list' ? 'Tool' : 'Prompt';
    throw wireError(WireErrorCode.InvalidParams, `${kind} ${String(exposed)} not found`);
  }
  return found;
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
