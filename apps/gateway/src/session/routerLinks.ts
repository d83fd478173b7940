import { createToolFilter } from '../naming.js';
import { LIST_KEYS } from '../upstream/catalog.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';
import type { RouteSource } from './routing.js';
import { type LinkHost, UpstreamLink } from './upstreamLink.js';

/**
 * A router's links, one per upstream, and what routing reads of each (its tool filter, its
 * {@link RouteSource}). The upstreams may change under a running router (a config reload, RFC
 * 0019): each link is made once per upstream object, and closed when its upstream leaves the
 * list. A request in flight keeps the link it started with.
 */
export interface RouterLinks {
  /**
   * One link per upstream, in config order. The same array while the upstreams stay the same
   * (read it, never change it); a new one after a reload.
   */
  current(): UpstreamLink[];
  /** Whether the server's `tools` filter exposes an upstream tool name (none: a closed link). */
  filterOf(link: UpstreamLink): (name: string) => boolean;
  /** The current link of a server known to be configured (a name routing just resolved). */
  linkOf(name: string): UpstreamLink;
  /** What routing knows of each current server, in config order. */
  sources(): RouteSource[];
  /** Every link made and not yet dropped, for closing the router. */
  made(): UpstreamLink[];
}

/**
 * The links over `upstreams`, an array the gateway changes in place on a reload and counts the
 * change in `upstreamsGeneration`.
 */
export function createRouterLinks(
  options: {
    readonly upstreams: readonly UpstreamServer[];
    readonly upstreamsGeneration?: () => number;
  },
  host: LinkHost,
): RouterLinks {
  const linkByUpstream = new Map<UpstreamServer, UpstreamLink>();
  const filters = new WeakMap<UpstreamLink, (name: string) => boolean>();
  const sourceOf = new WeakMap<UpstreamLink, RouteSource>();
  const makeLink = (upstream: UpstreamServer): UpstreamLink => {
    const made = new UpstreamLink(upstream, host);
    linkByUpstream.set(upstream, made);
    filters.set(made, createToolFilter(upstream.spec.config.tools ?? {}));
    sourceOf.set(made, {
      server: made.name,
      prefix: upstream.spec.prefix,
      known: (method) =>
        made.lists.get(method) ?? upstream.catalog?.[LIST_KEYS[method]] ?? undefined,
      has: (capability) => Boolean(made.capabilities()[capability]),
    });
    return made;
  };
  // The lists of the last read, kept until the gateway counts a change to the upstreams: a tool
  // call reads them three times or more, and a reload is rare. The array is changed in place, so
  // its identity cannot tell; the count is one comparison a read, where the array's items were
  // one each.
  const generation = options.upstreamsGeneration ?? (() => 0);
  let links: UpstreamLink[] = [];
  let sources: RouteSource[] = [];
  let seen: number | undefined;
  const current = (): UpstreamLink[] => {
    const now = generation();
    if (now === seen) return links;
    seen = now;
    for (const [upstream, link] of linkByUpstream) {
      if (options.upstreams.includes(upstream)) continue;
      linkByUpstream.delete(upstream);
      void link.close();
    }
    links = options.upstreams.map((upstream) => linkByUpstream.get(upstream) ?? makeLink(upstream));
    sources = links.map((link) => sourceOf.get(link)!);
    return links;
  };
  return {
    current,
    filterOf: (link) => filters.get(link) ?? (() => false),
    linkOf: (name) => current().find((l) => l.name === name)!,
    sources: () => {
      current();
      return sources;
    },
    made: () => [...linkByUpstream.values()],
  };
}
