import { WireErrorCode } from '../errors.js';
import { exposeName } from '../naming.js';
import { scanParamHeaders } from '../stateless/paramHeaders.js';
import type { RawItem } from '../upstream/catalog.js';
import { findByName, routeByName } from './nameRoutes.js';
import type { RouterContext } from './routerContext.js';
import type { ToolTarget } from './toolCall.js';
import { type UpstreamLink, wireError } from './upstreamLink.js';

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
  const found = routeByName(context, 'tools/list', exposed);
  const first = targetOf(found.link, found.name, exposed);
  const invalid = invalidMarks(first.definition);
  if (invalid !== undefined)
    throw wireError(
      WireErrorCode.InvalidParams,
      `Tool ${exposed} not found: it is left out of the list, its x-mcp-header marks being invalid (${invalid})`,
    );
  const targets = [first];
  const offer = (target: RoutedTarget) => {
    if (invalidMarks(target.definition) === undefined) addTarget(targets, target);
  };
  for (const server of first.link.upstream.spec.config.fallback ?? []) {
    const link = links.linkOf(server);
    if (link === undefined) continue;
    offer(
      targetOf(
        link,
        first.name,
        exposeName(link.upstream.spec.prefix, settings.separator, first.name),
      ),
    );
  }
  for (const other of context.options.fallbacks?.[exposed] ?? []) {
    const route = findByName(context, 'tools/list', other);
    if (route !== undefined) offer(targetOf(route.link, route.name, other));
  }
  return targets;
}

/** Tool `name` on `link`, called as `exposed`, with its definition as the link lists it now. */
function targetOf(link: UpstreamLink, name: string, exposed: string): RoutedTarget {
  return { link, name, exposed, server: link.name, definition: link.listedTool(name) };
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

/**
 * Why a tool (as listed) is not offered for its `x-mcp-header` marks, if it is not: such a tool
 * is left out of the list (aggregateList.ts), and a call by its name is refused the same way,
 * not sent without the headers its server expects.
 */
function invalidMarks(tool: RawItem | undefined): string | undefined {
  const scan = scanParamHeaders(tool?.inputSchema);
  return scan.valid ? undefined : scan.reason;
}
