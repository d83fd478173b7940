import { exposeName } from '../naming.js';
import { routeByName } from './nameRoutes.js';
import type { RouterContext } from './routerContext.js';
import { routeName } from './routing.js';
import type { ToolTarget } from './toolCall.js';

/** A place a tools/call may be served, with its server's name (what trust routing reads). */
export interface RoutedTarget extends ToolTarget {
  server: string;
}

/**
 * Where a tools/call may be served, in order: its own server, the same tool on the servers
 * that server names in `fallback`, then the tools the top-level `fallbacks` chain names
 * (RFC 0008). Run on every call: the lists it reads are the router's current ones.
 */
export function toolTargets(context: RouterContext, exposed: string): RoutedTarget[] {
  const { links, settings } = context;
  const first = routeByName(context, 'tools/list', exposed);
  const targets: RoutedTarget[] = [
    { link: first.link, name: first.name, exposed, server: first.link.name },
  ];
  for (const server of first.link.upstream.spec.config.fallback ?? []) {
    const link = links.current().find((l) => l.name === server);
    if (link)
      addTarget(targets, {
        link,
        name: first.name,
        exposed: exposeName(link.upstream.spec.prefix, settings.separator, first.name),
        server: link.name,
      });
  }
  for (const other of context.options.fallbacks?.[exposed] ?? []) {
    const route = routeName(other, links.sources(), settings.separator, 'tools/list');
    if (route && links.filterOf(links.linkOf(route.server))(route.name)) {
      const link = links.linkOf(route.server);
      addTarget(targets, { link, name: route.name, exposed: other, server: link.name });
    }
  }
  return targets;
}

/**
 * The targets in the order trust routes them (RFC 0017): held tools and quarantined servers out,
 * a less distrusted server first. Without a trust guard, the targets as they are. The guard
 * takes the targets themselves (they carry `server`), so a call copies none of them.
 */
export function trustedTargets(context: RouterContext, targets: RoutedTarget[]): ToolTarget[] {
  const { calls } = context.options;
  return calls.trust ? calls.trust.route(targets, calls.isDown) : targets;
}

/** Adds a target unless the chain has it already (the same tool on the same link). */
function addTarget(targets: RoutedTarget[], target: RoutedTarget): void {
  if (!targets.some((t) => t.link === target.link && t.name === target.name)) targets.push(target);
}
